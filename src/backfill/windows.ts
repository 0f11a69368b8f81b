import { usageError } from '../errors';
import type { SliceUnit } from './controls';
import { type KeyChunk, parseChunkKey } from './keyChunks';

/**
 * A backfill window: a half-open period [start, end) on the cursor (a month,
 * an ISO week or a day, in UTC), the rows whose cursor is NULL (no period
 * can hold them), or a chunk of the key (slice: key; see keyChunks.ts).
 */
export interface Window {
  /** 'YYYY-MM', 'YYYY-Www', 'YYYY-MM-DD', NULL_CURSOR_KEY or a chunk's key; the ledger's window_key. */
  key: string;
  start?: Date;
  end?: Date;
  chunk?: KeyChunk;
}

export const NULL_CURSOR_KEY = 'null-cursor';

const MONTH = /^(\d{4})-(\d{2})$/;
const WEEK = /^(\d{4})-W(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Parses YYYY-MM into the first instant of that month (UTC). */
export function parseMonth(text: string, flag = '--month'): Date {
  const m = MONTH.exec(text.trim());
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) {
    throw usageError('BAD_MONTH', `${flag} ${text} is not a month`, 'write it as YYYY-MM with a month from 01 to 12, e.g. 2024-03');
  }
  return new Date(Date.UTC(Number(m[1]), month - 1, 1));
}

const pad = (n: number) => String(n).padStart(2, '0');

export function monthKey(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}`;
}

/** Monday 00:00 UTC of the ISO week holding `date`. */
function mondayOf(date: Date): Date {
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * DAY_MS);
}

/** ISO 8601 week key of a Monday: the week belongs to the year of its Thursday. */
function weekKey(monday: Date): string {
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7);
  return `${year}-W${pad(week)}`;
}

const PERIODS: Record<SliceUnit, { start(d: Date): Date; next(d: Date): Date; key(start: Date): string }> = {
  month: {
    start: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)),
    next: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)),
    key: monthKey,
  },
  week: { start: mondayOf, next: (d) => new Date(d.getTime() + 7 * DAY_MS), key: weekKey },
  day: {
    start: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())),
    next: (d) => new Date(d.getTime() + DAY_MS),
    key: (d) => `${monthKey(d)}-${pad(d.getUTCDate())}`,
  },
};

function periodWindow(start: Date, unit: SliceUnit): Window {
  const p = PERIODS[unit];
  return { key: p.key(start), start, end: p.next(start) };
}

export function monthWindow(start: Date): Window {
  return periodWindow(start, 'month');
}

/** Every period of `unit` that overlaps [from, until), oldest first (weeks are whole ISO weeks). */
export function windowsBetween(from: Date, until: Date, unit: SliceUnit): Window[] {
  const p = PERIODS[unit];
  const windows: Window[] = [];
  for (let s = p.start(from); s < until; s = p.next(s)) windows.push(periodWindow(s, unit));
  return windows;
}

/** Every month from `from` to `to`, both included, split into periods of `unit`, oldest first. */
export function monthWindows(from: Date, to: Date, unit: SliceUnit = 'month'): Window[] {
  if (from > to) throw usageError('BAD_RANGE', `--from ${monthKey(from)} is after --to ${monthKey(to)}`, 'swap them');
  return windowsBetween(from, PERIODS.month.next(to), unit);
}

/** The UTC day a cursor value falls on, read from the engine's text form (YYYY-MM-DD…). */
export function dayOfCursorText(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
}

/** Rebuilds a window from its ledger key, whatever slice size wrote it; undefined for keys this version does not know. */
export function parseWindowKey(key: string): Window | undefined {
  if (key === NULL_CURSOR_KEY) return { key };
  const chunk = parseChunkKey(key);
  if (chunk) return { key, chunk };
  let m = MONTH.exec(key);
  if (m) return periodWindow(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)), 'month');
  m = DAY.exec(key);
  if (m) return periodWindow(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))), 'day');
  m = WEEK.exec(key);
  if (m) {
    // Week 1 is the week holding January 4th.
    const week1 = mondayOf(new Date(Date.UTC(Number(m[1]), 0, 4)));
    return periodWindow(new Date(week1.getTime() + (Number(m[2]) - 1) * 7 * DAY_MS), 'week');
  }
  return undefined;
}

/**
 * Is every instant of `window` inside some window of `done`? Lets a run that
 * slices by day skip what an earlier run did by month, and the reverse.
 */
export function isCovered(window: Window, done: Window[]): boolean {
  return coverageOf(done)(window);
}

/**
 * isCovered for many windows against the same done ones: the done windows are merged once into disjoint spans
 * (touching ones join), and each window is then one binary search, not a pass over every done window. A plan of
 * 120 months against 120 done ones asked 14,400 questions per table before.
 */
export function coverageOf(done: Window[]): (window: Window) => boolean {
  const keys = new Set(done.map((d) => d.key));
  const spans: Array<[number, number]> = [];
  const timed = done.filter((d) => d.start && d.end).sort((a, b) => a.start!.getTime() - b.start!.getTime());
  for (const d of timed) {
    const last = spans[spans.length - 1];
    if (last && d.start!.getTime() <= last[1]) last[1] = Math.max(last[1], d.end!.getTime());
    else spans.push([d.start!.getTime(), d.end!.getTime()]);
  }
  return (window) => {
    if (!window.start || !window.end) return keys.has(window.key);
    const from = window.start.getTime();
    const to = window.end.getTime();
    if (from >= to) return true;
    // The last span starting at or before the window's start is the only one that can cover it.
    let lo = 0;
    let hi = spans.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid][0] <= from) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && spans[found][1] >= to;
  };
}

/**
 * Windows without overlaps, oldest first: where a period was done by weeks and again by months, the larger
 * windows are kept. The NULL-cursor window, if any, comes last; key chunks (one plan per table) are kept as they are.
 */
export function withoutOverlaps(windows: Window[]): Window[] {
  const timed = windows.filter((w) => w.start && w.end).sort((a, b) => a.start!.getTime() - b.start!.getTime() || b.end!.getTime() - a.end!.getTime());
  const chosen: Window[] = [];
  for (const w of timed) if (!chosen.length || w.start! >= chosen[chosen.length - 1].end!) chosen.push(w);
  const nullCursor = windows.find((w) => w.key === NULL_CURSOR_KEY);
  const chunks = windows.filter((w) => w.chunk).sort((a, b) => a.chunk!.index - b.chunk!.index);
  return [...chosen, ...chunks, ...(nullCursor ? [nullCursor] : [])];
}
