import type { Window } from '../backfill/windows';
import type { TableContext } from './tableContext';

/** `expr` (a cursor of that type) falls in the window: half-open [start, end), or IS NULL for the NULL-cursor window. */
export function cursorInWindow(ctx: TableContext, expr: string, type: string, window: Window): string {
  if (!window.start || !window.end) return `${expr} IS NULL`;
  const zoned = ctx.dialect.isZonedTimestamp(type);
  const lit = (d: Date) => ctx.dialect.timestampLiteral(d, zoned);
  return `${expr} >= ${lit(window.start)} AND ${expr} < ${lit(window.end)}`;
}

/** The legacy rows of one window, on legacy's own cursor column so an index on it still serves. */
export function windowPredicate(ctx: TableContext, window: Window): string {
  const cursor = ctx.alignment.cursor;
  return cursorInWindow(ctx, cursor.rawLegacySql!, cursor.rawType ?? cursor.target.type, window);
}

/** The target's (or the view's) rows of one window, on the target's cursor column. */
export function targetWindowPredicate(ctx: TableContext, window: Window): string {
  const cursor = ctx.alignment.cursor.target;
  return cursorInWindow(ctx, ctx.dialect.quoteIdent(cursor.name), cursor.type, window);
}
