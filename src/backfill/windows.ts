import { usageError } from '../errors';

/**
 * A backfill window: the half-open month [start, end) on the cursor, or the
 * rows whose cursor is NULL (no month can hold them).
 */
export interface Window {
  /** 'YYYY-MM' or NULL_CURSOR_KEY; the ledger's window_key. */
  key: string;
  start?: Date;
  end?: Date;
}

export const NULL_CURSOR_KEY = 'null-cursor';

const MONTH = /^(\d{4})-(\d{2})$/;

/** Parses YYYY-MM into the first instant of that month (UTC). */
export function parseMonth(text: string, flag = '--month'): Date {
  const m = MONTH.exec(text.trim());
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) {
    throw usageError('BAD_MONTH', `${flag} ${text} is not a month`, 'write it as YYYY-MM with a month from 01 to 12, e.g. 2024-03');
  }
  return new Date(Date.UTC(Number(m[1]), month - 1, 1));
}

export function monthKey(date: Date): string {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

const nextMonth = (date: Date) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));

export function monthWindow(start: Date): Window {
  return { key: monthKey(start), start, end: nextMonth(start) };
}

/** Every month from `from` to `to`, both included, oldest first. */
export function monthWindows(from: Date, to: Date): Window[] {
  if (from > to) throw usageError('BAD_RANGE', `--from ${monthKey(from)} is after --to ${monthKey(to)}`, 'swap them');
  const windows: Window[] = [];
  for (let m = from; m <= to; m = nextMonth(m)) windows.push(monthWindow(m));
  return windows;
}

/** The month a cursor value falls in, read from the engine's text form (YYYY-MM-…), as a UTC month. */
export function monthOfCursorText(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})/.exec(text);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) : undefined;
}
