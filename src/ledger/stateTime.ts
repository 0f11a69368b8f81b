import type { Dialect } from '../../dialects/types';

/**
 * An instant as a literal of the ledger's own timestamp type (stateTypes.timestamp): zoned where that type is
 * (PostgreSQL, DuckDB: TIMESTAMPTZ), a UTC wall time where it is not (MySQL/MariaDB: DATETIME(6), whose zoned
 * literal, FROM_UNIXTIME, also stops at 2038).
 */
export function stateTimestampLiteral(d: Dialect, at: Date): string {
  return d.timestampLiteral(at, d.isZonedTimestamp(d.stateTypes.timestamp));
}
