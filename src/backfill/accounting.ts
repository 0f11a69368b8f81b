import type { Connection } from '../../dialects/types';
import { assertionError } from '../errors';
import type { SliceRecord } from '../ledger/reads';
import { type TableContext, legacyDaysSql, renderFor } from '../plan/tableContext';
import { legacyChunkIndexSql } from '../plan/windowPredicate';
import type { KeyChunk } from './keyChunks';
import { dayIndex, dayOf, monthOfDay } from '../verify/dayTotals';
import { type Window, parseWindowKey } from './windows';
import { readRows } from '../exec/read';
import { count } from '../plural';

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Before a backfill calls a table complete (and moves its phase), the legacy rows it holds accounted for
 * must be every legacy row there is: legacy's rows per UTC day are counted again, and each must lie in a done
 * window that counted at least as many rows when its slice ran. Otherwise (windows computed from a wrong
 * reading of the cursor, or rows written to legacy after their window was done) the run would report
 * "complete" with rows never copied.
 */
export async function assertRowsAccounted(conn: Connection, ctx: TableContext, slices: SliceRecord[]): Promise<void> {
  const done = slices.filter((s) => s.status === 'done');
  if (done.some((s) => parseWindowKey(s.windowKey)?.chunk)) return assertChunkRowsAccounted(conn, ctx, done);
  const windows = done.map((s) => parseWindowKey(s.windowKey)).filter((w): w is Window => w !== undefined);
  const perDay = new Map<number | null, number>();
  for (const r of await readRows(conn, legacyDaysSql(ctx), `${ctx.table.id}: count legacy rows per day, to check every one lies in a done window`)) perDay.set(dayOf(r), Number(r.row_count ?? 0));
  // Days no done window holds, whatever sizes the windows were done in (they may overlap).
  const covered = dayIndex(windows);
  const outside = new Map<string, number>();
  for (const [day, n] of perDay) if (!covered.has(day)) outside.set(monthOfDay(day), (outside.get(monthOfDay(day)) ?? 0) + n);
  // Each done window against the rows its own days hold now.
  const recorded = new Map(done.map((s) => [s.windowKey, s.legacyRows ?? 0]));
  const now = new Map<string, number>();
  for (const w of windows) {
    let n = 0;
    for (const day of dayIndex([w]).keys()) n += perDay.get(day) ?? 0;
    now.set(w.key, n);
  }
  const grown = [...now].filter(([key, n]) => n > (recorded.get(key) ?? 0)).map(([key, n]) => [key, n - (recorded.get(key) ?? 0)] as const);
  const missing = [...outside.values(), ...grown.map(([, n]) => n)].reduce((a, b) => a + b, 0);
  if (missing === 0) return;
  const parts = [
    ...[...outside].sort(([a], [b]) => a.localeCompare(b)).map(([m, n]) => `${fmt(n)} in ${m}, in no done window`),
    ...grown.map(([key, n]) => `${fmt(n)} more in ${key} than its slice counted`),
  ];
  throw assertionError(
    'ROWS_UNACCOUNTED',
    `${ctx.table.id}: the windows look complete, but ${count(missing, 'legacy row is', 'legacy rows are')} not accounted for: ${parts.slice(0, 6).join('; ')}`,
    `the phase was not changed; legacy changed after its windows were done (backfill --all --rerun copies the rows, re-running the windows named), or the cursor is read wrongly (check cursor:, cursor_unit: and legacy_timezone: in the config)`,
  );
}

/**
 * slice: key: legacy's rows are counted per chunk, with the chunks' own predicates in one pass, and each chunk must
 * hold no more rows now than its slice counted: a row that arrived after its chunk was done (a late key in the last,
 * open range; a key filling a gap) is named with its chunk. The chunks cover every key (planned whole, completed
 * from the ledger), so no row can lie in none.
 */
async function assertChunkRowsAccounted(conn: Connection, ctx: TableContext, done: SliceRecord[]): Promise<void> {
  const chunks = done.map((s) => ({ record: s, chunk: parseWindowKey(s.windowKey)?.chunk })).filter((c): c is { record: SliceRecord; chunk: KeyChunk } => c.chunk !== undefined);
  const sql = renderFor(ctx, 'legacy_chunk_counts', { chunk: legacyChunkIndexSql(ctx, chunks.map((c) => c.chunk)), legacy: ctx.q.legacy });
  const now = new Map<number, number>();
  for (const r of await readRows(conn, sql, `${ctx.table.id}: count legacy rows per chunk, to check each done chunk counted them all`)) {
    if (r.chunk_index !== null && r.chunk_index !== undefined) now.set(Number(r.chunk_index), Number(r.legacy_rows ?? 0));
  }
  const grown = chunks
    .map(({ record, chunk }) => ({ key: record.windowKey, more: (now.get(chunk.index) ?? 0) - (record.legacyRows ?? 0) }))
    .filter((g) => g.more > 0);
  const missing = grown.reduce((n, g) => n + g.more, 0);
  if (missing === 0) return;
  throw assertionError(
    'ROWS_UNACCOUNTED',
    `${ctx.table.id}: the chunks look complete, but ${count(missing, 'legacy row is', 'legacy rows are')} not accounted for: ${grown.slice(0, 6).map((g) => `${fmt(g.more)} more in ${g.key} than its slice counted`).join('; ')}`,
    `the phase was not changed; legacy gained rows after their chunk was done: migrate backfill --chunk N copies a chunk again (backfill --all --rerun: every one)`,
  );
}
