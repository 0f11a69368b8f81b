import { postgres } from '../../dialects/postgres';
import { monthWindow, parseMonth } from '../../src/backfill/windows';
import { LedgerWriter } from '../../src/ledger/writes';
import { TEST_RUN } from '../helpers/testRun';

const ledger = new LedgerWriter(postgres, '_migrate', TEST_RUN);
const june = monthWindow(parseMonth('2024-06'));
const claimOf = (tableId: string, expected: { status: string; runId: string | null }) => ledger.sliceClaimSteps(tableId, june, expected).find((step) => /^UPDATE/.test(step.sql))!.sql;

describe("a slice's claim and tally, as printed", () => {
  test('the claim expects the row as read, as literals: a pending window, a failed one of another run', () => {
    expect(claimOf('orders', { status: 'pending', runId: null })).toMatch(/status = 'pending' AND run_id IS NULL$/);
    expect(claimOf('orders', { status: 'failed', runId: 'run-x' })).toContain("status = 'failed' AND run_id = 'run-x'");
  });

  test("a window another run holds is taken over only once the run log no longer has that run running (a file reviewed while it ran stops)", () => {
    const sql = claimOf('orders', { status: 'running', runId: 'run-x' });
    expect(sql).toContain("run_id = 'run-x' AND NOT EXISTS (SELECT 1 FROM \"_migrate\".runs AS r WHERE r.run_id = 'run-x' AND r.outcome = 'running')");
    // This run's own window (a claim again after a lost connection) needs no such check.
    expect(claimOf('orders', { status: 'running', runId: TEST_RUN.runId })).not.toContain('.runs AS r');
  });

  test("the closing statements find the tally's row whatever the table is called (a name holding ' AND ')", () => {
    const done = ledger.sliceDoneStep('Sales AND Returns', june).sql;
    expect(done).toContain("k.table_name = 'Sales AND Returns' AND k.window_key = '2024-06' AND k.run_id = '1733130000.5-test'");
    expect(done).not.toContain('k.Returns');
  });
});
