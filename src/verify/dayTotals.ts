import type { Row } from '../../dialects/types';
import { NULL_CURSOR_KEY, type Window, monthKey } from '../backfill/windows';
import type { VerifySpec } from '../plan/verify';
import { type WindowResult, exactInteger, metricResults, scaled } from './outcome';

/** One side's totals over a set of rows (a day, or a window's days). */
export interface Totals {
  rows: number;
  nullKeyRows: number;
  checksum: bigint;
  metrics: bigint[];
}

const DAY_MS = 86_400_000;

/** A row's `day_number` (whole UTC days since 1970-01-01, as the dialect's epochDay gives it); null for a NULL cursor. */
export function dayOf(row: Row): number | null {
  return row.day_number === null || row.day_number === undefined ? null : Number(row.day_number);
}

/** The first instant of a day number. */
export const dayStart = (day: number) => new Date(day * DAY_MS);

/** The month a day falls in, as a window key; the NULL-cursor window's key for null. */
export const monthOfDay = (day: number | null) => (day === null ? NULL_CURSOR_KEY : monthKey(dayStart(day)));
const empty = (metrics: number): Totals => ({ rows: 0, nullKeyRows: 0, checksum: 0n, metrics: new Array<bigint>(metrics).fill(0n) });

function add(into: Totals, t: Totals): void {
  into.rows += t.rows;
  into.nullKeyRows += t.nullKeyRows;
  into.checksum += t.checksum;
  t.metrics.forEach((m, i) => (into.metrics[i] += m));
}

/**
 * The fast pass's rows (plan/verify.ts dayTotalsSql): day number (null for a NULL cursor) → totals. A day may
 * come as two rows (an engine's rowSetChecksum groups the rows without a key apart); they add up.
 */
export function readDayTotals(spec: VerifySpec, rows: Row[]): Map<number | null, Totals> {
  const days = new Map<number | null, Totals>();
  for (const r of rows) {
    const day = dayOf(r);
    if (!days.has(day)) days.set(day, empty(spec.metrics.length));
    add(days.get(day)!, {
      rows: Number(r.row_count ?? 0),
      nullKeyRows: Number(r.null_key_rows ?? 0),
      checksum: exactInteger(r.checksum),
      metrics: spec.metrics.map((m, i) => scaled(r[`metric_${i}`], m.scale)),
    });
  }
  return days;
}

/**
 * The days the windows cover, as ranges [from, to) of day numbers with adjacent windows merged, and whether one of
 * them is the window of the rows without a cursor: dayIndex's days, for a condition in SQL (cutover's guard).
 */
export function dayRanges(windows: Window[]): { ranges: Array<[number, number]>; nullCursor: boolean } {
  const ranges: Array<[number, number]> = [];
  const periods = windows.filter((w) => w.start && w.end).map((w): [number, number] => [w.start!.getTime() / DAY_MS, w.end!.getTime() / DAY_MS]);
  for (const [from, to] of periods.sort((a, b) => a[0] - b[0])) {
    const last = ranges[ranges.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else ranges.push([from, to]);
  }
  return { ranges, nullCursor: windows.some((w) => !w.start || !w.end) };
}

/** Which window each day belongs to (day numbers count from 1970-01-01 UTC). */
export function dayIndex(windows: Window[]): Map<number | null, string> {
  const index = new Map<number | null, string>();
  for (const w of windows) {
    if (!w.start || !w.end) {
      index.set(null, w.key);
      continue;
    }
    for (let day = w.start.getTime() / DAY_MS; day < w.end.getTime() / DAY_MS; day++) index.set(day, w.key);
  }
  return index;
}

/** Sums a side's days per window; days in no window are gathered per month (`inRange` limits them to the requested period). */
export function totalsByWindow(
  spec: VerifySpec,
  days: Map<number | null, Totals>,
  index: Map<number | null, string>,
  inRange: (day: number | null) => boolean,
): { windows: Map<string, Totals>; outside: Map<string, number> } {
  const windows = new Map<string, Totals>();
  const outside = new Map<string, number>();
  for (const [day, totals] of days) {
    const key = index.get(day);
    if (key === undefined) {
      if (!inRange(day) || totals.rows === 0) continue;
      const month = monthOfDay(day);
      outside.set(month, (outside.get(month) ?? 0) + totals.rows);
      continue;
    }
    if (!windows.has(key)) windows.set(key, empty(spec.metrics.length));
    add(windows.get(key)!, totals);
  }
  return { windows, outside };
}

/**
 * A window whose keyed rows and checksum sums agree on both sides holds the
 * same rows with the same values (up to a 60-bit checksum collision), so it
 * passes without a row-by-row join. Undefined: they differ; join the window.
 */
export function agreeingWindow(spec: VerifySpec, window: string, legacy: Totals | undefined, target: Totals | undefined): WindowResult | undefined {
  const l = legacy ?? empty(spec.metrics.length);
  const t = target ?? empty(spec.metrics.length);
  const keyed = l.rows - l.nullKeyRows;
  if (keyed !== t.rows - t.nullKeyRows || l.checksum !== t.checksum) return undefined;
  const metrics = metricResults(spec, l.metrics, t.metrics);
  if (metrics.some((m) => !m.ok)) return undefined;
  return {
    window,
    legacyRows: keyed,
    targetRows: t.rows,
    matchedRows: keyed,
    missingKeys: 0,
    changedRows: 0,
    newerInTarget: 0,
    extraKeys: 0,
    targetDuplicateKeys: 0,
    viewDuplicateKeys: 0,
    nullKeyRows: l.nullKeyRows,
    legacyChecksum: l.checksum.toString(),
    targetChecksum: t.checksum.toString(),
    metrics,
    method: 'checksums',
    failures: [],
  };
}
