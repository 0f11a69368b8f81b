import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { usageError } from '../errors';
import { interpolateEnv } from './interpolate';
import { parseTableRef } from './tableRef';
import type { ColumnOverride, Config, TableConfig } from './types';

const KNOWN_TOP_KEYS = ['dialect', 'connection', 'state_schema', 'tables'];
const KNOWN_TABLE_KEYS = ['legacy', 'target', 'view', 'key', 'cursor', 'updated_at', 'columns'];
/** A type name as written in SQL: words, optional (p) or (p, s), optional []. Nothing else reaches a CAST. */
const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$/;

/** Reads, interpolates and validates a config file (YAML, or JSON which YAML also reads). */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw usageError('CONFIG_UNREADABLE', `config file ${absolute} ${reason}`, 'pass --config FILE or create migrate.yaml (see README, "Config reference")');
  }
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw usageError('CONFIG_UNREADABLE', `config file ${absolute} is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`, 'fix the syntax at the position named');
  }
  return validateConfig(raw, absolute, env);
}

export function validateConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const where = path.basename(file);
  const top = asObject(raw, where);
  rejectUnknownKeys(top, KNOWN_TOP_KEYS, where);

  const dialect = requireString(top.dialect, `${where}: dialect`);
  const connectionRaw = requireString(top.connection, `${where}: connection`);
  let connection = interpolateEnv(connectionRaw, env, `${where}: connection`);
  if (dialect === 'duckdb' && connection !== ':memory:' && !path.isAbsolute(connection)) {
    // A DuckDB path is relative to the config file, so the config means the same thing from any directory.
    connection = path.resolve(path.dirname(file), connection);
  }
  const stateSchema = top.state_schema === undefined ? '_migrate' : requireString(top.state_schema, `${where}: state_schema`);

  const tablesRaw = asObject(top.tables, `${where}: tables`);
  const tables = Object.entries(tablesRaw).map(([id, value]) => validateTable(id, value, `${where}: tables.${id}`));
  if (tables.length === 0) throw usageError('CONFIG_INVALID', `${where}: tables is empty`, 'add at least one table (see README, "Config reference")');

  return { file, dialect, connection, stateSchema, tables };
}

function validateTable(id: string, value: unknown, where: string): TableConfig {
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
    cursor: requireString(t.cursor, `${where}.cursor`),
    updatedAt: t.updated_at === undefined || t.updated_at === null ? undefined : requireString(t.updated_at, `${where}.updated_at`),
    columns,
  };
}

function validateOverride(spec: unknown, where: string): ColumnOverride {
  if (typeof spec === 'string') return { from: spec };
  const o = asObject(spec, where);
  rejectUnknownKeys(o, ['from', 'expr', 'type'], where);
  const from = o.from === undefined ? undefined : requireString(o.from, `${where}.from`);
  const expr = o.expr === undefined ? undefined : requireString(o.expr, `${where}.expr`);
  const type = o.type === undefined ? undefined : requireString(o.type, `${where}.type`);
  if (from && expr) throw usageError('CONFIG_INVALID', `${where} has both from and expr`, 'use from for a legacy column, expr for an SQL expression');
  if (!from && !expr && !type) throw usageError('CONFIG_INVALID', `${where} needs from, expr or type`);
  if (type !== undefined && !TYPE_NAME.test(type)) {
    throw usageError('CONFIG_INVALID', `${where}.type "${type}" is not a type name`, 'write a type such as decimal(12,2), varchar or timestamp');
  }
  return { from, expr, type };
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
