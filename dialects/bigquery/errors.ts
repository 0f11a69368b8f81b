import type { TransientKind } from '../../src/backfill/transient';

/**
 * BigQuery's errors as the core reads them: one line of message, the error's reason (invalidQuery, notFound,
 * rateLimitExceeded, …) and the job id kept, and `transient` set where another attempt can succeed.
 */
export interface BigQueryError extends Error {
  code?: string;
  reason?: string;
  jobId?: string;
  transient?: TransientKind;
}

/**
 * Another statement got there first: concurrent mutating DML on one table (or partition) conflict, a
 * transaction aborted by a concurrent update, more than 20 DML statements queued on a table, or a rate limit.
 * BigQuery retries a conflicting DML statement a few times itself; these are what is left after it gave up.
 */
const CONTENTION_MESSAGE = /Could not serialize access|Transaction is aborted due to concurrent update|Too many DML statements outstanding|concurrent update/i;
const CONTENTION_REASONS = new Set(['rateLimitExceeded', 'jobRateLimitExceeded']);
/** The request got no answer, or BigQuery's side failed before the statement ran. */
const CONNECTION_REASONS = new Set(['backendError', 'internalError']);
const NODE_CONNECTION = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export function classifyBigQuery(err: { code?: unknown; message?: unknown; errors?: Array<{ reason?: unknown }> }): TransientKind | undefined {
  const message = typeof err.message === 'string' ? err.message : '';
  const reasons = (err.errors ?? []).map((e) => String(e.reason ?? ''));
  const code = err.code === undefined || err.code === null ? undefined : String(err.code);
  if (code && NODE_CONNECTION.has(code)) return 'connection';
  if (code && /^5\d\d$/.test(code)) return 'connection';
  if (reasons.some((r) => CONNECTION_REASONS.has(r))) return 'connection';
  if (CONTENTION_MESSAGE.test(message) || reasons.some((r) => CONTENTION_REASONS.has(r))) return 'contention';
  return undefined;
}

/** Rows written by legacy streaming (tabledata.insertAll) in the last ~30 minutes cannot be updated or merged. */
export const STREAMING_BUFFER = /streaming buffer/i;

/** Wraps what the client threw: one-line message ending in the reason and job id, the original kept as `cause`. */
export function bigqueryError(err: unknown, jobId?: string): BigQueryError {
  const e = (err ?? {}) as { code?: unknown; message?: unknown; errors?: Array<{ reason?: unknown; message?: unknown }> };
  let text = (typeof e.message === 'string' ? e.message : String(err)).replace(/\s*\n\s*/g, ' ').trim();
  if (/exceeded limit for bytes billed/i.test(text)) {
    text += ' — the statement would read more than its cap (backfill.max_bytes_billed, or else 1.2 times what its dry run said a moment before: the table grew, or a live load landed): nothing was billed; check backfill --plan, then run it again (it re-estimates) or raise the cap';
  }
  if (STREAMING_BUFFER.test(text)) {
    text += ' — rows streamed into the target in the last ~30 minutes (tabledata.insertAll, or a dlt load using streaming inserts) cannot be merged until BigQuery moves them out of its streaming buffer; run the backfill again later, or load with dlt\'s default batch jobs';
  }
  const reason = e.errors?.[0]?.reason === undefined ? undefined : String(e.errors[0].reason);
  const code = e.code === undefined || e.code === null ? undefined : String(e.code);
  const where = [reason && `BigQuery ${reason}`, jobId && `job ${jobId}`].filter(Boolean).join(', ');
  const wrapped = new Error(where ? `${text} (${where})` : text, { cause: err }) as BigQueryError;
  wrapped.name = 'BigQueryError';
  if (code) wrapped.code = code;
  if (reason) wrapped.reason = reason;
  if (jobId) wrapped.jobId = jobId;
  const transient = classifyBigQuery(e);
  if (transient) wrapped.transient = transient;
  return wrapped;
}
