import type { Connection, Dialect } from '../../dialects/types';
import type { TableConfig, TableRef } from '../config/types';
import { formatTableRef } from '../config/tableRef';
import { usageError } from '../errors';
import { readRows } from '../exec/read';
import { renderStatement } from '../sql/template';
import { type StoredSchema, decodeStoredSchema } from './storedSchema';
import { type DltTableHints, dltTableHints } from './tableHints';
import { introspectRelation } from '../reads/catalogSnapshot';

/**
 * Columns of one of dlt's own tables, quoted as dlt stored them, as template variables (`c_load_id`, …). dlt names
 * a dataset's tables and columns by one convention, so the table's stored name tells the columns' case: Snowflake's
 * default naming makes `_DLT_LOADS` with `LOAD_ID`, its case-sensitive naming and the other engines `_dlt_loads`
 * with `load_id`. Quoting a guessed case would miss one of them; leaving names unquoted would miss the lower-case
 * one on Snowflake (which reads `version` as VERSION).
 */
export function dltColumns(dialect: Dialect, table: TableRef, names: readonly string[]): Record<string, string> {
  const upper = table.name === table.name.toUpperCase() && table.name !== table.name.toLowerCase();
  return Object.fromEntries(names.map((n) => [`c_${n}`, dialect.quoteIdent(upper ? n.toUpperCase() : n)]));
}

/** dlt's bookkeeping tables, in the target's dataset (schema). */
export const DLT_LOADS = '_dlt_loads';
export const DLT_VERSION = '_dlt_version';

/**
 * What a dlt dataset holding the target says about it: where loads are
 * registered, under which dlt schema (name and version hash), and the ids of
 * the loads already there. Read, never written (but for the load row itself).
 */
export interface DltDataset {
  /** `_dlt_loads` in the target's schema, qualified and quoted; undefined where the dataset has none. */
  loads?: { ref: TableRef; q: string };
  /** The dlt schema the target belongs to: the newest `_dlt_version` row whose stored schema holds the table. */
  schemaName?: string;
  versionHash?: string;
  /** That stored schema, decoded, and what it says about the target. */
  schema?: StoredSchema;
  hints?: DltTableHints;
  /** load_id of every load already registered. */
  loadIds: string[];
}

/** Reads the target's dataset: `_dlt_loads` and `_dlt_version` beside it (none: an empty description). */
export async function readDltDataset(conn: Connection, dialect: Dialect, table: TableConfig, target: TableRef): Promise<DltDataset> {
  const inTarget = (name: string): TableRef => (target.schema === undefined ? { name } : { schema: target.schema, name });
  const loads = await introspectRelation(dialect, conn, inTarget(DLT_LOADS));
  const version = await introspectRelation(dialect, conn, inTarget(DLT_VERSION));
  const dataset: DltDataset = { loadIds: [] };
  if (loads) {
    dataset.loads = { ref: loads.ref, q: dialect.qualify(loads.ref) };
    const rows = await readRows(conn, renderStatement(dialect.templates, 'dlt_load_ids', { loads: dataset.loads.q, ...dltColumns(dialect, loads.ref, ['load_id']) }), `${table.id}: read the load ids of ${formatTableRef(loads.ref)}`);
    dataset.loadIds = rows.map((r) => String(r.load_id));
  }
  if (version) {
    const versions = dialect.qualify(version.ref);
    const names = { versions, ...dltColumns(dialect, version.ref, ['schema_name', 'version_hash', 'version', 'inserted_at', 'schema']), p1: dialect.placeholder(1), p2: dialect.placeholder(2) };
    const rows = await readRows(conn, renderStatement(dialect.templates, 'dlt_versions', names), `${table.id}: list dlt's stored schemas in ${formatTableRef(version.ref)}`);
    const wanted = table.dlt.schemaName;
    // A dataset keeps every version of every schema, each a whole JSON document: only the newest are read, one by one.
    const seen = new Set<string>();
    for (const row of rows) {
      const name = String(row.schema_name);
      if ((wanted !== undefined && name !== wanted) || seen.has(name)) continue;
      seen.add(name);
      const hash = row.version_hash == null ? null : String(row.version_hash);
      const [text] = await readRows(conn, renderStatement(dialect.templates, 'dlt_version_schema', names), `${table.id}: read dlt's stored schema ${name}`, [name, hash]);
      const schema = decodeStoredSchema(String(text?.stored_schema ?? ''));
      if (!schema || !Object.keys(schema.tables).some((t) => t.toLowerCase() === target.name.toLowerCase())) continue;
      Object.assign(dataset, { schemaName: name, versionHash: hash ?? undefined, schema, hints: dltTableHints(schema, target.name) });
      break;
    }
    if (wanted !== undefined && dataset.schemaName === undefined) {
      throw usageError('DLT_SCHEMA_NOT_FOUND', `tables.${table.id}.dlt.schema_name is "${wanted}", but ${formatTableRef(version.ref)} holds no stored schema of that name with table ${target.name}`, `the schema names there: ${[...new Set(rows.map((r) => String(r.schema_name)))].sort().join(', ') || 'none'}`);
    }
  }
  if (dataset.loads && dataset.schemaName === undefined && table.dlt.schemaName !== undefined) dataset.schemaName = table.dlt.schemaName;
  return dataset;
}
