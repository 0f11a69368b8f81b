import type { Connection } from '../../dialects/types';
import { readRows } from '../exec/read';
import { hardDeleteFlag } from '../dlt/hardDelete';
import { type TableContext, legacyCursorUtc, rawKeyNull, renderFor } from '../plan/tableContext';
import type { SliceUnit } from './controls';
import { type Window, coverageOf, dayOfCursorText, windowsBetween } from './windows';

/** What the backfill must account for before it starts: every legacy row, and the ones no window or MERGE can take. */
export interface LegacyProfile {
  totalRows: number;
  nullCursorRows: number;
  nullKeyRows: number;
  /** Rows carrying dlt's hard-delete flag (not backfilled: dlt's merge would delete them); undefined where no flag applies. */
  deletedRows?: number;
  /** The latest cursor value as the engine shows it (a UTC wall time or an instant); undefined when no row has one. */
  maxCursor?: string;
  /** First and last day holding a cursor value (UTC); undefined when no row has one. */
  firstDay?: Date;
  lastDay?: Date;
}

export async function profileLegacy(conn: Connection, ctx: TableContext): Promise<LegacyProfile> {
  const flag = hardDeleteFlag(ctx);
  const sql = renderFor(ctx, 'legacy_profile', {
    // Days are UTC days: a naive cursor in another zone, or an integer epoch, is read as its UTC wall time.
    cursor: ctx.alignment.cursor ? legacyCursorUtc(ctx) : undefined,
    raw_key_null: rawKeyNull(ctx),
    flagged: flag?.flagged(flag.column.legacySql),
    legacy: ctx.q.legacy,
  });
  const [row] = await readRows(conn, sql, `${ctx.table.id}: profile legacy (rows, NULL keys and cursors, cursor range)`);
  return {
    totalRows: Number(row?.total_rows ?? 0),
    nullCursorRows: Number(row?.null_cursor_rows ?? 0),
    nullKeyRows: Number(row?.null_key_rows ?? 0),
    deletedRows: flag ? Number(row?.deleted_rows ?? 0) : undefined,
    maxCursor: row?.max_cursor == null ? undefined : String(row.max_cursor),
    firstDay: row?.min_cursor == null ? undefined : dayOfCursorText(String(row.min_cursor)),
    lastDay: row?.max_cursor == null ? undefined : dayOfCursorText(String(row.max_cursor)),
  };
}

/** Every period from the first to the last cursor value of legacy, oldest first (none when no row has a cursor). */
export function profileWindows(profile: LegacyProfile, unit: SliceUnit = 'month'): Window[] {
  if (!profile.firstDay || !profile.lastDay) return [];
  return windowsBetween(profile.firstDay, new Date(profile.lastDay.getTime() + 86_400_000), unit);
}

/**
 * The part of a window legacy's rows can fall in: [first day, last day + 1) at most. A month whose rows
 * start on the 15th is covered by day (or week) slices from the 15th on; the days before hold no row.
 */
export function clipToLegacy(window: Window, profile: LegacyProfile): Window {
  if (!window.start || !window.end || !profile.firstDay || !profile.lastDay) return window;
  const end = new Date(profile.lastDay.getTime() + 86_400_000);
  return { key: window.key, start: window.start < profile.firstDay ? profile.firstDay : window.start, end: window.end > end ? end : window.end };
}

/** Is the part of a window legacy's rows can fall in covered by the windows done? Built once, asked of many windows. */
export function legacyCoverageOf(profile: LegacyProfile, done: Window[]): (window: Window) => boolean {
  const covered = coverageOf(done);
  return (window) => covered(clipToLegacy(window, profile));
}

/** The months of legacy's range whose rows no done window covers yet, oldest first. */
export function uncoveredMonths(profile: LegacyProfile, done: Window[]): Window[] {
  const covered = legacyCoverageOf(profile, done);
  return profileWindows(profile).filter((w) => !covered(w));
}
