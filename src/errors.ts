/**
 * Typed errors. Each error belongs to one class, and each class has its own
 * process exit code, so scripts and orchestrators can tell "you typed it wrong"
 * from "the data is not ready" from "the database said no".
 * The table of codes is repeated in the README; keep them in step.
 */
export type ErrorClass = 'usage' | 'precondition' | 'assertion' | 'database' | 'stopped' | 'internal';

export const EXIT_CODES: Readonly<Record<ErrorClass, number>> = Object.freeze({
  internal: 1,
  usage: 2, // bad flags, bad config, unknown table or column
  precondition: 3, // refused: the lifecycle is not at a point where this is safe
  assertion: 4, // a Definition of Done assertion failed; the unit was rolled back
  database: 5, // the engine returned an error
  stopped: 6, // a backfill stopped before its work was done (critical load); run it again to resume
});

export class TheseusError extends Error {
  /** Stable machine-readable code, e.g. CONFIG_UNREADABLE. */
  readonly code: string;
  readonly errorClass: ErrorClass;
  /** What the operator should do next. */
  readonly hint?: string;

  /** Set where the process should exit with a code of its own (e.g. 130 after Ctrl-C). */
  exitCodeOverride?: number;

  constructor(errorClass: ErrorClass, code: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TheseusError';
    this.errorClass = errorClass;
    this.code = code;
    this.hint = hint;
  }

  get exitCode(): number {
    return this.exitCodeOverride ?? EXIT_CODES[this.errorClass];
  }
}

export const usageError = (code: string, message: string, hint?: string) =>
  new TheseusError('usage', code, message, hint);

export const preconditionError = (code: string, message: string, hint?: string) =>
  new TheseusError('precondition', code, message, hint);

export const assertionError = (code: string, message: string, hint?: string) =>
  new TheseusError('assertion', code, message, hint);

/** Wraps an engine error with the statement's intent so the message says what was being done. */
export function databaseError(cause: unknown, context: string, sql?: string): TheseusError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const err = new TheseusError(
    'database',
    'DATABASE_ERROR',
    `${context}: ${firstLine(reason)}`,
    sql ? `statement: ${firstLine(sql)}${sql.includes('\n') ? ' …' : ''}` : undefined,
    // The driver's error stays attached: retries tell a deadlock from a syntax error by its code.
    { cause },
  );
  return err;
}

export function asTheseusError(err: unknown): TheseusError {
  if (err instanceof TheseusError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TheseusError('internal', 'INTERNAL', message, 'this is a bug in Theseus; please report it with the command you ran');
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/**
 * Hides passwords wherever they would be printed. In a URL the password runs
 * from the colon after the user to the *last* `@` before the host, since an
 * unencoded password may itself hold `@`, `:` or `/`. `key=value` and
 * `key: value` forms are masked too (a key's passphrase and BigQuery's access_token as well), except MySQL's "(using password: YES)",
 * which says whether a password was sent, not what it was.
 */
export function maskSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)(\S+)(@[^@\s]*)/gi, '$1***$3')
    .replace(/((?<!using )(?:password|passphrase|access_token)\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;}]+)/gi, '$1***');
}
