import type { Connection } from '../../dialects/types';
import { assertionError } from '../errors';
import type { SliceRecord } from '../ledger/reads';
import { type TableContext, legacyDaysSql, rawKeyNotNull, renderFor } from '../plan/tableContext';
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
 * slice: key: the chunks cover every key (ranges open at both ends, or every hash bucket), so a legacy row can only be
 * unaccounted for by arriving after its chunk was done: legacy's keyed rows now must not outnumber what the done
 * chunks counted when their slices ran.
 */
async function assertChunkRowsAccounted(conn: Connection, ctx: TableContext, done: SliceRecord[]): Promise<void> {
  const sql = renderFor(ctx, 'legacy_window_count', { legacy: ctx.q.legacy, window: rawKeyNotNull(ctx) });
  const [row] = await readRows(conn, sql, `${ctx.table.id}: count legacy's keyed rows, to check the done chunks counted them all`);
  const now = Number(row?.legacy_rows ?? 0);
  const counted = done.reduce((n, s) => n + (s.legacyRows ?? 0), 0);
  if (now <= counted) return;
  throw assertionError(
    'ROWS_UNACCOUNTED',
    `${ctx.table.id}: the chunks look complete, but legacy holds ${count(now - counted, 'keyed row')} more than the done chunks counted (${fmt(now)} now, ${fmt(counted)} counted)`,
    'the phase was not changed; legacy gained rows after their chunk was done: migrate backfill --all --rerun copies them (unchanged chunks change nothing)',
  );
}