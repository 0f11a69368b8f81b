import type { Connection } from '../../dialects/types';
import { type TableContext, rawKeyNull, renderFor } from '../plan/tableContext';
import type { SliceUnit } from './controls';
import { type Window, dayOfCursorText, windowsBetween } from './windows';

/** What the backfill must account for before it starts: every legacy row, and the ones no window or MERGE can take. */
export interface LegacyProfile {
  totalRows: number;
  nullCursorRows: number;
  nullKeyRows: number;
  /** First and last day holding a cursor value (UTC); undefined when no row has one. */
  firstDay?: Date;
  lastDay?: Date;
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
    firstDay: row?.min_cursor == null ? undefined : dayOfCursorText(String(row.min_cursor)),
    lastDay: row?.max_cursor == null ? undefined : dayOfCursorText(String(row.max_cursor)),
  };
}

/** Every period from the first to the last cursor value of legacy, oldest first (none when no row has a cursor). */
export function profileWindows(profile: LegacyProfile, unit: SliceUnit = 'month'): Window[] {
  if (!profile.firstDay || !profile.lastDay) return [];
  return windowsBetween(profile.firstDay, new Date(profile.lastDay.getTime() + 86_400_000), unit);
}
