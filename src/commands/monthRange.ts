import { monthWindows, parseMonth } from '../backfill/windows';
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
