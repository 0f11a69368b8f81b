import type { TableRef } from '../../src/config/types';
import type { Connection, Dependent } from '../types';
import { viewMentions } from '../viewMentions';

/**
 * What reads or references a table on Snowflake: the current database's views (and materialized views) whose
 * stored SQL names it (INFORMATION_SCHEMA keeps no dependencies; see viewMentions), with their owners, and the
 * foreign keys declared on it (never enforced, but a rename leaves them pointing at the archive). Only what the
 * role may see is listed.
 */
export async function snowflakeDependents(conn: Connection, ref: Required<TableRef>): Promise<Dependent[]> {
  const views = await conn.query(
    `SELECT v.TABLE_SCHEMA AS schema_name, v.TABLE_NAME AS name, v.TABLE_OWNER AS owner, v.VIEW_DEFINITION AS definition, t.TABLE_TYPE AS table_type
       FROM INFORMATION_SCHEMA.VIEWS AS v
       JOIN INFORMATION_SCHEMA.TABLES AS t ON t.TABLE_SCHEMA = v.TABLE_SCHEMA AND t.TABLE_NAME = v.TABLE_NAME
      WHERE CONTAINS(UPPER(v.VIEW_DEFINITION), UPPER(?))
      ORDER BY 1, 2`,
    [ref.name],
  );
  const keys = await conn.query(
    `SELECT DISTINCT f.TABLE_SCHEMA AS schema_name, f.TABLE_NAME AS name
       FROM INFORMATION_SCHEMA.REFERENTIAL_CONSTRAINTS AS r
       JOIN INFORMATION_SCHEMA.TABLE_CONSTRAINTS AS f ON f.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND f.CONSTRAINT_NAME = r.CONSTRAINT_NAME
       JOIN INFORMATION_SCHEMA.TABLE_CONSTRAINTS AS p ON p.CONSTRAINT_SCHEMA = r.UNIQUE_CONSTRAINT_SCHEMA AND p.CONSTRAINT_NAME = r.UNIQUE_CONSTRAINT_NAME
      WHERE p.TABLE_SCHEMA = ? AND p.TABLE_NAME = ? AND NOT (f.TABLE_SCHEMA = ? AND f.TABLE_NAME = ?)
      ORDER BY 1, 2`,
    [ref.schema, ref.name, ref.schema, ref.name],
  );
  return [
    ...views
      .filter((v) => viewMentions(String(v.definition ?? ''), ref))
      .map((v) => ({
        kind: /MATERIALIZED/i.test(String(v.table_type ?? '')) ? ('materialized view' as const) : ('view' as const),
        name: `${String(v.schema_name)}.${String(v.name)}`,
        ...(v.owner == null ? {} : { owner: String(v.owner) }),
      })),
    ...keys.map((k) => ({ kind: 'foreign key' as const, name: `${String(k.schema_name)}.${String(k.name)}` })),
  ];
}
