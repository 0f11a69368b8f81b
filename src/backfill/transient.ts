/**
 * Which failures are worth another attempt: the engine gave up on this try
 * (deadlock, serialization failure, lock wait timeout) or the connection went
 * away. Anything else (a constraint, a type error, a failed assertion) fails
 * the same way every time, so it is not retried.
 */
export type TransientKind = 'connection' | 'contention';

/** PostgreSQL SQLSTATEs: serialization_failure, deadlock_detected, lock_not_available; class 08 is connection exceptions. */
const PG_CONTENTION = new Set(['40001', '40P01', '55P03']);
/** MySQL/MariaDB error numbers: deadlock, lock wait timeout. */
const MYSQL_CONTENTION = new Set([1213, 1205]);
/** Server gone away, lost connection, connection killed (MariaDB), disconnected by the server (MySQL 8). */
const MYSQL_CONNECTION = new Set([2006, 2013, 1927, 4031]);
const NODE_CONNECTION = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'EHOSTUNREACH']);

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** Looks through the TheseusError wrapper (its `cause`) at what the driver said. */
export function transientKind(err: unknown): TransientKind | undefined {
  for (let e = err as DriverError | undefined, depth = 0; e && depth < 4; e = e.cause as DriverError | undefined, depth++) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const errno = typeof e.errno === 'number' ? e.errno : undefined;
    if (code && NODE_CONNECTION.has(code)) return 'connection';
    if (code && /^08/.test(code) && code.length === 5) return 'connection';
    if (code && PG_CONTENTION.has(code)) return 'contention';
    if (errno !== undefined && MYSQL_CONTENTION.has(errno)) return 'contention';
    if (errno !== undefined && MYSQL_CONNECTION.has(errno)) return 'connection';
    // DuckDB's optimistic concurrency reports a conflict by message only.
    if (typeof e.message === 'string' && /transaction conflict/i.test(e.message)) return 'contention';
    if (typeof e.message === 'string' && /Connection terminated|connection .*(closed|lost)/i.test(e.message)) return 'connection';
  }
  return undefined;
}
