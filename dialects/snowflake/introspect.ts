import type { TableRef } from '../../src/config/types';
import type { Connection, TableInfo } from '../types';
import { chooseRelation } from '../chooseRelation';
import { columnType } from './typeNames';

/**
 * Reads a table's or view's columns from the current database's
 * INFORMATION_SCHEMA, with the names exactly as Snowflake stores them. A
 * config name is matched the way Snowflake resolves it: as written (a quoted
 * name), else upper-cased (an unquoted one: `orders` finds ORDERS), else
 * case-insensitively when only one table matches (see chooseRelation).
 * Everything the user wrote is bound, never spliced.
 *
 * No unique keys are reported: Snowflake declares PRIMARY KEY and UNIQUE but
 * never enforces them, so a declared key may hold duplicates. Trusting one
 * would skip the de-duplication of a slice's source, and the MERGE would then
 * fail ("Duplicate row detected during DML action") or insert a key twice.
 */
export async function introspectSnowflake(conn: Connection, ref: TableRef): Promise<TableInfo | undefined> {
  const found = await conn.query(
    `SELECT TABLE_SCHEMA AS schema_name, TABLE_NAME AS table_name, TABLE_TYPE AS table_type
       FROM INFORMATION_SCHEMA.TABLES
      WHERE UPPER(TABLE_NAME) = UPPER(?) AND UPPER(TABLE_SCHEMA) = UPPER(COALESCE(?, CURRENT_SCHEMA()))`,
    [ref.name, ref.schema ?? null],
  );
  const candidates = found.map((r) => ({ schema: String(r.schema_name), name: String(r.table_name), type: String(r.table_type) }));
  const chosen = resolveAsSnowflakeDoes(candidates, ref);
  if (!chosen) return undefined;
  const { schema, name } = chosen;
  const columns = await conn.query(
    `SELECT COLUMN_NAME AS column_name, DATA_TYPE AS data_type, IS_NULLABLE AS is_nullable,
            CHARACTER_MAXIMUM_LENGTH AS char_length, NUMERIC_PRECISION AS numeric_precision,
            NUMERIC_SCALE AS numeric_scale, DATETIME_PRECISION AS datetime_precision
       FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, name],
  );
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    ref: { schema, name },
    kind: /VIEW/i.test(chosen.type) ? 'view' : 'table',
    columns: columns.map((c) => ({
      name: String(c.column_name),
      type: columnType({ dataType: String(c.data_type), charLength: n(c.char_length), numericPrecision: n(c.numeric_precision), numericScale: n(c.numeric_scale), datetimePrecision: n(c.datetime_precision) }),
      nullable: c.is_nullable === 'YES',
    })),
    uniqueKeys: [],
  };
}

/** Exactly as written (a quoted name), else as an unquoted name resolves (upper case), else chooseRelation's rules. */
export function resolveAsSnowflakeDoes<T extends { schema: string; name: string }>(found: T[], ref: TableRef): T | undefined {
  const schemaOk = (f: T, fold: (s: string) => string) => ref.schema === undefined || f.schema === fold(ref.schema);
  const exact = found.find((f) => f.name === ref.name && schemaOk(f, (s) => s));
  if (exact) return exact;
  const unquoted = found.filter((f) => f.name === ref.name.toUpperCase() && schemaOk(f, (s) => s.toUpperCase()));
  if (unquoted.length === 1) return unquoted[0];
  return chooseRelation(found, ref);
}

export async function snowflakeSchemaExists(conn: Connection, schema: string): Promise<boolean> {
  return (await conn.query('SELECT 1 AS present FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME = ?', [schema])).length > 0;
}
