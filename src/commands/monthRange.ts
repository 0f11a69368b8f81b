import { monthKey, monthWindows, parseMonth } from '../backfill/windows';
import { usageError } from '../errors';

/** The months named by --month, or by --from and --to (inclusive); undefined when neither was given. */
export interface MonthRange {
  from: Date;
  to: Date;
}

/** Validates --month / --from / --to before any database work. */
export function monthRange(flags: { month?: string; from?: string; to?: string }, usage: string): MonthRange | undefined {
  if (flags.month !== undefined && (flags.from !== undefined || flags.to !== undefined)) {
    throw usageError('BAD_RANGE', '--month cannot be combined with --from/--to', usage);
  }
  if (flags.month !== undefined) {
    const month = parseMonth(flags.month);
    return { from: month, to: month };
  }
  if (flags.from === undefined && flags.to === undefined) return undefined;
  if (flags.from === undefined || flags.to === undefined) throw usageError('BAD_RANGE', '--from and --to go together', 'e.g. --from 2023-01 --to 2023-12');
  const range = { from: parseMonth(flags.from, '--from'), to: parseMonth(flags.to, '--to') };
  monthWindows(range.from, range.to); // refuses a reversed range
  return range;
}

/** The first instant after the range. */
export function rangeEnd(range: MonthRange): Date {
  return new Date(Date.UTC(range.to.getUTCFullYear(), range.to.getUTCMonth() + 1, 1));
}

/**
 * Refuses months that lie before legacy's first or after its last cursor
 * month: such a window can hold no legacy row, so running it would only add an
 * empty window to the ledger (and to status's total). `--allow-empty` runs it anyway.
 */
export function refuseMonthsOutsideLegacy(tableId: string, range: MonthRange, legacy: { firstDay?: Date; lastDay?: Date }, allowEmpty: boolean): void {
  if (allowEmpty) return;
  const first = legacy.firstDay && new Date(Date.UTC(legacy.firstDay.getUTCFullYear(), legacy.firstDay.getUTCMonth(), 1));
  const last = legacy.lastDay && new Date(Date.UTC(legacy.lastDay.getUTCFullYear(), legacy.lastDay.getUTCMonth(), 1));
  const named = range.from.getTime() === range.to.getTime() ? `--month ${monthKey(range.from)}` : `--from ${monthKey(range.from)} --to ${monthKey(range.to)}`;
  if (!first || !last) {
    throw usageError('MONTH_OUT_OF_RANGE', `${tableId}: ${named} asks for months, but no legacy row has a cursor`, 'nothing to backfill by month; pass --allow-empty to record the empty windows anyway');
  }
  if (range.from < first || range.to > last) {
    throw usageError(
      'MONTH_OUT_OF_RANGE',
      `${tableId}: ${named} reaches outside legacy's months (${monthKey(first)} … ${monthKey(last)})`,
      'name months within that range (or use --all); pass --allow-empty to record windows that hold no legacy row anyway',
    );
  }
}
