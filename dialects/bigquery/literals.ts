import type { CursorUnit } from '../../src/config/types';
import { usageError } from '../../src/errors';

/**
 * A GoogleSQL string literal. Backslash starts an escape inside quotes, and a
 * single-quoted string may not hold a raw newline, so backslashes, quotes and
 * line breaks are escaped: verify's NULL mark \N stays two characters, and a
 * config value means what it says.
 */
export function bigqueryStringLiteral(value: string): string {
  if (value.includes('\u0000')) throw usageError('BAD_LITERAL', 'a value contains a NUL character and cannot be written as SQL');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/**
 * A quoted identifier: backticks, with a backtick or backslash escaped. BigQuery
 * keeps a table's and a dataset's case (they are case-sensitive) and matches
 * column names case-insensitively, so names are quoted exactly as stored.
 */
export function quoteBacktick(name: string): string {
  if (name.includes('\u0000')) throw usageError('BAD_IDENTIFIER', `identifier ${JSON.stringify(name)} contains a NUL character`);
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/**
 * The location's own INFORMATION_SCHEMA (`region-eu`.INFORMATION_SCHEMA): views such as JOBS and SCHEMATA are
 * read per region, not per dataset.
 */
export const regionInformationSchema = (location: string) => `${quoteBacktick(`region-${location.toLowerCase()}`)}.INFORMATION_SCHEMA`;

/** The location a connection runs its jobs in (its driver's facts; BigQuery's default, US, where it says none). */
export const locationOf = (conn: { facts?: Readonly<Record<string, unknown>> }) => String(conn.facts?.location ?? 'US');

/** Window bounds: TIMESTAMP '… UTC' (an instant) for a TIMESTAMP cursor, DATETIME '…' (the UTC wall time) otherwise. */
export function timestampLiteral(utc: Date, zoned: boolean): string {
  const iso = utc.toISOString(); // 2024-03-01T00:00:00.000Z
  const fraction = iso.slice(20, 23) === '000' ? '' : `.${iso.slice(20, 23)}`;
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}`;
  return zoned ? `TIMESTAMP '${text}+00:00'` : `DATETIME '${text}'`;
}

const zone = (name: string) => bigqueryStringLiteral(name);

/** TIMESTAMP(datetime, zone) is the instant of that wall time in the zone (DST resolved by BigQuery). */
export const wallTimeToInstant = (expr: string, tz: string) => `TIMESTAMP(${expr}, ${zone(tz)})`;

/** DATETIME(timestamp, zone) is the instant's wall time there. */
export const instantToWallTime = (expr: string, tz: string) => `DATETIME(${expr}, ${zone(tz)})`;

export const convertWallTime = (expr: string, fromZone: string, toZone: string) => `DATETIME(TIMESTAMP(${expr}, ${zone(fromZone)}), ${zone(toZone)})`;

/** TIMESTAMP_SECONDS/MILLIS/MICROS count from the epoch in UTC, exactly; DATETIME(ts, 'UTC') is its UTC wall time. */
const FROM_EPOCH: Record<CursorUnit, string> = { s: 'TIMESTAMP_SECONDS', ms: 'TIMESTAMP_MILLIS', us: 'TIMESTAMP_MICROS' };
export const epochToUtcWallTime = (expr: string, unit: CursorUnit) => `DATETIME(${FROM_EPOCH[unit]}(CAST(${expr} AS INT64)), 'UTC')`;
