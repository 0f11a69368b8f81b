import type { TableRef } from '../../src/config/types';
import type { Connection, TableInfo } from '../types';
import { chooseRelation } from '../chooseRelation';

/**
 * Reads a table's columns and declared keys from information_schema and
 * duckdb_constraints(). Names are matched case-insensitively (as DuckDB resolves
 * them), spelled as written if several match (see chooseRelation), and returned as stored. All user input is bound, never spliced.
 */
export async function introspectDuckDb(conn: Connection, ref: TableRef): Promise<TableInfo | undefined> {
  const schemaFilter = ref.schema === undefined ? 'table_schema = current_schema()' : 'lower(table_schema) = lower($2)';
  const params = ref.schema === undefined ? [ref.name] : [ref.name, ref.schema];
  const found = await conn.query(
    `SELECT table_schema, table_name, table_type FROM information_schema.tables
      WHERE table_catalog = current_database() AND lower(table_name) = lower($1) AND ${schemaFilter}`,
    params,
  );
  const chosen = chooseRelation(found.map((r) => ({ schema: String(r.table_schema), name: String(r.table_name), type: String(r.table_type) })), ref);
  if (!chosen) return undefined;
  const { schema, name } = chosen;
  const columns = await conn.query(
    `SELECT column_name, data_type, is_nullable FROM information_schema.columns
      WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2
      ORDER BY ordinal_position`,
    [schema, name],
  );
  const constraints = await conn.query(
    `SELECT constraint_column_names AS cols FROM duckdb_constraints()
      WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2
        AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')`,
    [schema, name],
  );
  return {
    ref: { schema, name },
    kind: chosen.type.toUpperCase() === 'VIEW' ? 'view' : 'table',
    columns: columns.map((c) => ({ name: String(c.column_name), type: String(c.data_type), nullable: c.is_nullable === 'YES' })),
    uniqueKeys: constraints.map((c) => (c.cols as unknown[]).map(String)),
  };
}

export async function duckDbSchemaExists(conn: Connection, schema: string): Promise<boolean> {
  const rows = await conn.query(
    'SELECT 1 AS present FROM information_schema.schemata WHERE catalog_name = current_database() AND schema_name = $1',
    [schema],
  );
  return rows.length > 0;
}
