import type { TableRef } from '../../src/config/types';
import { usageError } from '../../src/errors';
import type { Connection, TableInfo } from '../types';
import { chooseRelation } from '../chooseRelation';
import { locationOf, quoteBacktick, regionInformationSchema } from './literals';

/** A table's dataset: the config's, else the connection's default `dataset:`. */
function datasetOf(conn: Connection, ref: TableRef): string {
  const dataset = ref.schema ?? (conn.facts?.dataset === undefined ? undefined : String(conn.facts.dataset));
  if (!dataset) throw usageError('CONFIG_INVALID', `${ref.name} names no dataset, and connection: sets none`, 'write it as dataset.table, or set dataset: in connection:');
  return dataset;
}

/** BigQuery answers a query on a dataset that does not exist with "Not found: Dataset …". */
const datasetMissing = (err: unknown) => /Not found: Dataset/i.test(err instanceof Error ? err.message : String(err));

/**
 * Reads a table's or view's columns from its dataset's INFORMATION_SCHEMA, with the names as BigQuery stores them.
 * Table names are case-sensitive unless the dataset says otherwise, so the config's spelling is taken as written
 * first, else a single case-insensitive match (chooseRelation). Everything the user wrote is bound, never spliced,
 * except the dataset, which a query cannot bind and which is quoted instead.
 *
 * No unique keys are reported: BigQuery's PRIMARY KEY is NOT ENFORCED, so a declared key may hold duplicates.
 */
export async function introspectBigQuery(conn: Connection, ref: TableRef): Promise<TableInfo | undefined> {
  const dataset = datasetOf(conn, ref);
  const ds = quoteBacktick(dataset);
  let found;
  try {
    found = await conn.query(`SELECT table_name, table_type FROM ${ds}.INFORMATION_SCHEMA.TABLES WHERE LOWER(table_name) = LOWER(?)`, [ref.name]);
  } catch (err) {
    if (datasetMissing(err)) return undefined;
    throw err;
  }
  const candidates = found.map((r) => ({ schema: dataset, name: String(r.table_name), type: String(r.table_type) }));
  const chosen = candidates.find((c) => c.name === ref.name) ?? chooseRelation(candidates, { ...ref, schema: dataset });
  if (!chosen) return undefined;
  const columns = await conn.query(`SELECT column_name, data_type, is_nullable FROM ${ds}.INFORMATION_SCHEMA.COLUMNS WHERE table_name = ? ORDER BY ordinal_position`, [chosen.name]);
  return {
    ref: { schema: dataset, name: chosen.name },
    kind: /VIEW/i.test(chosen.type) ? 'view' : 'table',
    columns: columns.map((c) => ({ name: String(c.column_name), type: String(c.data_type), nullable: c.is_nullable === 'YES' })),
    uniqueKeys: [],
  };
}

/** The state dataset exists: asked of the location's SCHEMATA, since a dataset's own INFORMATION_SCHEMA fails when it does not. */
export async function bigquerySchemaExists(conn: Connection, schema: string): Promise<boolean> {
  return (await conn.query(`SELECT 1 AS present FROM ${regionInformationSchema(locationOf(conn))}.SCHEMATA WHERE schema_name = ?`, [schema])).length > 0;
}
