import { typeShape } from '../align/narrowing';
import { usageError } from '../errors';
import { readRows } from '../exec/read';
import type { SliceRecord } from '../ledger/reads';
import type { PlanningReads } from '../reads/planningReads';
import { type TableContext, renderFor } from '../plan/tableContext';
import { bucketChunks, bucketCount, chunkKey, completePlan, rangeChunks } from './keyChunks';
import type { LegacyProfile } from './profile';
import { type Window, parseWindowKey } from './windows';

/** A whole-number type on both sides (an integer, or a decimal without a scale): its key can be cut into ranges. */
function integral(type: string | undefined, ctx: TableContext): boolean {
  if (!type) return false;
  const shape = typeShape(type, ctx.dialect);
  return shape.kind === 'integer' || (shape.kind === 'decimal' && shape.scale === 0 && Number.isFinite(shape.precision));
}

/** How a table's key is chunked: ranges of a single integer key, hash buckets of any other. */
export function chunkingOf(ctx: TableContext): 'range' | 'bucket' {
  const [k, ...more] = ctx.alignment.key;
  return more.length === 0 && integral(k.rawType, ctx) && integral(k.target.type, ctx) ? 'range' : 'bucket';
}

/** The chunks the ledger has for the table (the plan its first key-sliced run made), in chunk order. */
export function recordedChunks(slices: SliceRecord[]): Window[] {
  return slices
    .map((s) => parseWindowKey(s.windowKey))
    .filter((w): w is Window => w?.chunk !== undefined)
    .sort((a, b) => a.chunk!.index - b.chunk!.index);
}

/**
 * The table's chunks: the ledger's, once a run planned them (resume, --rerun and verify then meet the same chunks),
 * with any gap between them made a chunk of its own (completePlan);
 * otherwise planned now from legacy's keys: the inner bounds of about `chunkRows` keys each for ranges (read from
 * the key's distribution), or as many hash buckets as hold about `chunkRows` keys each.
 */
export async function tableChunks(reads: PlanningReads, ctx: TableContext, profile: LegacyProfile, slices: SliceRecord[], chunkRows: number): Promise<Window[]> {
  const recorded = recordedChunks(slices);
  if (recorded.length) return completePlan(ctx.table.id, recorded.map((w) => w.chunk!)).map((c) => ({ key: chunkKey(c), chunk: c }));
  if (chunkingOf(ctx) === 'bucket') return bucketChunks(bucketCount(profile.totalRows - profile.nullKeyRows, chunkRows)).map((c) => ({ key: chunkKey(c), chunk: c }));
  const sql = renderFor(ctx, 'key_chunk_bounds', { key: ctx.alignment.key[0].rawLegacySql, legacy: ctx.q.legacy, chunk_rows: String(chunkRows) });
  const bounds = await reads.dataCheck(ctx.table.id, "legacy's keys in order, every chunk_rows-th a chunk's bound", async (conn) =>
    (await readRows(conn, sql, `${ctx.table.id}: plan the key chunks from legacy's keys`)).map((r) => String(r.k)),
  );
  if (bounds === undefined) {
    throw usageError('CATALOG_INCOMPLETE', `${ctx.table.id}: slice: key plans its chunks from legacy's keys, which a catalog does not hold`, 'plan against the warehouse once (a backfill records the chunks in the ledger), then plan offline from a catalog taken after');
  }
  return rangeChunks(bounds).map((c) => ({ key: chunkKey(c), chunk: c }));
}
