import type { Connection, Dialect } from '../../dialects/types';
import type { TableRef } from '../config/types';
import { formatTableRef } from '../config/tableRef';
import { readRows } from '../exec/read';
import { renderStatement } from '../sql/template';
import { decodeDltJson } from './storedSchema';
import { dltColumns } from './dataset';
import { introspectRelation } from '../reads/catalogSnapshot';

/** dlt's pipeline state table, beside its loads. Theseus reads it and never writes it. */
export const DLT_PIPELINE_STATE = '_dlt_pipeline_state';

/** Where a live pipeline's incremental on the target's cursor stands: its last_value, as dlt stored it. */
export interface LiveIncremental {
  pipeline: string;
  lastValue: string;
}

/** The newest state rows read: one per pipeline is needed, and a dataset rarely holds more than a few pipelines. */
const NEWEST_STATES = 20;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const entry = (o: Json, name: string) => Object.entries(o).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

/**
 * The incremental of the resource loading `table` on `cursor`, from the
 * newest state of each pipeline in the target's dataset
 * (sources.<source>.resources.<table>.incremental.<cursor>.last_value, the
 * state base64 of zlib-compressed JSON); undefined where no state says so.
 * Only for a warning: a state of another shape is passed over.
 */
export async function readLiveIncremental(conn: Connection, dialect: Dialect, target: TableRef, table: string, cursor: string): Promise<LiveIncremental | undefined> {
  const info = await introspectRelation(dialect, conn, target.schema === undefined ? { name: DLT_PIPELINE_STATE } : { schema: target.schema, name: DLT_PIPELINE_STATE });
  const has = (name: string) => info?.columns.some((c) => c.name.toLowerCase() === name);
  if (!info || !['pipeline_name', 'state', 'created_at', 'version'].every(has)) return undefined;
  const sql = renderStatement(dialect.templates, 'dlt_pipeline_states', {
    states: dialect.qualify(info.ref),
    ...dltColumns(dialect, info.ref, ['pipeline_name', 'state', 'created_at', 'version']),
    limit: String(NEWEST_STATES),
  });
  const seen = new Set<string>();
  for (const row of await readRows(conn, sql, `read dlt's pipeline state in ${formatTableRef(info.ref)}`)) {
    const pipeline = String(row.pipeline_name);
    if (seen.has(pipeline)) continue;
    seen.add(pipeline);
    const state = decodeDltJson(String(row.state ?? ''));
    const sources = isObject(state) && isObject(state.sources) ? Object.values(state.sources) : [];
    for (const source of sources) {
      const resource = isObject(source) && isObject(source.resources) ? entry(source.resources, table) : undefined;
      const incremental = isObject(resource) && isObject(resource.incremental) ? entry(resource.incremental, cursor) : undefined;
      const last = isObject(incremental) ? incremental.last_value : undefined;
      if (typeof last === 'string' || typeof last === 'number') return { pipeline, lastValue: String(last) };
    }
  }
  return undefined;
}
