import type { TableRef } from '../../src/config/types';
import type { Connection, Dependent } from '../types';
import { viewMentions } from '../viewMentions';
import { locationOf, regionInformationSchema } from './literals';

/**
 * What reads a table on BigQuery: the views and materialized views of the connection's location whose stored SQL
 * names it (BigQuery keeps no dependencies; see viewMentions). BigQuery has no enforced foreign keys, and records no
 * owner of a view. Only what the credentials may see is listed.
 */
export async function bigqueryDependents(conn: Connection, ref: Required<TableRef>): Promise<Dependent[]> {
  const schema = regionInformationSchema(locationOf(conn));
  const views = await conn.query(
    `SELECT table_schema AS schema_name, table_name AS name, view_definition AS definition, 'view' AS kind
       FROM ${schema}.VIEWS WHERE STRPOS(LOWER(view_definition), LOWER(?)) > 0
     UNION ALL
     SELECT table_schema, table_name, ddl, 'materialized view'
       FROM ${schema}.TABLES WHERE table_type = 'MATERIALIZED VIEW' AND STRPOS(LOWER(ddl), LOWER(?)) > 0
     ORDER BY 1, 2`,
    [ref.name, ref.name],
  );
  return views
    .filter((v) => viewMentions(String(v.definition ?? ''), ref))
    .map((v) => ({ kind: v.kind === 'materialized view' ? ('materialized view' as const) : ('view' as const), name: `${String(v.schema_name)}.${String(v.name)}` }));
}
