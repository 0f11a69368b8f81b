import type { Connection, Dialect } from '../../dialects/types';
import { SQL_PART_CHARS, StatementAudit } from '../../src/exec/statementAudit';
import { renderStatement } from '../../src/sql/template';
import { stateTimestampLiteral } from '../../src/ledger/stateTime';

/**
 * The audit log's INSERT as a run on `dialect` would send it (it is not part of a printed plan), captured from a
 * connection that only records: a long statement in parts, a failed one, one with bound values, one with quotes.
 * Appended to a dry run that creates the state tables, it goes through the engine's analyzer like the plan.
 */
/** …and prune --audit-log's DELETE after it. */
export async function auditInsertFor(dialect: Dialect, stateSchema: string): Promise<string[]> {
  const seen: string[] = [];
  const conn = { execute: async (sql: string) => (seen.push(sql), 0), query: async () => [], close: async () => undefined } as unknown as Connection;
  const audit = new StatementAudit(dialect, stateSchema, '1732262400.250000-abc123', true, () => undefined);
  const startedAt = new Date(Date.UTC(2024, 10, 22, 8, 0, 0, 250));
  audit.record({ unit: 'orders 2023-01: merge', intent: "Upsert the window's legacy rows", sql: `SELECT '${'x'.repeat(SQL_PART_CHARS + 10)}'`, startedAt, durationMs: 1234, rowsChanged: 1000 });
  audit.record({ unit: "it's quoted", intent: 'a check', sql: "SELECT 'O''Brien'", startedAt, durationMs: 5, error: 'WINDOW_KEYS_MISSING: 3 keys' });
  audit.record({ unit: 'ledger', intent: 'Record this run', sql: 'INSERT INTO t VALUES (?)', startedAt, durationMs: 1, rowsChanged: 1, bound: ['run-1', 42, null] });
  await audit.flush(conn);
  // migrate prune --audit-log's DELETE, as prune renders it.
  seen.push(renderStatement(dialect.templates, 'statement_log_prune', { state: dialect.quoteIdent(stateSchema), before: stateTimestampLiteral(dialect, startedAt) }));
  return seen;
}
