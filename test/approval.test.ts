import * as fs from 'node:fs';
import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { legacyOrder, loadOrders } from './helpers/ordersFixture';

/**
 * Operator and reviewer (issue 16): with cutover.require_approval, cutover waits for a reviewer's
 * `verify --approve` of the current validated state; a later backfill of one window voids it; the reviewer must not
 * be the operator who ran the backfill unless --self-approve, which is recorded. The operator is THESEUS_OPERATOR.
 */
describe.each(testEngines())('approval before cutover on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  const as = (operator: string, ...args: string[]) => cli([...args, '--config', config], { THESEUS_OPERATOR: operator });
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(`${await loadOrders(s, { rows: 200 })}cutover:\n  require_approval: true\n`);
    expect(as('alice', 'stitch').status).toBe(0);
    expect(as('alice', 'backfill', '--all', '--include-null-cursor').status).toBe(0);
  });
  afterAll(async () => s?.drop());

  it('cutover waits for a reviewer other than the operator; a later backfill of one window voids the approval', async () => {
    const unapproved = as('alice', 'cutover');
    expect(unapproved.status).toBe(3);
    expect(unapproved.stderr).toContain('NOT_APPROVED');
    expect(unapproved.stderr).toContain('no reviewer has approved');

    const self = as('alice', 'verify', '--approve');
    expect(self.status).toBe(3);
    expect(self.stderr).toContain('SELF_APPROVAL');
    expect(self.stderr).toContain('alice ran the backfill');

    const note = `${s.dir}/note.md`;
    const approved = as('bob', 'verify', '--approve', '--markdown', note, '--reason', 'release review TICKET-12');
    expect(approved.status).toBe(0);
    expect(approved.stdout).toContain('orders: approved by bob');
    const text = fs.readFileSync(note, 'utf8');
    expect(text).toContain('- **Operator:** alice (ran the backfill).');
    expect(text).toMatch(/- \*\*Reviewer:\*\* bob, approved \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\./);
    const log = JSON.parse(as('bob', 'log', '--json').stdout).runs;
    expect(log[0]).toMatchObject({ command: 'verify', operator: 'bob', reason: 'release review TICKET-12', outcome: 'succeeded' });

    // One window backfilled again after the approval: the approval no longer holds, and cutover names the window.
    const month = legacyOrder(7).createdAt!.slice(0, 7);
    expect(as('alice', 'backfill', '--month', month, '--rerun').status).toBe(0);
    const voided = as('alice', 'cutover');
    expect(voided.status).toBe(3);
    expect(voided.stderr).toContain('NOT_APPROVED');
    expect(voided.stderr).toContain(`the approval by bob at`);
    expect(voided.stderr).toContain(`1 window validated again, backfilled, undone or added since (${month})`);
    // --force overrides validation, not the reviewer the config asks for.
    expect(as('alice', 'cutover', '--force', '--reason', 'in a hurry').status).toBe(3);

    // The operator may approve her own backfill only with --self-approve, which the ledger keeps.
    const selfApproved = as('alice', 'verify', '--approve', '--self-approve');
    expect(selfApproved.status).toBe(0);
    expect(selfApproved.stdout).toContain('self-approved');
    const rows = await s.query(`SELECT approver, self_approved FROM ${s.quote(s.stateSchema)}.approvals ORDER BY approved_at`);
    expect(rows.map((r) => `${String(r.approver)} ${String(r.self_approved)}`)).toEqual(['bob no', 'alice yes']);
    const cut = as('alice', 'cutover');
    expect(cut.status).toBe(0);
    expect(cut.stdout).toContain('orders: approved by alice');

    // Weeks backfilled again inside an approved month void the approval too; a new one holds, with the week marks
    // verify leaves as they are (it checks the month) part of the state it approves.
    expect(as('alice', 'rollback').status).toBe(0);
    expect(as('carol', 'backfill', '--month', month, '--slice', 'week', '--rerun').status).toBe(0);
    const weeks = as('alice', 'cutover');
    expect(weeks.status).toBe(3);
    expect(weeks.stderr).toMatch(/NOT_APPROVED.*\(\d{4}-W\d{2}/);
    expect(as('bob', 'verify', '--approve').status).toBe(0);
    expect(as('alice', 'cutover').status).toBe(0);
  });
});
