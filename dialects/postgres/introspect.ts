import type { TableRef } from '../../src/config/types';
import type { Connection, TableInfo } from '../types';
import { quoteDouble } from '../ansi';
import { chooseRelation } from '../chooseRelation';

/**
 * Reads a table's or view's columns (with types as format_type spells them,
 * e.g. numeric(12,2), so they can be used in a CAST) and its unique indexes
 * (any full, non-partial unique index can serve ON CONFLICT). Names match
 * case-insensitively, the one spelled as written if several do (see chooseRelation); everything the user wrote is bound.
 */
export async function introspectPostgres(conn: Connection, ref: TableRef): Promise<TableInfo | undefined> {
  const found = await conn.query(
    `SELECT c.oid::bigint AS oid, n.nspname AS schema_name, c.relname AS table_name, c.relkind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE lower(c.relname) = lower($1) AND c.relkind IN ('r', 'p', 'v', 'm')
        AND ${ref.schema === undefined ? 'n.nspname = current_schema()' : 'lower(n.nspname) = lower($2)'}`,
    ref.schema === undefined ? [ref.name] : [ref.name, ref.schema],
  );
  const chosen = chooseRelation(
    found.map((r) => ({ schema: String(r.schema_name), name: String(r.table_name), oid: String(r.oid), relkind: String(r.relkind) })),
    ref,
  );
  if (!chosen) return undefined;
  const oid = chosen.oid;
  const columns = await conn.query(
    `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type, NOT a.attnotnull AS nullable
       FROM pg_attribute a
      WHERE a.attrelid = $1::bigint::oid AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [oid],
  );
  const unique = await conn.query(
    `SELECT array_agg(a.attname::text ORDER BY k.ord) AS cols
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1::bigint::oid AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY i.indexrelid`,
    [oid],
  );
  return {
    ref: { schema: chosen.schema, name: chosen.name },
    kind: chosen.relkind === 'v' || chosen.relkind === 'm' ? 'view' : 'table',
    columns: columns.map((c) => ({ name: String(c.column_name), type: String(c.data_type), nullable: Boolean(c.nullable) })),
    uniqueKeys: unique.map((u) => (u.cols as unknown[]).map(String)),
  };
}

export async function postgresSchemaExists(conn: Connection, schema: string): Promise<boolean> {
  return (await conn.query('SELECT 1 AS present FROM pg_namespace WHERE nspname = $1', [schema])).length > 0;
}

/**
 * GRANT statements that give back what others hold on a view, so a view that
 * must be dropped and created again (its columns changed) keeps its readers.
 */
export async function postgresViewGrants(conn: Connection, ref: TableRef): Promise<string[]> {
  const rows = await conn.query(
    `SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee, a.is_grantable
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL aclexplode(c.relacl) AS a
      WHERE c.relname = $1 AND n.nspname = coalesce($2, current_schema()) AND c.relkind = 'v' AND a.grantee <> c.relowner
      ORDER BY 2, 1`,
    [ref.name, ref.schema ?? null],
  );
  const view = ref.schema ? `${quoteDouble(ref.schema)}.${quoteDouble(ref.name)}` : quoteDouble(ref.name);
  return rows.map((r) => {
    const grantee = r.grantee === null ? 'PUBLIC' : quoteDouble(String(r.grantee));
    const privilege = String(r.privilege_type).replace(/[^A-Z ]/g, '');
    return `GRANT ${privilege} ON ${view} TO ${grantee}${r.is_grantable ? ' WITH GRANT OPTION' : ''}`;
  });
}
