import type { Connection } from '../../dialects/types';
import { type TableContext, rawKeyNull, renderFor } from '../plan/tableContext';
import { type Window, monthOfCursorText, monthWindows } from './windows';

/** What the backfill must account for before it starts: every legacy row, and the ones no window or MERGE can take. */
export interface LegacyProfile {
  totalRows: number;
  nullCursorRows: number;
  nullKeyRows: number;
  /** First and last month holding a cursor value (UTC); undefined when no row has one. */
  firstMonth?: Date;
  lastMonth?: Date;
}

export async function profileLegacy(conn: Connection, ctx: TableContext): Promise<LegacyProfile> {
  const sql = renderFor(ctx, 'legacy_profile', {
    cursor: ctx.alignment.cursor.rawLegacySql!,
    raw_key_null: rawKeyNull(ctx),
    legacy: ctx.q.legacy,
  });
  const [row] = await conn.query(sql);
  return {
    totalRows: Number(row?.total_rows ?? 0),
    nullCursorRows: Number(row?.null_cursor_rows ?? 0),
    nullKeyRows: Number(row?.null_key_rows ?? 0),
    firstMonth: row?.min_cursor == null ? undefined : monthOfCursorText(String(row.min_cursor)),
    lastMonth: row?.max_cursor == null ? undefined : monthOfCursorText(String(row.max_cursor)),
  };
}

/** Every month from the first to the last cursor value of legacy (none when no row has a cursor). */
export function profileMonths(profile: LegacyProfile): Window[] {
  return profile.firstMonth && profile.lastMonth ? monthWindows(profile.firstMonth, profile.lastMonth) : [];
}
