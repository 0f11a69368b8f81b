import type { TableRef } from '../../src/config/types';
import type { Connection, Dependent } from '../types';

/**
 * What reads or references a table. MySQL/MariaDB keep no view dependencies, but store each view's definition
 * with every table written out as `schema`.`table`, so a view reads the table when that text is in it; foreign
 * keys come from REFERENTIAL_CONSTRAINTS. Only the views the connecting user may see are listed.
 */
export async function mysqlDependents(conn: Connection, ref: Required<TableRef>): Promise<Dependent[]> {
  const tick = (name: string) => `\`${name.replace(/`/g, '``')}\``;
  const views = await conn.query(
    `SELECT TABLE_SCHEMA AS schema_name, TABLE_NAME AS name, DEFINER AS owner FROM information_schema.VIEWS
      WHERE LOCATE(?, VIEW_DEFINITION) > 0 ORDER BY 1, 2`,
    [`${tick(ref.schema)}.${tick(ref.name)}`],
  );
  const keys = await conn.query(
    `SELECT DISTINCT CONSTRAINT_SCHEMA AS schema_name, TABLE_NAME AS name FROM information_schema.REFERENTIAL_CONSTRAINTS
      WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ? AND NOT (CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?)
      ORDER BY 1, 2`,
    [ref.schema, ref.name, ref.schema, ref.name],
  );
  return [
    ...views.map((v) => ({ kind: 'view' as const, name: `${String(v.schema_name)}.${String(v.name)}`, owner: String(v.owner) })),
    ...keys.map((k) => ({ kind: 'foreign key' as const, name: `${String(k.schema_name)}.${String(k.name)}` })),
  ];
}
