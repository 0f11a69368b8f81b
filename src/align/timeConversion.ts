import type { Dialect } from '../../dialects/types';
import type { CursorUnit } from '../config/types';
import { classifyType } from '../verify/normalize';

/**
 * Time values cross from legacy to the target with every zone named in the
 * SQL. A bare CAST(naive AS timestamptz) reads the wall time in the *session's*
 * zone, so a reader in New York would see a legacy row five hours away from the
 * same row once backfilled, and a DBA pasting the printed SQL into such a
 * session would write shifted values. Here a naive legacy value is a wall time
 * in the table's `legacy_timezone` (default UTC), an integer epoch counts
 * `cursor_unit` since 1970-01-01 UTC, and a naive target column holds UTC wall
 * times (as the windows read it).
 */
export type TimeKind = 'date' | 'naive' | 'zoned' | 'epoch';

/** The kind of a column type: a time kind, 'epoch' for an integer with a cursor unit, else undefined. */
export function timeKind(dialect: Dialect, type: string, unit?: CursorUnit): TimeKind | undefined {
  if (dialect.isZonedTimestamp(type)) return 'zoned';
  const t = type.trim().toLowerCase();
  if (/^date$/.test(t)) return 'date';
  if (/^(timestamp|datetime)/.test(t)) return 'naive';
  // An integer epoch: an integer type, or a decimal without a fraction (Snowflake's integers are NUMBER(38,0)).
  const c = classifyType(type);
  if (unit && (c.kind === 'integer' || (c.kind === 'decimal' && c.scale === 0))) return 'epoch';
  return undefined;
}

const isUtc = (zone: string) => zone.toUpperCase() === 'UTC';

/** The legacy value as a naive UTC wall time. */
export function utcWallTime(d: Dialect, expr: string, kind: TimeKind, zone: string, unit?: CursorUnit): string {
  if (kind === 'epoch') return d.epochToUtcWallTime(expr, unit ?? 's');
  if (kind === 'zoned') return d.instantToWallTime(expr, 'UTC');
  const naive = kind === 'date' ? d.cast(expr, d.naiveTimestampType) : expr;
  return isUtc(zone) ? naive : d.convertWallTime(naive, zone, 'UTC');
}

/** The legacy value as an instant (the engine's zoned type). */
export function instant(d: Dialect, expr: string, kind: TimeKind, zone: string, unit?: CursorUnit): string {
  if (kind === 'zoned') return expr;
  if (kind === 'epoch') return d.wallTimeToInstant(d.epochToUtcWallTime(expr, unit ?? 's'), 'UTC');
  return d.wallTimeToInstant(kind === 'date' ? d.cast(expr, d.naiveTimestampType) : expr, zone);
}

/**
 * A legacy time value in the target's kind, zones named; undefined when the
 * value needs no conversion (same kind, and a naive one already in UTC).
 * The caller casts the result to the target's exact type (precision), which
 * no longer involves a zone.
 */
export function convertTime(d: Dialect, expr: string, from: TimeKind, to: TimeKind, zone: string, unit?: CursorUnit): string | undefined {
  if (from === to && (from === 'zoned' || from === 'epoch' || isUtc(zone))) return undefined;
  if (to === 'zoned') return instant(d, expr, from, zone, unit);
  if (to === 'naive') return utcWallTime(d, expr, from, zone, unit);
  if (to === 'date') return from === 'date' ? undefined : utcWallTime(d, expr, from, zone, unit);
  return undefined;
}

/**
 * The literal a cursor of this kind is compared with, for a window bound (a
 * UTC instant): an epoch count, an absolute instant, or the wall time of the
 * bound in the cursor's zone (the engine resolves DST; the expression is a
 * constant, so an index on the cursor still serves).
 */
export function cursorBound(d: Dialect, kind: TimeKind, utc: Date, zone: string, unit?: CursorUnit): string {
  if (kind === 'epoch') {
    const ms = BigInt(utc.getTime());
    return String(unit === 'ms' ? ms : unit === 'us' ? ms * 1000n : ms / 1000n);
  }
  if (kind === 'zoned') return d.timestampLiteral(utc, true);
  // A DATE cursor against a bound at midnight: a DATE literal (standard SQL on every engine), so the comparison is
  // of a date with a date. Against a timestamp some engines cast the column instead, which BigQuery cannot prune a
  // DATE-partitioned table by, and an index on the column may not serve.
  if (kind === 'date' && isUtc(zone) && utc.getTime() % 86_400_000 === 0) {
    const day = utc.toISOString().slice(0, 10);
    return d.dateLiteral?.(day) ?? `DATE ${d.stringLiteral(day)}`;
  }
  return isUtc(zone) ? d.timestampLiteral(utc, false) : d.convertWallTime(d.timestampLiteral(utc, false), 'UTC', zone);
}
