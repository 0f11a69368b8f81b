import type { TransientKind } from '../../src/backfill/transient';

/**
 * Snowflake's errors as the core reads them: one line of message (Snowflake's
 * own put the reason on the second line, "SQL compilation error:\n…"), the
 * error code, SQLSTATE and query id kept (a DBA looks the query up by its id),
 * and `transient` set where another attempt can succeed (backfill/transient.ts
 * reads it), since these codes mean nothing to the other engines.
 */
export interface SnowflakeError extends Error {
  code?: string;
  sqlState?: string;
  queryId?: string;
  transient?: TransientKind;
}

/**
 * The request never got an answer, or the session is gone: snowflake-sdk's own
 * codes (401001 network, 401002 bad response, 402001/402002 the same for large
 * results, 407002 a request on a disconnected connection) and Snowflake's
 * "session no longer exists" / token-expired answers (390111, 390112, 390114).
 */
const CONNECTION_CODES = new Set(['401001', '401002', '402001', '402002', '407002', '390111', '390112', '390114']);
const NODE_CONNECTION = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * Another transaction holds the table's lock: the statement waited LOCK_TIMEOUT
 * seconds, or too many statements already wait for that lock (000625). The
 * codes of a lock wait are recalled, not read in Snowflake's documentation, so
 * the message is matched as well; both need checking against an account.
 */
const CONTENTION_CODES = new Set(['000625']);
const CONTENTION_MESSAGE = /\block\b.*\b(timeout|timed out|not yet been released|waiters)\b|\bLOCK_TIMEOUT\b|\bdeadlock\b/i;

export function classifySnowflake(err: { code?: unknown; message?: unknown; cause?: unknown }): TransientKind | undefined {
  const code = err.code === undefined || err.code === null ? undefined : String(err.code);
  const message = typeof err.message === 'string' ? err.message : '';
  if (code && CONNECTION_CODES.has(code)) return 'connection';
  if (code && NODE_CONNECTION.has(code)) return 'connection';
  const cause = err.cause as { code?: unknown } | undefined;
  if (cause && typeof cause.code === 'string' && NODE_CONNECTION.has(cause.code)) return 'connection';
  if (code && CONTENTION_CODES.has(code)) return 'contention';
  if (CONTENTION_MESSAGE.test(message)) return 'contention';
  return undefined;
}

/** Wraps what the SDK threw: one-line message ending in the code and query id, the original kept as `cause`. */
export function snowflakeError(err: unknown): SnowflakeError {
  const e = (err ?? {}) as { code?: unknown; sqlState?: unknown; message?: unknown; data?: { queryId?: unknown }; cause?: unknown };
  const text = (typeof e.message === 'string' ? e.message : String(err)).replace(/\s*\n\s*/g, ' ').trim();
  const code = e.code === undefined || e.code === null ? undefined : String(e.code);
  const queryId = e.data?.queryId === undefined ? undefined : String(e.data.queryId);
  const where = [code && `Snowflake ${code}`, typeof e.sqlState === 'string' && `SQLSTATE ${e.sqlState}`, queryId && `query id ${queryId}`].filter(Boolean).join(', ');
  const wrapped = new Error(where ? `${text} (${where})` : text, { cause: err }) as SnowflakeError;
  wrapped.name = 'SnowflakeError';
  if (code) wrapped.code = code;
  if (typeof e.sqlState === 'string') wrapped.sqlState = e.sqlState;
  if (queryId) wrapped.queryId = queryId;
  const transient = classifySnowflake(e);
  if (transient) wrapped.transient = transient;
  return wrapped;
}
