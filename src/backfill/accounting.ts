import type { Connection } from '../../dialects/types';
import { assertionError } from '../errors';
import { type TableContext, legacyDaysSql } from '../plan/tableContext';
import { dayIndex, dayOf, monthOfDay } from '../verify/dayTotals';
import type { LegacyProfile } from './profile';
import type { Window } from './windows';

/**
 * Before a backfill calls a table complete (and moves its phase), every legacy
 * row it counted must lie in a done window: rows per UTC day of the cursor are
 * counted once more and matched against the done windows. Windows computed
 * from the wrong reading of the cursor would otherwise report "complete" with
 * rows never copied.
 */
export async function assertRowsAccounted(conn: Connection, ctx: TableContext, profile: LegacyProfile, done: Window[]): Promise<void> {
  const rows = await conn.query(legacyDaysSql(ctx));
  const covered = dayIndex(done);
  let total = 0;
  const outside = new Map<string, number>();
  for (const r of rows) {
    const n = Number(r.row_count ?? 0);
    total += n;
    const day = dayOf(r);
    if (!covered.has(day)) outside.set(monthOfDay(day), (outside.get(monthOfDay(day)) ?? 0) + n);
  }
  const unaccounted = [...outside.values()].reduce((a, b) => a + b, 0);
  if (unaccounted === 0 && total === profile.totalRows) return;
  const where = [...outside].sort(([a], [b]) => a.localeCompare(b)).slice(0, 6).map(([m, n]) => `${m}: ${n.toLocaleString('en-US')}`).join(', ');
  throw assertionError(
    'ROWS_UNACCOUNTED',
    `${ctx.table.id}: the windows look complete, but ${unaccounted.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} legacy rows lie in no done window${where ? ` (${where})` : ''}${total !== profile.totalRows ? `; legacy now holds ${total.toLocaleString('en-US')} rows, the backfill counted ${profile.totalRows.toLocaleString('en-US')}` : ''}`,
    'the phase was not changed; run backfill --all again (it plans from legacy as it is now), and check cursor: and legacy_timezone: in the config',
  );
}
