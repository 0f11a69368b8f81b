import { TheseusError } from '../errors';

/**
 * Which failures are worth another attempt: the engine gave up on this try
 * (deadlock, serialization failure, lock wait timeout) or the connection went
 * away. Anything else (a constraint, a type error, a failed assertion) fails
 * the same way every time, so it is not retried.
 */
export type TransientKind = 'connection' | 'contention';

/** PostgreSQL SQLSTATEs: serialization_failure, deadlock_detected, lock_not_available. */
const PG_CONTENTION = new Set(['40001', '40P01', '55P03']);
/**
 * PostgreSQL's class 57 "operator intervention" that ends the session: admin_shutdown (pg_terminate_backend,
 * a server shutdown, idle_session_timeout), crash_shutdown, cannot_connect_now (the server is starting).
 * Class 08 (connection exceptions) is matched as a whole.
 */
const PG_CONNECTION = new Set(['57P01', '57P02', '57P03', '57P05']);
/** MySQL/MariaDB error numbers: deadlock, lock wait timeout. */
const MYSQL_CONTENTION = new Set([1213, 1205]);
/** Server gone away, lost connection, connection killed (MariaDB), disconnected by the server (MySQL 8). */
const MYSQL_CONNECTION = new Set([2006, 2013, 1927, 4031]);
const NODE_CONNECTION = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'EHOSTUNREACH']);
/**
 * What the drivers say, without a code, about a connection that is gone: pg's "Connection terminated
 * unexpectedly" and "Client has encountered a connection error and is not queryable" (every later query
 * on that client), mysql2's "Can't add new command when connection is in closed state".
 */
const CONNECTION_MESSAGES = /Connection terminated|connection .*(closed|lost)|terminating connection|is not queryable|in closed state/i;

interface DriverError {
  /** Set by a driver that classifies its engine's errors itself (dialects/snowflake/errors.ts). */
  transient?: unknown;
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  fatal?: unknown;
  cause?: unknown;
}

/** Looks through the TheseusError wrapper (its `cause`) at what the driver said; a failed reconnect (CANNOT_CONNECT) may succeed at the next attempt. */
export function transientKind(err: unknown): TransientKind | undefined {
  for (let e = err as DriverError | undefined, depth = 0; e && depth < 4; e = e.cause as DriverError | undefined, depth++) {
    // Our own errors: only a failed reconnect is about the connection (a wrapped driver error is judged by its cause).
    if (e instanceof TheseusError) {
      if (e.code === 'CANNOT_CONNECT') return 'connection';
      continue;
    }
    if (e.transient === 'connection' || e.transient === 'contention') return e.transient;
    const code = typeof e.code === 'string' ? e.code : undefined;
    const errno = typeof e.errno === 'number' ? e.errno : undefined;
    if (code && NODE_CONNECTION.has(code)) return 'connection';
    if (code && /^08/.test(code) && code.length === 5) return 'connection';
    if (code && PG_CONNECTION.has(code)) return 'connection';
    if (code && PG_CONTENTION.has(code)) return 'contention';
    if (errno !== undefined && MYSQL_CONTENTION.has(errno)) return 'contention';
    if (errno !== undefined && MYSQL_CONNECTION.has(errno)) return 'connection';
    // mysql2 marks every error after which its connection is unusable.
    if (e.fatal === true) return 'connection';
    // DuckDB's optimistic concurrency reports a conflict by message only.
    if (typeof e.message === 'string' && /transaction conflict/i.test(e.message)) return 'contention';
    if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return 'connection';
  }
  return undefined;
}

/** The connection is gone (the server ended it, or it cannot be reached): the next statement needs a fresh one. */
export const isConnectionLoss = (err: unknown) => transientKind(err) === 'connection';

/**
 * Two sessions ran the same CREATE … IF NOT EXISTS at once and this one lost: PostgreSQL checks "if not exists"
 * before it inserts into its catalog, so the loser fails on the catalog's own unique index (pg_type's, pg_class's,
 * pg_namespace's: unique_violation naming it) or as duplicate_table/duplicate_schema. Run again, it finds the object.
 */
export function isCreateRace(err: unknown): boolean {
  for (let e = err as DriverError & { constraint?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as DriverError | undefined, depth++) {
    if (e.code === '42P07' || e.code === '42P06') return true;
    if (e.code === '23505' && typeof e.constraint === 'string' && /^pg_(type|class|namespace)_/.test(e.constraint)) return true;
  }
  return false;
}

/**
 * A unique key refused an insert: PostgreSQL's unique_violation, MySQL/MariaDB's duplicate entry, DuckDB's
 * constraint error (by message only). Only a step that races live writers by design (Step.onUniqueViolation)
 * treats it as contention; anywhere else it is the error it says.
 */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as DriverError | undefined, depth = 0; e && depth < 4; e = e.cause as DriverError | undefined, depth++) {
    if (e.code === '23505' || e.errno === 1062) return true;
    if (typeof e.message === 'string' && /duplicate key|violates (primary key|unique) constraint/i.test(e.message)) return true;
  }
  return false;
}
