import type { TableRef } from '../src/config/types';
import { usageError } from '../src/errors';

/**
 * Hooks shared by engines that follow standard SQL here (DuckDB, PostgreSQL,
 * Snowflake). A dialect spreads these and overrides only what differs.
 */

export function quoteDouble(name: string): string {
  if (name.includes('\u0000')) throw usageError('BAD_IDENTIFIER', `identifier ${JSON.stringify(name)} contains a NUL character`);
  return `"${name.replace(/"/g, '""')}"`;
}

export function stringLiteralStandard(value: string): string {
  if (value.includes('\u0000')) throw usageError('BAD_LITERAL', 'a value contains a NUL character and cannot be written as SQL');
  return `'${value.replace(/'/g, "''")}'`;
}

export function qualifyWith(quote: (name: string) => string) {
  return (ref: TableRef): string => (ref.schema ? `${quote(ref.schema)}.${quote(ref.name)}` : quote(ref.name));
}

/** 2024-03-01 00:00:00 (UTC) for window bounds; the engines read this form everywhere. */
export function utcTimestampText(utc: Date): string {
  // A plan writes the same few window bounds thousands of times (every statement of every slice of every table).
  const ms = utc.getTime();
  let text = timestampTexts.get(ms);
  if (text === undefined) {
    const iso = utc.toISOString(); // 2024-03-01T00:00:00.000Z
    const fraction = iso.slice(20, 23) === '000' ? '' : `.${iso.slice(20, 23)}`;
    text = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}`;
    if (timestampTexts.size >= 10_000) timestampTexts.clear();
    timestampTexts.set(ms, text);
  }
  return text;
}
const timestampTexts = new Map<number, string>();

export const ansiHooks = {
  quoteIdent: quoteDouble,
  qualify: qualifyWith(quoteDouble),
  stringLiteral: stringLiteralStandard,
  // Standard strings and quoted names: a quote is escaped by doubling it, a backslash is itself.
  backslashEscapesIn: '',
  /** A UTC instant: TIMESTAMPTZ '…+00' for a zoned cursor, TIMESTAMP '…' for a naive one. */
  timestampLiteral: (utc: Date, zoned: boolean) => (zoned ? `TIMESTAMPTZ '${utcTimestampText(utc)}+00'` : `TIMESTAMP '${utcTimestampText(utc)}'`),
  isZonedTimestamp: (type: string) => /with time zone|timestamptz/i.test(type),
  // `naive AT TIME ZONE z` is the instant of that wall time in z; `instant AT TIME ZONE z` its wall time there.
  wallTimeToInstant: (expr: string, zone: string) => `(${expr} AT TIME ZONE ${stringLiteralStandard(zone)})`,
  instantToWallTime: (expr: string, zone: string) => `(${expr} AT TIME ZONE ${stringLiteralStandard(zone)})`,
  convertWallTime: (expr: string, fromZone: string, toZone: string) => `((${expr} AT TIME ZONE ${stringLiteralStandard(fromZone)}) AT TIME ZONE ${stringLiteralStandard(toZone)})`,
  cast: (expr: string, type: string) => `CAST(${expr} AS ${type})`,
  isDistinct: (a: string, b: string) => `${a} IS DISTINCT FROM ${b}`,
  descNullsLast: (expr: string) => `${expr} DESC NULLS LAST`,
  md5Hex: (expr: string) => `md5(${expr})`,
  // A date minus a date is whole days in PostgreSQL and DuckDB; sessions run in UTC, so a zoned instant falls on its UTC day.
  epochDay: (expr: string) => `(CAST(${expr} AS DATE) - DATE '1970-01-01')`,
  concat: (parts: string[]) => `concat(${parts.join(', ')})`,
  sameType: (a: string, b: string) => a.replace(/\s+/g, ' ').trim().toUpperCase() === b.replace(/\s+/g, ' ').trim().toUpperCase(),
};
