import * as crypto from 'node:crypto';
import type { Connection, Dialect } from '../../dialects/types';
import { type ValidationRecord, ledgerHas, readRuns } from '../ledger/reads';
import { renderStatement } from '../sql/template';
import { preconditionError } from '../errors';
import { count } from '../plural';

/**
 * Operator and reviewer (issue 16): `migrate verify --approve` records that a reviewer approves a table's validated
 * state, and `cutover.require_approval` holds cutover until the current state has such an approval. The state is
 * fingerprinted by its validation marks: each window's status, both checksums and the run that recorded it. A window
 * validated again (by verify, or by a backfill's slice), backfilled with --no-validate or undone changes its mark or
 * removes it, so the fingerprint no longer matches and the approval is void.
 */

/** What one window's mark contributes to the fingerprint. */
export interface MarkFacts {
  windowKey: string;
  status: string;
  legacyChecksum: string | null;
  targetChecksum: string | null;
  runId: string | null;
}

export function fingerprintOf(marks: MarkFacts[]): string {
  const lines = marks.map((m) => [m.windowKey, m.status, m.legacyChecksum ?? '', m.targetChecksum ?? '', m.runId ?? ''].join('|')).sort();
  return crypto.createHash('sha256').update(lines.join('\n')).digest('hex');
}

export interface ApprovalRecord {
  verifyRunId: string;
  approver: string;
  operators: string | null;
  selfApproved: boolean;
  fingerprint: string;
  approvedAt: string | null;
}

/** A table's approvals, newest first (none before any was recorded, or in a ledger from before approvals). */
export async function readApprovals(conn: Connection, dialect: Dialect, stateSchema: string, tableId: string): Promise<ApprovalRecord[]> {
  if (!(await ledgerHas(conn, dialect, stateSchema, 'approvals'))) return [];
  const values = { state: dialect.quoteIdent(stateSchema), p1: dialect.placeholder(1) };
  const rows = await conn.query(renderStatement(dialect.templates, 'ledger_read_approvals', values), [tableId]);
  return rows.map((r) => ({
    verifyRunId: String(r.verify_run_id),
    approver: String(r.approver),
    operators: r.operators == null ? null : String(r.operators),
    selfApproved: r.self_approved === 'yes',
    fingerprint: String(r.fingerprint),
    approvedAt: r.approved_at == null ? null : String(r.approved_at),
  }));
}

/** The runs that changed rows of a table (the slices' history, slice_runs), whoever the slices row names now. */
export async function readWriterRuns(conn: Connection, dialect: Dialect, stateSchema: string, tableId: string): Promise<string[]> {
  if (!(await ledgerHas(conn, dialect, stateSchema, 'slice_runs'))) return [];
  const values = { state: dialect.quoteIdent(stateSchema), p1: dialect.placeholder(1) };
  return (await conn.query(renderStatement(dialect.templates, 'ledger_read_writer_runs', values), [tableId])).map((r) => String(r.run_id));
}

/** Who ran each run, from the run log. */
export async function readRunOperators(conn: Connection, dialect: Dialect, stateSchema: string): Promise<Map<string, string>> {
  return new Map((await readRuns(conn, dialect, stateSchema)).map((r) => [r.runId, r.operator ?? '']));
}

/**
 * The state an approval is for: every window of the ledger (a week inside a verified month too), with its mark or
 * none; `rewritten` replaces the marks a verify run is about to record. A window registered since (no mark), or a
 * week backfilled again inside an approved month, changes it.
 */
export function stateFacts(windowKeys: string[], marks: ValidationRecord[], rewritten: MarkFacts[] = []): MarkFacts[] {
  const facts = new Map<string, MarkFacts>();
  for (const key of windowKeys) facts.set(key, { windowKey: key, status: 'none', legacyChecksum: null, targetChecksum: null, runId: null });
  for (const m of marks) facts.set(m.windowKey, { windowKey: m.windowKey, status: m.status, legacyChecksum: m.legacyChecksum, targetChecksum: m.targetChecksum, runId: m.runId });
  for (const r of rewritten) facts.set(r.windowKey, r);
  return [...facts.values()];
}

/** The approval that holds for the current state, if any. */
export function currentApproval(approvals: ApprovalRecord[], facts: MarkFacts[]): ApprovalRecord | undefined {
  const now = fingerprintOf(facts);
  return approvals.find((a) => a.fingerprint === now);
}

/**
 * cutover.require_approval: refuses (NOT_APPROVED, exit 3) unless an approval holds for the current marks, naming
 * what voided the latest one. Returns the approval that holds.
 */
export function requireApproval(tableId: string, approvals: ApprovalRecord[], facts: MarkFacts[], verify = 'migrate verify --approve'): ApprovalRecord {
  const holding = currentApproval(approvals, facts);
  if (holding) return holding;
  const latest = approvals[0];
  const hint = `a reviewer other than the operator runs \`${verify}\` (cutover.require_approval is set in the config)`;
  if (!latest) throw preconditionError('NOT_APPROVED', `${tableId}: no reviewer has approved its validated state`, hint);
  const changed = facts.filter((m) => m.runId !== latest.verifyRunId).map((m) => m.windowKey);
  const what = changed.length
    ? `${count(changed.length, 'window')} validated again, backfilled, undone or added since (${changed.slice(0, 6).join(', ')}${changed.length > 6 ? ', …' : ''})`
    : 'windows were backfilled or undone since';
  throw preconditionError('NOT_APPROVED', `${tableId}: the approval by ${latest.approver} at ${latest.approvedAt ?? '?'} no longer holds: ${what}`, hint);
}
