import { resolveControls } from '../backfill/controls';
import * as path from 'node:path';
import { CONFIG_OBJECT, configProblemsOf, readConfigFile, validateConfig } from '../config/load';
import { checkNameLengths } from '../config/nameLengths';
import { formatTableRef } from '../config/tableRef';
import type { Config } from '../config/types';
import { asTheseusError } from '../errors';
import { loadDialect } from '../../dialects';
import { type CommandOptions, Session } from './session';

export interface ValidateOptions extends CommandOptions {
  /** Also connect and check that every table and column the config names exists (read-only; no lock, no writes). */
  connect?: boolean;
}

export interface ValidationProblem {
  /** The table id the problem belongs to, where it belongs to one. */
  table?: string;
  code: string;
  message: string;
  hint?: string;
}

export interface ValidationResult {
  config: string;
  ok: boolean;
  /** What was checked: the file alone, or the file and the warehouse. */
  checked: 'config' | 'config and warehouse';
  tables: Array<{ id: string; legacy: string; target: string; view: string }>;
  problems: ValidationProblem[];
}

const problemOf = (err: unknown, table?: string): ValidationProblem => {
  const e = asTheseusError(err);
  return { ...(table ? { table } : {}), code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
};

/**
 * migrate validate: every problem in the config at once (the other commands stop at the first), then, with
 * --connect, every table and column it names looked up in the warehouse through the same planning reads the
 * commands use. Writes nothing and takes no lock.
 */
export async function runValidate(options: ValidateOptions): Promise<ValidationResult> {
  const env = options.env ?? process.env;
  const { absolute, raw } = typeof options.config === 'string' ? readConfigFile(options.config) : { absolute: path.resolve(CONFIG_OBJECT), raw: options.config };
  const result: ValidationResult = { config: absolute, ok: false, checked: options.connect ? 'config and warehouse' : 'config', tables: [], problems: [] };
  result.problems.push(...configProblemsOf(raw, absolute).map((p) => ({ code: 'CONFIG_INVALID', ...p })));
  if (result.problems.length) return result;

  let config: Config;
  try {
    config = validateConfig(raw, absolute, env, { connectionOptional: !options.connect });
  } catch (err) {
    result.problems.push(problemOf(err));
    return result;
  }
  result.tables = config.tables.map((t) => ({ id: t.id, legacy: formatTableRef(t.legacy), target: formatTableRef(t.target), view: formatTableRef(t.view) }));
  const dialect = await loadDialect(config.dialect);
  for (const check of [
    () => resolveControls(config.backfill, {}, { name: dialect.name, loadSignalNames: dialect.loadSignal?.names, billsBytes: dialect.capabilities.bytesBilledCap }),
    () => checkNameLengths(config, dialect),
  ]) {
    try {
      check();
    } catch (err) {
      result.problems.push(problemOf(err));
    }
  }
  if (options.connect && result.problems.length === 0) await checkWarehouse(options, result);
  result.ok = result.problems.length === 0;
  return result;
}

/** Each table as the commands see it: legacy, target and view introspected, columns aligned, the zone known, the ledger's name free. */
async function checkWarehouse(options: ValidateOptions, result: ValidationResult): Promise<void> {
  let session: Session;
  try {
    session = await Session.open('validate', { ...options, dryRun: true }, { readOnly: true });
  } catch (err) {
    result.problems.push(problemOf(err));
    return;
  }
  try {
    for (const table of session.tables) {
      try {
        await session.context(table, { quiet: true });
        await session.state(table);
      } catch (err) {
        result.problems.push(problemOf(err, table.id));
      }
    }
  } finally {
    await session.close();
  }
}

/** The verdict line (the problems themselves are printed as errors, one each, by the CLI). */
export function formatValidation(r: ValidationResult): string {
  if (r.ok) {
    const names = r.tables.map((t) => `  ${t.id}: ${t.legacy} → ${t.target}, view ${t.view}`);
    return [`${r.config}: valid (${r.checked} checked)`, ...names].join('\n');
  }
  return `${r.config}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`;
}
