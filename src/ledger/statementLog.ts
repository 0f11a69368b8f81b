import type { Connection, Dialect } from '../../dialects/types';
import { renderStatement } from '../sql/template';
import { ledgerHas } from './reads';

/** One statement of a run, as `migrate log --sql` shows it (its parts joined again). */
export interface LoggedStatement {
  seq: number;
  unit: string | null;
  intent: string | null;
  startedAt: string | null;
  durationMs: number | null;
  rowsChanged: number | null;
  error: string | null;
  /** The values bound to the statement's parameters, as JSON (bookkeeping statements), else null. */
  bound: string | null;
  /** null where the run kept no SQL (log.keep_sql: false). */
  sql: string | null;
}

const text = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** The statements a run executed, in order (none where the ledger predates the audit log). */
export async function readStatements(conn: Connection, dialect: Dialect, stateSchema: string, runId: string): Promise<LoggedStatement[]> {
  if (!(await ledgerHas(conn, dialect, stateSchema, 'statement_log'))) return [];
  const rows = await conn.query(renderStatement(dialect.templates, 'statement_log_read', { state: dialect.quoteIdent(stateSchema), p1: dialect.placeholder(1) }), [runId], ['text']);
  const bySeq = new Map<number, LoggedStatement>();
  for (const r of rows) {
    const seq = Number(r.seq);
    const found = bySeq.get(seq);
    if (found) {
      if (found.sql !== null) found.sql += text(r.sql_text) ?? '';
      continue;
    }
    bySeq.set(seq, { seq, unit: text(r.unit_title), intent: text(r.intent), startedAt: text(r.started_at), durationMs: num(r.duration_ms), rowsChanged: num(r.rows_changed), error: text(r.error), bound: text(r.bound_values), sql: text(r.sql_text) });
  }
  return [...bySeq.values()];
}
