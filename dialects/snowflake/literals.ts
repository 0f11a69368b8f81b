import type { CursorUnit } from '../../src/config/types';
import { stringLiteralStandard } from '../ansi';

/**
 * Window bounds and other instants, written with an explicit format: a
 * session's TIMESTAMP_*_INPUT_FORMAT (an account may set one) then cannot
 * change what the literal means, in our session or in a DBA's worksheet.
 * A zoned literal is TIMESTAMP_TZ at +00:00 (the instant); a naive one is
 * TIMESTAMP_NTZ holding the UTC wall time, matching the cursor's own type.
 */
export function timestampLiteral(utc: Date, zoned: boolean): string {
  const iso = utc.toISOString(); // 2024-03-01T00:00:00.000Z
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  return zoned ? `TO_TIMESTAMP_TZ('${text} +00:00', 'YYYY-MM-DD HH24:MI:SS.FF3 TZH:TZM')` : `TO_TIMESTAMP_NTZ('${text}', 'YYYY-MM-DD HH24:MI:SS.FF3')`;
}

/** A day as DATE, with its format spelled out: DATE_INPUT_FORMAT cannot change it (as for timestampLiteral). */
export function dateLiteral(day: string): string {
  return `TO_DATE(${stringLiteralStandard(day)}, 'YYYY-MM-DD')`;
}

const zone = (name: string) => stringLiteralStandard(name);

/**
 * The instant of a wall time in `tz`. CONVERT_TIMEZONE's three-argument form
 * gives the UTC wall time (NTZ, DST resolved by the engine); its epoch read as
 * microseconds and turned back by TO_TIMESTAMP_TZ(n, 6) is that instant. Casting
 * the NTZ to TIMESTAMP_TZ instead would read it in the session's zone, which a
 * reader of the view may have set to anything. Microseconds, not nanoseconds:
 * an ERP's open-ended 9999-12-31 is 2.5e20 ns, beyond a 64-bit integer, and
 * 2.5e17 µs is not; dlt's timestamps keep microseconds.
 */
export const wallTimeToInstant = (expr: string, tz: string) =>
  `TO_TIMESTAMP_TZ(DATE_PART(EPOCH_MICROSECOND, CONVERT_TIMEZONE(${zone(tz)}, 'UTC', ${expr})), 6)`;

/** The two-argument form takes the instant's own zone (TZ) or UTC (LTZ) and gives TIMESTAMP_TZ in `tz`; NTZ keeps its wall time. */
export const instantToWallTime = (expr: string, tz: string) => `CAST(CONVERT_TIMEZONE(${zone(tz)}, ${expr}) AS TIMESTAMP_NTZ)`;

export const convertWallTime = (expr: string, fromZone: string, toZone: string) => `CONVERT_TIMEZONE(${zone(fromZone)}, ${zone(toZone)}, ${expr})`;

/** TO_TIMESTAMP_NTZ(integer, scale) counts from the epoch in UTC, exactly (no floating point). */
const EPOCH_SCALE: Record<CursorUnit, number> = { s: 0, ms: 3, us: 6 };
export const epochToUtcWallTime = (expr: string, unit: CursorUnit) => `TO_TIMESTAMP_NTZ(${expr}, ${EPOCH_SCALE[unit]})`;

/**
 * A string literal. Snowflake reads backslash escapes inside single quotes ('\N' is the text N), so a backslash
 * is doubled as well as a quote: verify's NULL mark, \N, must not read as the letter N (a NULL and an 'N' would
 * then checksum alike), and a config value holding a backslash must mean what it says.
 */
export function snowflakeStringLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
