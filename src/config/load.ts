import * as path from 'node:path';
import { z } from 'zod';
import type { RawControls } from '../backfill/controls';
import { TheseusError, usageError } from '../errors';
import { isConnectionUrl } from './connectionUrl';
import { interpolateEnv } from './interpolate';
import { type ConfigProblem, configProblems } from './issues';
import { MEMORY, type RawConfig, type RawOverride, type RawTable, configSchema } from './schema';
import { parseTableRef } from './tableRef';
import { readYamlFile } from './yamlFile';
import type { ColumnOverride, Config, TableConfig } from './types';
import { wholeNumber } from './wholeNumber';
import type { ConnectionSpec } from '../../dialects/types';
import { canonicalDialect } from '../../dialects/names';
import { DEFAULT_VERIFY, parseTolerance, type VerifySettings } from '../verify/settings';

/** `connectionOptional`: planning from a catalog (--catalog) connects to nothing, so `connection:` may be absent or unresolvable. */
export interface LoadOptions {
  connectionOptional?: boolean;
}

/** Reads, interpolates and validates a config file (YAML, or JSON which YAML also reads). */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const { absolute, raw } = readConfigFile(file);
  return validateConfig(raw, absolute, env, options);
}

/** migrate.yaml's content as an object, for callers that build the config in code rather than in a file. */
export type ConfigDocument = Record<string, unknown>;

/** What a config object is called in messages: it has no file, and a relative DuckDB path is read from here. */
export const CONFIG_OBJECT = '(config object)';

/** A config given as a file's path (read, like loadConfig) or as the document itself. */
export function configOf(config: string | ConfigDocument, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  return typeof config === 'string' ? loadConfig(config, env, options) : validateConfig(config, path.resolve(CONFIG_OBJECT), env, options);
}

export function readConfigFile(file: string): { absolute: string; raw: unknown } {
  return readYamlFile(file, {
    what: 'config file',
    unreadable: 'CONFIG_UNREADABLE',
    invalid: 'CONFIG_UNREADABLE',
    missingHint: 'pass --config FILE or create migrate.yaml (see README, "Config reference")',
  });
}

/** What zod says where a schema names no message of its own, in the tool's words. */
const plainWords: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === 'invalid_type') {
    if (iss.expected === 'object' || iss.expected === 'record') return 'must be a mapping';
    if (iss.expected === 'string') return 'is missing or not a string';
    if (iss.expected === 'boolean') return `is ${JSON.stringify(iss.input)}; it must be true or false`;
    if (iss.expected === 'array') return 'must be a list';
    return `is ${JSON.stringify(iss.input)}; it must be a ${String(iss.expected)}`;
  }
  if (iss.code === 'invalid_value') return `is ${JSON.stringify(iss.input)}; one of: ${iss.values.map(String).join(', ')}`;
  if (iss.code === 'invalid_union') return `is ${JSON.stringify(iss.input)}, which is none of the forms it may take`;
  return undefined;
};

/** Every problem the schema finds in a parsed config document (empty: it is well-formed). */
export function configProblemsOf(raw: unknown, file: string): ConfigProblem[] {
  const parsed = configSchema.safeParse(raw, { error: plainWords });
  return parsed.success ? [] : configProblems(parsed.error, path.basename(file), configSchema);
}

export function validateConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const where = path.basename(file);
  const parsed = configSchema.safeParse(raw, { error: plainWords });
  if (!parsed.success) {
    const [first] = configProblems(parsed.error, where, configSchema);
    throw usageError('CONFIG_INVALID', first.message, first.hint);
  }
  const top: RawConfig = parsed.data;
  const dialect = canonicalDialect(top.dialect)!;
  let connection = options.connectionOptional ? optionalConnection(top.connection, `${where}: connection`, env) : validateConnection(top.connection, `${where}: connection`, env);
  if (dialect === 'duckdb' && typeof connection === 'string' && connection !== '' && connection !== ':memory:' && !isConnectionUrl(connection) && !path.isAbsolute(connection)) {
    // A DuckDB path is relative to the config file, so the config means the same thing from any directory.
    connection = path.resolve(path.dirname(file), connection);
  }
  const tables = Object.entries(top.tables).map(([id, value]) => tableConfig(id, value, `${where}: tables.${id}`));
  return {
    file,
    dialect,
    connection,
    stateSchema: top.state_schema ?? '_migrate',
    tables,
    backfill: dropNulls(top.backfill ?? {}) as RawControls,
    cutover: { requireApproval: top.cutover?.require_approval === true },
    log: { keepSql: top.log?.keep_sql !== false },
    retire: top.retire?.snapshot_days == null ? {} : { snapshotDays: wholeNumber(top.retire.snapshot_days)! },
    engineSettings: duckDbSettings(top.duckdb, `${where}: duckdb`),
  };
}

const MIB_PER: Record<string, number> = { kb: 1e3 / 2 ** 20, mb: 1e6 / 2 ** 20, gb: 1e9 / 2 ** 20, tb: 1e12 / 2 ** 20, kib: 1 / 1024, mib: 1, gib: 1024, tib: 1024 ** 2 };
const memoryMiB = (text: string) => {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text)!;
  return Number(m[1]) * MIB_PER[m[2].toLowerCase()];
};

/**
 * The `duckdb:` section: how much memory and how many threads the embedded engine may use (it runs inside the
 * migrate process, so its buffers are the process's memory). The schema refuses it for another dialect.
 */
function duckDbSettings(d: RawConfig['duckdb'], where: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (!d) return out;
  if (d.memory_limit != null) {
    const text = String(d.memory_limit).trim();
    if (!MEMORY.test(text) || memoryMiB(text) < 256) throw usageError('CONFIG_INVALID', `${where}.memory_limit is ${text}: under 256MB, where a slice's upsert runs out of memory`, 'e.g. memory_limit: 2GB (or 512MB)');
    out.memory_limit = text.replace(/\s+/g, '');
  }
  if (d.threads != null) out.threads = wholeNumber(d.threads)!;
  return out;
}

/** The entries that are set: YAML's `key:` with nothing after it means "not set", as leaving it out does. */
function dropNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

/** The connection where one is written and its variables are set; otherwise none ('': nothing connects to it). */
function optionalConnection(raw: RawConfig['connection'], where: string, env: NodeJS.ProcessEnv): ConnectionSpec {
  if (raw === undefined || raw === null) return '';
  try {
    return validateConnection(raw, where, env);
  } catch (err) {
    if (err instanceof TheseusError && err.code === 'CONFIG_ENV_UNSET') return '';
    throw err;
  }
}

/** A URL/path string, or a mapping of driver settings (host, port, user, password, database, …); ${VAR} works in every string. */
function validateConnection(raw: RawConfig['connection'], where: string, env: NodeJS.ProcessEnv): ConnectionSpec {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    throw usageError('CONFIG_INVALID', `${where} is missing or not a string`, 'see README, "Config reference"');
  }
  if (typeof raw === 'string') return interpolateEnv(raw.trim(), env, where);
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(raw)) out[key] = typeof value === 'string' ? interpolateEnv(value, env, `${where}.${key}`) : value;
  return out;
}

function tableConfig(id: string, t: RawTable, where: string): TableConfig {
  const columns: Record<string, ColumnOverride> = {};
  for (const [target, spec] of Object.entries(t.columns ?? {})) columns[target] = columnOverride(spec);
  return {
    id,
    legacy: parseTableRef(t.legacy, `${where}.legacy`),
    target: parseTableRef(t.target, `${where}.target`),
    view: parseTableRef(t.view, `${where}.view`),
    key: Array.isArray(t.key) ? t.key : [t.key],
    // Without a cursor the table is backfilled in chunks of its key (backfill.slice: key).
    ...(t.cursor == null ? {} : { cursor: t.cursor }),
    updatedAt: t.updated_at ?? undefined,
    legacyTimezone: t.legacy_timezone ?? 'UTC',
    cursorUnit: t.cursor_unit ?? undefined,
    ...(t.cursor_immutable === true ? { cursorImmutable: true } : {}),
    columns,
    verify: verifySettings(t.verify, `${where}.verify`),
    dlt: t.dlt?.schema_name == null ? {} : { schemaName: t.dlt.schema_name },
    ...(t.strategy === 'staging' ? { strategy: 'staging' as const } : {}),
    ...(t.staging_schema == null ? {} : { stagingSchema: t.staging_schema }),
  };
}

function verifySettings(v: RawTable['verify'], where: string): VerifySettings {
  if (!v) return DEFAULT_VERIFY;
  return {
    sums: v.sums ?? [],
    tolerance: v.tolerance == null ? DEFAULT_VERIFY.tolerance : parseTolerance(v.tolerance, `${where}.tolerance`),
    ignore: v.ignore ?? [],
  };
}

function columnOverride(spec: RawOverride): ColumnOverride {
  if (typeof spec === 'string') return { from: spec };
  return { from: spec.from, expr: spec.expr, type: spec.type, allowNarrowing: spec.allow_narrowing === true ? true : undefined };
}
