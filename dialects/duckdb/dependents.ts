import type { TableRef } from '../../src/config/types';
import type { Connection, Dependent } from '../types';
import { escapeRegExp } from '../../src/escapeRegExp';

/** An identifier as DuckDB may have written it in a view's stored SQL: bare, or double-quoted. */
const identifier = (name: string) => `(?:"${escapeRegExp(name.replace(/"/g, '""'))}"|${escapeRegExp(name)})`;

/**
 * What reads or references a table. DuckDB binds a view's names when it is queried and records no dependency, so
 * a view reads the table when its stored SQL names it: schema-qualified anywhere, or bare from a view in the same
 * schema (case-insensitive, as DuckDB resolves names). A name that only looks like the table (a column or alias
 * spelled the same in a view of that schema) is listed too: the check errs on the side of naming one too many.
 */
export async function duckDbDependents(conn: Connection, ref: Required<TableRef>): Promise<Dependent[]> {
  const qualified = new RegExp(`(?<![\\w"])${identifier(ref.schema)}\\s*\\.\\s*${identifier(ref.name)}(?![\\w"])`, 'i');
  const bare = new RegExp(`(?<![\\w."])${identifier(ref.name)}(?![\\w"])`, 'i');
  const views = await conn.query(`SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal AND database_name = current_database() ORDER BY 1, 2`);
  const reading = views.filter((v) => {
    const sql = String(v.sql).replace(/^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\S*\s+)?VIEW\s+\S+\s+AS\s+/i, '');
    return qualified.test(sql) || (String(v.schema_name).toLowerCase() === ref.schema.toLowerCase() && bare.test(sql));
  });
  const keys = await conn.query(
    `SELECT DISTINCT schema_name, table_name FROM duckdb_constraints()
      WHERE constraint_type = 'FOREIGN KEY' AND database_name = current_database()
        AND lower(schema_name) = lower($1) AND lower(referenced_table) = lower($2) AND lower(table_name) <> lower($2)
      ORDER BY 1, 2`,
    [ref.schema, ref.name],
  );
  return [
    ...reading.map((v) => ({ kind: 'view' as const, name: `${String(v.schema_name)}.${String(v.view_name)}` })),
    ...keys.map((k) => ({ kind: 'foreign key' as const, name: `${String(k.schema_name)}.${String(k.table_name)}` })),
  ];
}
