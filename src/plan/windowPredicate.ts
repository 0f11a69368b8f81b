import type { TimeKind } from '../align/timeConversion';
import { cursorBound } from '../align/timeConversion';
import type { Window } from '../backfill/windows';
import type { TableContext } from './tableContext';

/**
 * `expr` (a cursor of that kind) falls in the window: half-open [start, end), or IS NULL for the NULL-cursor
 * window. `zone` is the zone a naive cursor's wall times are in (legacy's legacy_timezone; UTC for the target).
 */
function cursorInWindow(ctx: TableContext, expr: string, kind: TimeKind, zone: string, window: Window): string {
  if (!window.start || !window.end) return `${expr} IS NULL`;
  const bound = (d: Date) => cursorBound(ctx.dialect, kind, d, zone, ctx.table.cursorUnit);
  return `${expr} >= ${bound(window.start)} AND ${expr} < ${bound(window.end)}`;
}

/** The legacy rows of one window, on legacy's own cursor column so an index on it still serves. */
export function windowPredicate(ctx: TableContext, window: Window): string {
  const cursor = ctx.alignment.cursor;
  return cursorInWindow(ctx, cursor.rawLegacySql!, cursor.legacyTime!, cursor.legacyZone ?? ctx.table.legacyTimezone, window);
}

/** The target's (or the view's) rows of one window, on the target's cursor column (a naive one holds UTC wall times), of the row named `alias` if given. */
export function targetWindowPredicate(ctx: TableContext, window: Window, alias?: string): string {
  const cursor = ctx.alignment.cursor;
  return cursorInWindow(ctx, `${alias ? `${alias}.` : ''}${ctx.dialect.quoteIdent(cursor.target.name)}`, cursor.targetTime!, 'UTC', window);
}
