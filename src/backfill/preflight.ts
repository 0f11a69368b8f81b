import type { Connection } from '../../dialects/types';
import { readRows } from '../exec/read';
import { parseLedgerTime, type SliceRecord } from '../ledger/reads';
import { windowPredicate } from '../plan/windowPredicate';
import { type TableContext, rawKeyNotNull, renderFor } from '../plan/tableContext';
import type { SliceJob } from '../plan/types';
import type { Window } from './windows';

/** Keys legacy holds more than once (the slice keeps the latest row of each); 0 without a query when legacy declares the key unique. */
export async function duplicateKeys(conn: Connection, ctx: TableContext): Promise<{ keys: number; rows: number; tied: number }> {
  if (ctx.alignment.legacyKeyUnique) return { keys: 0, rows: 0, tied: 0 };
  const q = (name: string) => ctx.dialect.quoteIdent(name);
  const keys = ctx.alignment.key.map((k, i) => ({ raw: k.rawLegacySql!, alias: q(`_k${i}`) }));
  const order = [ctx.alignment.updatedAt, ctx.alignment.cursor].filter((c) => c !== undefined);
  const [row] = await readRows(
    conn,
    renderFor(ctx, 'legacy_duplicate_keys', {
      legacy: ctx.q.legacy,
      raw_key: keys.map((k) => k.raw).join(', '),
      key_aliased: keys.map((k) => `${k.raw} AS ${k.alias}`).join(', '),
      key_aliases: keys.map((k) => `r.${k.alias}`).join(', '),
      raw_key_not_null: rawKeyNotNull(ctx),
      rank: q('_theseus_rank'),
      // Without updated_at or a cursor every row of a key ties (ordered by the key, the same across the partition).
      latest_first: (order.length ? order : ctx.alignment.key.slice(0, 1)).map((c) => ctx.dialect.descNullsLast(c!.rawLegacySql!)).join(', '),
    }),
    `${ctx.table.id}: count the keys legacy holds more than once`,
  );
  return { keys: Number(row?.duplicate_keys ?? 0), rows: Number(row?.rows_with_duplicate_keys ?? 0), tied: Number(row?.tied_keys ?? 0) };
}

/**
 * Legacy rows per window, counted with the very predicate each slice reads
 * with (so an index on the cursor serves both), in batches of UNION ALL.
 */
export async function rowsPerWindow(conn: Connection, ctx: TableContext, windows: Window[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const BATCH = 100;
  for (let i = 0; i < windows.length; i += BATCH) {
    const parts = windows
      .slice(i, i + BATCH)
      .map((w) => renderFor(ctx, 'legacy_window_count', { label: ctx.dialect.stringLiteral(w.key), legacy: ctx.q.legacy, window: windowPredicate(ctx, w) }));
    for (const r of await readRows(conn, parts.join('\nUNION ALL\n'), `${ctx.table.id}: count legacy rows per window`)) counts.set(String(r.window_key), Number(r.legacy_rows));
  }
  return counts;
}

/** Legacy rows a second, from the slices the ledger has timed (done, with both timestamps); undefined before any. */
export function measuredRate(slices: SliceRecord[]): number | undefined {
  let rows = 0;
  let ms = 0;
  for (const s of slices) {
    const start = parseLedgerTime(s.startedAt);
    const end = parseLedgerTime(s.endedAt);
    if (s.status !== 'done' || start === undefined || end === undefined || s.legacyRows === null) continue;
    rows += s.legacyRows;
    ms += Math.max(1, end - start);
  }
  return ms > 0 && rows > 0 ? (rows * 1000) / ms : undefined;
}

/**
 * What a slice's statements would read, where the engine can say without running them (BigQuery's dry run, free):
 * the steps that bind nothing at run time (the upsert and its checks; the ledger's writes bind the run's values and
 * read next to nothing), and the check after commit where there is one. Undefined where the engine cannot estimate.
 */
export async function sliceBytes(conn: Connection, job: SliceJob): Promise<number | undefined> {
  if (!conn.estimate) return undefined;
  let bytes = 0;
  for (const step of [...job.slice.steps, ...(job.settle?.steps ?? [])]) {
    if (step.binds?.length) continue;
    bytes += (await conn.estimate(step.sql)).bytesProcessed;
  }
  return bytes;
}

/** On-demand query pricing per TiB read (BigQuery, US and EU multi-regions, 2026); other regions and editions differ. */
export const ON_DEMAND_USD_PER_TIB = 6.25;

/** Bytes as people read them (1,024-based, as BigQuery bills them). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
