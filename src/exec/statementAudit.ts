import type { Connection, Dialect, SqlValue } from '../../dialects/types';
import { renderStatement } from '../sql/template';
import { stateTimestampLiteral } from '../ledger/stateTime';

/** One statement a run's plan executed, as the audit log keeps it. */
export interface AuditedStatement {
  unit: string;
  intent: string;
  sql: string;
  startedAt: Date;
  durationMs: number;
  /** Rows the statement changed (exec); undefined for a query. */
  rowsChanged?: number;
  /** The engine's error, for the statement that failed. */
  error?: string;
  /** The values bound to its $n parameters (bookkeeping statements), in order. */
  bound?: readonly SqlValue[];
}

/** A long statement is kept in parts of this many characters: MySQL's TEXT holds 65,535 bytes, 4 to a character at most. */
export const SQL_PART_CHARS = 8000;
/** Rows per INSERT: one statement per unit, usually; a unit of many statements is written in a few. */
const ROWS_PER_INSERT = 50;

/**
 * The audit log of a run (the state schema's statement_log): what the executor ran, buffered while a unit runs and
 * written as soon as it ends (committed or rolled back), on the unit's own connection, outside its transaction, so
 * a failed unit's statements are kept too, and a process killed outright loses at most the unit it was in. (Written
 * in batches of a few hundred statements instead, a run killed with kill -9 lost committed slices' statements; an
 * INSERT per unit costs a few milliseconds.) The log's own INSERTs are not logged and are not part of the printed plan.
 * `keepSql: false` (config `log.keep_sql`) keeps everything but the SQL text.
 */
export class StatementAudit {
  private seq = 0;
  private pending: Array<AuditedStatement & { seq: number }> = [];
  private broken = false;

  constructor(
    private readonly dialect: Dialect,
    private readonly stateSchema: string,
    private readonly runId: string,
    private readonly keepSql: boolean,
    private readonly warn: (line: string) => void,
  ) {}

  record(statement: AuditedStatement): void {
    if (!this.broken) this.pending.push({ ...statement, seq: ++this.seq });
  }

  /** Writes what is buffered. A failure to write the log is said once and stops the log; the migration goes on. */
  async flush(conn: Connection): Promise<void> {
    if (this.broken || this.pending.length === 0) return;
    const rows = this.pending.flatMap((s) => this.rowsOf(s));
    this.pending = [];
    try {
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        await conn.execute(renderStatement(this.dialect.templates, 'statement_log_write', { state: this.dialect.quoteIdent(this.stateSchema), rows: rows.slice(i, i + ROWS_PER_INSERT).join(',\n  ') }));
      }
    } catch (err) {
      this.broken = true;
      this.warn(`the audit log (${this.stateSchema}.statement_log) could not be written, so this run's statements are not kept there: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }

  /** One VALUES row per part of the statement's text (one part when the SQL is not kept). */
  private rowsOf(s: AuditedStatement & { seq: number }): string[] {
    const d = this.dialect;
    const text = (v: string | undefined) => (v === undefined ? 'NULL' : d.stringLiteral(v));
    const int = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'NULL' : String(Math.round(v)));
    const started = stateTimestampLiteral(d, s.startedAt);
    const parts = this.keepSql ? splitParts(s.sql) : [undefined];
    return parts.map((sql, part) => `(${[text(this.runId), int(s.seq), int(part), text(s.unit), text(s.intent), started, int(s.durationMs), int(s.rowsChanged), text(s.error), text(s.bound?.length ? JSON.stringify(s.bound) : undefined), text(sql)].join(', ')})`);
  }
}

function splitParts(sql: string): string[] {
  const parts: string[] = [];
  // By code points, so a character outside the BMP is never cut in two.
  const chars = Array.from(sql);
  for (let i = 0; i < chars.length; i += SQL_PART_CHARS) parts.push(chars.slice(i, i + SQL_PART_CHARS).join(''));
  return parts.length ? parts : [''];
}
