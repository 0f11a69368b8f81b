import { type ApprovalRecord, currentApproval, readApprovals, requireApproval, stateFacts } from '../lifecycle/approval';
import { type ValidationRecord, readRuns } from '../ledger/reads';
import type { TableContext } from '../plan/tableContext';
import { stagingId } from '../plan/staging';
import type { Session } from './session';
import { unpromoted } from './staging';

/**
 * cutover.require_approval, as cutover and promote ask it. Cutover: a reviewer's approval must hold for the table's
 * current validation marks; or, for a table moved in from staging, the approval of the staged state (verify --against
 * staging --approve) must still hold, and every mark of the table must have been written by a promote (each promote
 * slice validates its window against legacy in its own transaction, so nothing but approved staged rows moved in).
 * Promote: the staged state's approval must hold, so nothing reaches the live table before a reviewer saw it.
 */
export async function checkApproval(s: Session, ctx: TableContext, windowKeys: string[], gate: 'cutover' | 'promote'): Promise<void> {
  // Promote is asked with the staging's context: its id is the staging's.
  const id = ctx.table.id;
  const approvals = (tableId: string) => s.reads.dataCheck(tableId, "reviewers' approvals (cutover.require_approval)", (conn) => readApprovals(conn, s.dialect, s.config.stateSchema, tableId));
  const own = await approvals(id);
  if (!own) return;
  const marks = await s.reads.validations(id);
  const facts = stateFacts(windowKeys, marks);
  let holding: ApprovalRecord | undefined = gate === 'cutover' ? currentApproval(own, facts) : undefined;
  let through = '';
  if (!holding && gate === 'cutover' && (await promotedOnly(s, id, marks))) {
    const staged = stagingId(id);
    const stagedApprovals = (await approvals(staged)) ?? [];
    const stagedState = await s.reads.tableState(staged);
    // Every staged window must be in the target as approved: one staged again since its promote is not.
    if (unpromoted(stagedState.slices, (await s.reads.tableState(id)).slices).length === 0)
      holding = currentApproval(stagedApprovals, stateFacts(stagedState.slices.map((x) => x.windowKey), await s.reads.validations(staged)));
    through = ' (the staged state, every window since moved in by promote)';
  }
  holding ??= requireApproval(id, own, facts, gate === 'promote' ? 'migrate verify --against staging --approve' : 'migrate verify --approve');
  s.log(`${id}: approved by ${holding.approver} at ${holding.approvedAt ?? '?'}${through}${holding.selfApproved ? ' (self-approved)' : ''}; the operator${holding.operators?.includes(',') ? 's were' : ' was'} ${holding.operators ?? 'not recorded'}`);
}

/** Were every one of the table's validation marks written by a promote run (and is there one)? */
async function promotedOnly(s: Session, id: string, marks: ValidationRecord[]): Promise<boolean> {
  if (!marks.length) return false;
  const runs = await s.reads.dataCheck(id, 'which commands wrote the validation marks (the run log)', (conn) => readRuns(conn, s.dialect, s.config.stateSchema));
  if (!runs) return false;
  const promotes = new Set(runs.filter((r) => r.command === 'promote').map((r) => r.runId));
  return marks.every((m) => m.runId !== null && promotes.has(m.runId));
}
