import type { TableRef } from '../../src/config/types';
import type { Connection, TableInfo } from '../types';
import { chooseRelation } from '../chooseRelation';

/**
 * Reads a table's columns (COLUMN_TYPE, e.g. `int(10) unsigned`, `decimal(5,2)`)
 * and its unique indexes from information_schema. A schema is a database; an
 * unqualified name means the connection's database. Names match
 * case-insensitively, the one spelled as written if several do (see chooseRelation); everything the user wrote is bound.
 */
export async function introspectMysql(conn: Connection, ref: TableRef): Promise<TableInfo | undefined> {
  const found = await conn.query(
    `SELECT TABLE_SCHEMA AS schema_name, TABLE_NAME AS table_name, TABLE_TYPE AS table_type
       FROM information_schema.TABLES
      WHERE lower(TABLE_NAME) = lower(?) AND lower(TABLE_SCHEMA) = lower(coalesce(?, DATABASE()))`,
    [ref.name, ref.schema ?? null],
  );
  // Without a schema the connection's database is meant: spelled exactly, it is the schema as written.
  const [current] = ref.schema === undefined ? await conn.query('SELECT DATABASE() AS db') : [{ db: ref.schema }];
  const chosen = chooseRelation(
    found.map((r) => ({ schema: String(r.schema_name), name: String(r.table_name), type: String(r.table_type) })),
    { schema: current?.db == null ? undefined : String(current.db), name: ref.name },
  );
  if (!chosen) return undefined;
  const { schema, name } = chosen;
  const columns = await conn.query(
    `SELECT COLUMN_NAME AS column_name, COLUMN_TYPE AS column_type, IS_NULLABLE AS is_nullable
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, name],
  );
  const indexes = await conn.query(
    `SELECT INDEX_NAME AS index_name, COLUMN_NAME AS column_name
       FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 AND SUB_PART IS NULL
      ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [schema, name],
  );
  const byIndex = new Map<string, string[]>();
  for (const i of indexes) byIndex.set(String(i.index_name), [...(byIndex.get(String(i.index_name)) ?? []), String(i.column_name)]);
  return {
    ref: { schema, name },
    kind: /VIEW/i.test(chosen.type) ? 'view' : 'table',
    columns: columns.map((c) => ({ name: String(c.column_name), type: String(c.column_type), nullable: c.is_nullable === 'YES' })),
    uniqueKeys: [...byIndex.values()],
  };
}

export async function mysqlSchemaExists(conn: Connection, schema: string): Promise<boolean> {
  return (await conn.query('SELECT 1 AS present FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [schema])).length > 0;
}
