import * as path from 'node:path';
import { CONTROL_KEYS, type RawControls } from '../backfill/controls';
import { TheseusError, usageError } from '../errors';
import { isConnectionUrl } from './connectionUrl';
import { interpolateEnv } from './interpolate';
import { parseTableRef } from './tableRef';
import { readYamlFile } from './yamlFile';
import type { ColumnOverride, Config, CursorUnit, CutoverSettings, RetireSettings, TableConfig } from './types';
import { wholeNumber } from './wholeNumber';
import type { ConnectionSpec } from '../../dialects/types';
import { DEFAULT_VERIFY, VERIFY_KEYS, parseTolerance, type VerifySettings } from '../verify/settings';

const KNOWN_TOP_KEYS = ['dialect', 'connection', 'state_schema', 'tables', 'backfill', 'cutover', 'retire', 'duckdb'];
const KNOWN_TABLE_KEYS = ['legacy', 'target', 'view', 'key', 'cursor', 'cursor_unit', 'cursor_immutable', 'updated_at', 'legacy_timezone', 'columns', 'verify', 'dlt', 'strategy', 'staging_schema'];
const STRATEGIES = ['direct', 'staging'] as const;
const CURSOR_UNITS = ['s', 'ms', 'us'] as const;
/** An IANA zone name (Europe/Berlin, America/Argentina/Buenos_Aires, UTC, Etc/GMT+5); the engine says whether it knows it. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/;
/** A type name as written in SQL: words, optional (p) or (p, s), optional []. Nothing else reaches a CAST. */
const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$/;

/** `connectionOptional`: planning from a catalog (--catalog) connects to nothing, so `connection:` may be absent or unresolvable. */
export interface LoadOptions {
  connectionOptional?: boolean;
}

/** Reads, interpolates and validates a config file (YAML, or JSON which YAML also reads). */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const { absolute, raw } = readYamlFile(file, {
    what: 'config file',
    unreadable: 'CONFIG_UNREADABLE',
    invalid: 'CONFIG_UNREADABLE',
    missingHint: 'pass --config FILE or create migrate.yaml (see README, "Config reference")',
  });
  return validateConfig(raw, absolute, env, options);
}

export function validateConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const where = path.basename(file);
  const top = asObject(raw, where);
  rejectUnknownKeys(top, KNOWN_TOP_KEYS, where);

  const dialect = requireString(top.dialect, `${where}: dialect`);
  let connection = options.connectionOptional ? optionalConnection(top.connection, `${where}: connection`, env) : validateConnection(top.connection, `${where}: connection`, env);
  if (dialect === 'duckdb' && typeof connection === 'string' && connection !== '' && connection !== ':memory:' && !isConnectionUrl(connection) && !path.isAbsolute(connection)) {
    // A DuckDB path is relative to the config file, so the config means the same thing from any directory.
    connection = path.resolve(path.dirname(file), connection);
  }
  const stateSchema = top.state_schema === undefined ? '_migrate' : requireString(top.state_schema, `${where}: state_schema`);

  const tablesRaw = asObject(top.tables, `${where}: tables`);
  const tables = Object.entries(tablesRaw).map(([id, value]) => validateTable(id, value, `${where}: tables.${id}`));
  if (tables.length === 0) throw usageError('CONFIG_INVALID', `${where}: tables is empty`, 'add at least one table (see README, "Config reference")');

  let backfill: RawControls = {};
  if (top.backfill !== undefined && top.backfill !== null) {
    backfill = asObject(top.backfill, `${where}: backfill`);
    rejectUnknownKeys(backfill, [...CONTROL_KEYS], `${where}: backfill`);
  }

  return { file, dialect, connection, stateSchema, tables, backfill, cutover: validateCutover(top.cutover, `${where}: cutover`), retire: validateRetire(top.retire, `${where}: retire`), engineSettings: validateDuckDb(top.duckdb, dialect, `${where}: duckdb`) };
}

const MEMORY = /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;
const MIB_PER: Record<string, number> = { kb: 1e3 / 2 ** 20, mb: 1e6 / 2 ** 20, gb: 1e9 / 2 ** 20, tb: 1e12 / 2 ** 20, kib: 1 / 1024, mib: 1, gib: 1024, tib: 1024 ** 2 };
const memoryMiB = (text: string) => {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text)!;
  return Number(m[1]) * MIB_PER[m[2].toLowerCase()];
};

/**
 * The `duckdb:` section: how much memory and how many threads the embedded engine may use (it runs inside the
 * migrate process, so its buffers are the process's memory). Refused for another dialect.
 */
function validateDuckDb(raw: unknown, dialect: string, where: string): Record<string, string | number> {
  if (raw === undefined || raw === null) return {};
  if (dialect !== 'duckdb') throw usageError('CONFIG_INVALID', `${where} is for dialect duckdb, and this config's dialect is ${dialect}`, 'remove the duckdb: section');
  const d = asObject(raw, where);
  rejectUnknownKeys(d, ['memory_limit', 'threads'], where);
  const out: Record<string, string | number> = {};
  if (d.memory_limit !== undefined && d.memory_limit !== null) {
    const text = String(d.memory_limit).trim();
    if (!MEMORY.test(text)) throw usageError('CONFIG_INVALID', `${where}.memory_limit is ${JSON.stringify(d.memory_limit)}: not an amount of memory`, 'e.g. memory_limit: 2GB (or 512MB)');
    if (memoryMiB(text) < 256) throw usageError('CONFIG_INVALID', `${where}.memory_limit is ${text}: under 256MB, where a slice's upsert runs out of memory`, 'e.g. memory_limit: 2GB (or 512MB)');
    out.memory_limit = text.replace(/\s+/g, '');
  }
  if (d.threads !== undefined && d.threads !== null) {
    const n = wholeNumber(d.threads);
    if (n === undefined || n < 1) throw usageError('CONFIG_INVALID', `${where}.threads is ${String(d.threads)}; it must be a whole number, at least 1`, 'e.g. threads: 4');
    out.threads = n;
  }
  return out;
}

function validateCutover(raw: unknown, where: string): CutoverSettings {
  if (raw === undefined || raw === null) return { requireApproval: false };
  const c = asObject(raw, where);
  rejectUnknownKeys(c, ['require_approval'], where);
  const v = c.require_approval;
  if (v !== undefined && v !== null && typeof v !== 'boolean') throw usageError('CONFIG_INVALID', `${where}.require_approval is ${String(v)}; it must be true or false`, 'e.g. cutover: { require_approval: true }');
  return { requireApproval: v === true };
}

function validateRetire(raw: unknown, where: string): RetireSettings {
  if (raw === undefined || raw === null) return {};
  const r = asObject(raw, where);
  rejectUnknownKeys(r, ['snapshot_days'], where);
  if (r.snapshot_days === undefined || r.snapshot_days === null) return {};
  const days = wholeNumber(r.snapshot_days);
  if (days === undefined || days < 1) throw usageError('CONFIG_INVALID', `${where}.snapshot_days is ${String(r.snapshot_days)}; it must be a whole number of days, at least 1`, 'e.g. retire: { snapshot_days: 30 }, or leave it out to keep the snapshot until retire --drop --drop-snapshot');
  return { snapshotDays: days };
}

/** The connection where one is written and its variables are set; otherwise none ('': nothing connects to it). */
function optionalConnection(raw: unknown, where: string, env: NodeJS.ProcessEnv): ConnectionSpec {
  if (raw === undefined || raw === null) return '';
  try {
    return validateConnection(raw, where, env);
  } catch (err) {
    if (err instanceof TheseusError && err.code === 'CONFIG_ENV_UNSET') return '';
    throw err;
  }
}

/** A URL/path string, or a mapping of driver settings (host, port, user, password, database, …); ${VAR} works in every string. */
function validateConnection(raw: unknown, where: string, env: NodeJS.ProcessEnv): ConnectionSpec {
  if (typeof raw !== 'object' || raw === null) return interpolateEnv(requireString(raw, where), env, where);
  const spec = asObject(raw, where);
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (typeof value === 'string') out[key] = interpolateEnv(value, env, `${where}.${key}`);
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else throw usageError('CONFIG_INVALID', `${where}.${key} must be a string, number or boolean`, 'e.g. connection: { host: 127.0.0.1, port: 5432, user: etl, password: ${PGPASSWORD}, database: warehouse }');
  }
  return out;
}

function validateTable(id: string, value: unknown, where: string): TableConfig {
  // The ledger keeps a table's staging under `<id>@staging` (plan/staging.ts): an id holding '@' could collide.
  if (id.includes('@')) throw usageError('CONFIG_INVALID', `${where}: a table id may not contain "@"`, 'rename the table under tables: (it names the migration in --table and the ledger, not a database table)');
  const t = asObject(value, where);
  rejectUnknownKeys(t, KNOWN_TABLE_KEYS, where);
  const keyRaw = t.key;
  const key = Array.isArray(keyRaw) ? keyRaw.map((k, i) => requireString(k, `${where}.key[${i}]`)) : [requireString(keyRaw, `${where}.key`)];
  if (key.length === 0) throw usageError('CONFIG_INVALID', `${where}.key is an empty list`, 'name the business key column(s)');
  const columns: Record<string, ColumnOverride> = {};
  if (t.columns !== undefined && t.columns !== null) {
    for (const [target, spec] of Object.entries(asObject(t.columns, `${where}.columns`))) {
      columns[target] = validateOverride(spec, `${where}.columns.${target}`);
    }
  }
  return {
    id,
    legacy: parseTableRef(t.legacy, `${where}.legacy`),
    target: parseTableRef(t.target, `${where}.target`),
    view: parseTableRef(t.view, `${where}.view`),
    key,
    // Without a cursor the table is backfilled in chunks of its key (backfill.slice: key).
    ...(t.cursor === undefined || t.cursor === null ? {} : { cursor: requireString(t.cursor, `${where}.cursor`) }),
    updatedAt: t.updated_at === undefined || t.updated_at === null ? undefined : requireString(t.updated_at, `${where}.updated_at`),
    legacyTimezone: validateZone(t.legacy_timezone, `${where}.legacy_timezone`),
    cursorUnit: validateCursorUnit(t.cursor_unit, `${where}.cursor_unit`),
    ...(validateCursorImmutable(t.cursor_immutable, `${where}.cursor_immutable`) ? { cursorImmutable: true } : {}),
    columns,
    verify: validateVerify(t.verify, `${where}.verify`),
    dlt: validateDlt(t.dlt, `${where}.dlt`),
    ...validateStrategy(t.strategy, t.staging_schema, where),
  };
}

/** `strategy: staging` backfills into a staging table, which `migrate promote` then moves into the target; default direct. */
function validateStrategy(strategy: unknown, schema: unknown, where: string): Pick<TableConfig, 'strategy' | 'stagingSchema'> {
  const out: Pick<TableConfig, 'strategy' | 'stagingSchema'> = {};
  if (strategy !== undefined && strategy !== null) {
    if (!STRATEGIES.includes(strategy as (typeof STRATEGIES)[number])) {
      throw usageError('CONFIG_INVALID', `${where}.strategy is ${JSON.stringify(strategy)}`, 'strategy: direct (default: slices write the target) or strategy: staging (slices write a staging table; migrate promote moves it into the target)');
    }
    if (strategy === 'staging') out.strategy = 'staging';
  }
  if (schema !== undefined && schema !== null) out.stagingSchema = requireString(schema, `${where}.staging_schema`);
  return out;
}

function validateCursorImmutable(raw: unknown, where: string): boolean {
  if (raw === undefined || raw === null) return false;
  if (typeof raw !== 'boolean') throw usageError('CONFIG_INVALID', `${where} is ${JSON.stringify(raw)}`, "write cursor_immutable: true only if a row's cursor never changes once written (created_at, an event date); default false");
  return raw;
}

function validateDlt(raw: unknown, where: string): { schemaName?: string } {
  if (raw === undefined || raw === null) return {};
  const d = asObject(raw, where);
  rejectUnknownKeys(d, ['schema_name'], where);
  return { schemaName: d.schema_name === undefined ? undefined : requireString(d.schema_name, `${where}.schema_name`) };
}

function validateZone(raw: unknown, where: string): string {
  if (raw === undefined || raw === null) return 'UTC';
  const zone = requireString(raw, where);
  if (!ZONE_NAME.test(zone)) throw usageError('CONFIG_INVALID', `${where} is "${zone}": not a time zone name`, 'write an IANA zone name, e.g. legacy_timezone: Europe/Berlin (default UTC)');
  return zone;
}

function validateCursorUnit(raw: unknown, where: string): CursorUnit | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!CURSOR_UNITS.includes(raw as CursorUnit)) {
    throw usageError('CONFIG_INVALID', `${where} is ${JSON.stringify(raw)}`, 'an integer epoch cursor counts s (seconds), ms or us since 1970-01-01 UTC, e.g. cursor_unit: s');
  }
  return raw as CursorUnit;
}

function validateVerify(raw: unknown, where: string): VerifySettings {
  if (raw === undefined || raw === null) return DEFAULT_VERIFY;
  const v = asObject(raw, where);
  rejectUnknownKeys(v, [...VERIFY_KEYS], where);
  const names = (value: unknown, key: string): string[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw usageError('CONFIG_INVALID', `${where}.${key} must be a list of target column names`, `e.g. ${key}: [amount]`);
    return value.map((c, i) => requireString(c, `${where}.${key}[${i}]`));
  };
  return {
    sums: names(v.sums, 'sums'),
    tolerance: v.tolerance === undefined || v.tolerance === null ? DEFAULT_VERIFY.tolerance : parseTolerance(v.tolerance, `${where}.tolerance`),
    ignore: names(v.ignore, 'ignore'),
  };
}

function validateOverride(spec: unknown, where: string): ColumnOverride {
  if (typeof spec === 'string') return { from: spec };
  const o = asObject(spec, where);
  rejectUnknownKeys(o, ['from', 'expr', 'type', 'allow_narrowing'], where);
  const from = o.from === undefined ? undefined : requireString(o.from, `${where}.from`);
  if (o.allow_narrowing !== undefined && typeof o.allow_narrowing !== 'boolean') throw usageError('CONFIG_INVALID', `${where}.allow_narrowing must be true or false`);
  const allowNarrowing = o.allow_narrowing === true ? true : undefined;
  const expr = o.expr === undefined ? undefined : requireString(o.expr, `${where}.expr`);
  const type = o.type === undefined ? undefined : requireString(o.type, `${where}.type`);
  if (from && expr) throw usageError('CONFIG_INVALID', `${where} has both from and expr`, 'use from for a legacy column, expr for an SQL expression');
  if (!from && !expr && !type && !allowNarrowing) throw usageError('CONFIG_INVALID', `${where} needs from, expr, type or allow_narrowing`);
  if (type !== undefined && !TYPE_NAME.test(type)) {
    throw usageError('CONFIG_INVALID', `${where}.type "${type}" is not a type name`, 'write a type such as decimal(12,2), varchar or timestamp');
  }
  return { from, expr, type, allowNarrowing };
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw usageError('CONFIG_INVALID', `${where} must be a mapping`, 'see README, "Config reference"');
  }
  return value as Record<string, unknown>;
}

function requireString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw usageError('CONFIG_INVALID', `${where} is missing or not a string`, 'see README, "Config reference"');
  }
  return value.trim();
}

function rejectUnknownKeys(obj: Record<string, unknown>, known: string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      throw usageError('CONFIG_INVALID', `${where} has an unknown key "${key}"`, `known keys: ${known.join(', ')}`);
    }
  }
}
