import type { Row } from '../../dialects/types';
import type { VerifySpec } from '../plan/verify';
import type { Tolerance } from './settings';
import { count } from '../plural';

/**
 * What verify finds in one window, and which findings fail it. Shared by
 * `migrate verify` and by the backfill's check of each window it merges.
 */
export type FailureKind =
  | 'missing_keys' // a legacy key is not in the target
  | 'changed_rows' // a legacy row and its target row differ in a compared column
  | 'duplicate_keys_in_target'
  | 'duplicate_keys_in_view'
  | 'sum_mismatch' // a metric's sums differ beyond verify.tolerance
  | 'outside_windows'; // legacy rows that no window holds (table level)

export const FAILURE_TEXT: Record<FailureKind, string> = {
  missing_keys: 'missing keys',
  changed_rows: 'changed rows',
  duplicate_keys_in_target: 'duplicate keys in the target',
  duplicate_keys_in_view: 'duplicate keys in the view',
  sum_mismatch: 'sums differ',
  outside_windows: 'legacy rows outside every window',
};

export interface MetricResult {
  column: string;
  /** Decimal text at the metric's scale, over the rows not made newer in the target by live ingest. */
  legacy: string;
  target: string;
  ok: boolean;
  /** What live updates (target rows newer by updated_at) added to the target's sum, reported apart; absent when none. */
  live?: string;
}

export interface WindowResult {
  window: string;
  /** Legacy's keyed rows in the window, de-duplicated by key: its distinct keys, each at its latest version. */
  legacyRows: number;
  /** Every legacy row of the window, older versions of a key and rows without a key included (verify only). */
  legacyRowsAll?: number;
  /** Legacy rows of the window superseded by a later version of their key (they never reach the target). */
  supersededRows?: number;
  /** Legacy rows of the window carrying dlt's hard-delete flag (not backfilled: dlt's merge deletes them); verify only, where the flag applies. */
  deletedRows?: number;
  /** Target rows in the window (all of them, live ones included); undefined where only the join was run (backfill). */
  targetRows?: number;
  /** Legacy rows whose key the target holds. */
  matchedRows: number;
  missingKeys: number;
  changedRows: number;
  /** Differing rows whose target row is newer (updated_at): live updates, not failures. */
  newerInTarget: number;
  /** Target rows of the window whose key legacy lacks: live data, reported apart. */
  extraKeys?: number;
  targetDuplicateKeys?: number;
  viewDuplicateKeys?: number;
  /** Legacy rows of the window with a NULL key (cutover refuses them unless --allow-unkeyed). */
  nullKeyRows: number;
  legacyChecksum: string;
  targetChecksum: string;
  metrics: MetricResult[];
  /** How it was decided: whole-window checksums agreed, or the window was joined row by row. */
  method: 'checksums' | 'joined';
  failures: FailureKind[];
  samples?: SampleRow[];
}

/** One differing row, legacy and target side by side. */
export interface SampleRow {
  key: string;
  /** newer_in_target: a live writer updated the row after legacy's version (updated_at); reported, not failed. */
  difference: 'missing' | 'changed' | 'newer_in_target' | 'extra';
  /** The compared columns that differ (all of them for a missing or extra row). */
  columns: Array<{ column: string; legacy: string | null; target: string | null }>;
}

const num = (v: unknown) => Number(v ?? 0);
/** An exact integer as a driver returns it (a number, or text such as a DECIMAL's `123` or `123.0`); NULL is 0. */
export const exactInteger = (v: unknown): bigint => (v === null || v === undefined ? 0n : BigInt(String(v).replace(/\.0*$/, '')));

/** Decimal text → an integer count of 10^-scale units (exact, whatever the size). */
export function scaled(text: unknown, scale: number): bigint {
  if (text === null || text === undefined) return 0n;
  // A captured value may be a number (executor.ts asSqlValue): written out at the scale, never as 5e-8.
  const t = typeof text === 'number' ? text.toFixed(Math.min(scale, 100)) : String(text).trim();
  const negative = t.startsWith('-');
  const [whole, fraction = ''] = t.replace(/^[-+]/, '').split('.');
  const digits = BigInt((whole || '0') + fraction.padEnd(scale, '0').slice(0, scale));
  return negative ? -digits : digits;
}

export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Is the target's sum within the tolerance of legacy's? */
export function withinTolerance(legacy: bigint, target: bigint, scale: number, tolerance: Tolerance): boolean {
  const diff = legacy > target ? legacy - target : target - legacy;
  if (tolerance.kind === 'absolute') return diff <= absoluteTolerance(tolerance.amount, scale);
  const base = legacy < 0n ? -legacy : legacy;
  // Exact, as the slice's SQL guard compares it (plan/verify.ts): 0.57 % of 100.00 is 0.57, not 0.5699999….
  const percent = percentText(tolerance.percent);
  const decimals = BigInt((percent.split('.')[1] ?? '').length);
  return diff * 100n * 10n ** decimals <= scaled(percent, Number(decimals)) * base;
}

/** An absolute tolerance in 10^-scale units of the metric (the amount cut to the metric's scale), as JS and SQL compare it. */
export function absoluteTolerance(amount: number, scale: number): bigint {
  return scaled(amount.toFixed(Math.max(scale, 0) + 6), scale);
}

/** A percentage as the decimal the config wrote (never in exponent form), for exact arithmetic in JS and SQL alike. */
export function percentText(percent: number): string {
  const text = String(percent);
  return /e/i.test(text) ? percent.toFixed(20).replace(/\.?0+$/, '') : text;
}

export function metricResults(spec: VerifySpec, legacy: bigint[], target: bigint[], live?: Array<bigint | undefined>): MetricResult[] {
  return spec.metrics.map((m, i) => ({
    column: m.column.target.name,
    legacy: formatScaled(legacy[i] ?? 0n, m.scale),
    target: formatScaled(target[i] ?? 0n, m.scale),
    ok: withinTolerance(legacy[i] ?? 0n, target[i] ?? 0n, m.scale, spec.tolerance),
    ...(live?.[i] !== undefined ? { live: formatScaled(live[i]!, m.scale) } : {}),
  }));
}

/** The window check's row (plan/verify.ts windowCheckSql) as a result; nullKeyRows comes from elsewhere. */
export function readWindowCheck(spec: VerifySpec, window: string, row: Row, nullKeyRows = 0): WindowResult {
  const legacyRows = num(row.v_legacy_rows);
  const missingKeys = num(row.v_missing_keys);
  const metrics = metricResults(
    spec,
    spec.metrics.map((m, i) => scaled(row[`v_legacy_metric_${i}`], m.scale)),
    spec.metrics.map((m, i) => scaled(row[`v_target_metric_${i}`], m.scale)),
    num(row.v_newer_in_target) > 0 ? spec.metrics.map((m, i) => scaled(row[`v_live_metric_${i}`], m.scale)) : undefined,
  );
  const result: WindowResult = {
    window,
    legacyRows,
    targetRows: row.v_target_rows === undefined ? undefined : num(row.v_target_rows),
    matchedRows: legacyRows - missingKeys,
    missingKeys,
    changedRows: num(row.v_changed_rows),
    newerInTarget: num(row.v_newer_in_target),
    extraKeys: row.v_extra_keys === undefined ? undefined : num(row.v_extra_keys),
    targetDuplicateKeys: row.v_target_duplicate_keys === undefined ? undefined : num(row.v_target_duplicate_keys),
    viewDuplicateKeys: row.v_view_duplicate_keys === undefined ? undefined : num(row.v_view_duplicate_keys),
    nullKeyRows,
    legacyChecksum: exactInteger(row.v_legacy_checksum).toString(),
    targetChecksum: exactInteger(row.v_target_checksum).toString(),
    metrics,
    method: 'joined',
    failures: [],
  };
  result.failures = failuresOf(result);
  return result;
}

export function failuresOf(r: WindowResult): FailureKind[] {
  const failures: FailureKind[] = [];
  if (r.missingKeys > 0) failures.push('missing_keys');
  if (r.changedRows > 0) failures.push('changed_rows');
  if ((r.targetDuplicateKeys ?? 0) > 0) failures.push('duplicate_keys_in_target');
  if ((r.viewDuplicateKeys ?? 0) > 0) failures.push('duplicate_keys_in_view');
  if (r.metrics.some((m) => !m.ok)) failures.push('sum_mismatch');
  return failures;
}

/** "3 missing keys, 1 changed row, sums differ (amount 100.00 → 99.00)". */
export function describeFailures(r: WindowResult): string {
  return r.failures
    .map((f) => {
      if (f === 'missing_keys') return count(r.missingKeys, 'missing key');
      if (f === 'changed_rows') return count(r.changedRows, 'changed row');
      if (f === 'duplicate_keys_in_target') return `${count(r.targetDuplicateKeys ?? 0, 'duplicate key')} in the target`;
      if (f === 'duplicate_keys_in_view') return `${count(r.viewDuplicateKeys ?? 0, 'duplicate key')} in the view`;
      if (f === 'sum_mismatch') return `sums differ (${r.metrics.filter((m) => !m.ok).map((m) => `${m.column} ${m.legacy} → ${m.target}${liveNote(m, r)}`).join(', ')})`;
      return FAILURE_TEXT[f];
    })
    .join(', ');
}

const money = (text: string) => {
  const [whole, fraction] = text.replace(/^-/, '').split('.');
  return `${text.startsWith('-') ? '-' : '+'}${BigInt(whole).toLocaleString('en-US')}${fraction === undefined ? '' : `.${fraction}`}`;
};

/** " (+71,044.79 from 50 live updates)": what live ingest changed, beside a reconciled sum. */
export function liveNote(m: MetricResult, r: WindowResult): string {
  return m.live === undefined ? '' : ` (${money(m.live)} from ${count(r.newerInTarget, 'live update')})`;
}

/** "amount: legacy 2,737,668.17 = target 2,737,668.17 (+71,044.79 from 50 live updates)". */
export function describeMetric(m: MetricResult, r: WindowResult): string {
  const n = (text: string) => money(text).replace(/^\+/, '');
  return `${m.column}: legacy ${n(m.legacy)} ${m.ok ? '=' : '≠'} target ${n(m.target)}${liveNote(m, r)}`;
}

/** The metric sums as recorded in the ledger. */
export function sumsJson(r: WindowResult): string {
  return JSON.stringify(r.metrics.map(({ column, legacy, target, live }) => ({ column, legacy, target, ...(live === undefined ? {} : { live }) })));
}
