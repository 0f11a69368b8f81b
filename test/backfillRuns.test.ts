import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { legacyOrder, loadOrders } from './helpers/ordersFixture';
import { eventually, startCli } from './helpers/processes';
import { cli } from './helpers/warehouse';

/**
 * Which run moved a window's rows, and what a run says when it ends beside
 * another: a rerun that changes nothing keeps the slice's counts and run id
 * (each run's own counts go to the slice_runs history), so verify's change
 * note names the run that did the work; a backfill that ends while another
 * process still merges a window of the same table says so.
 */
const ROWS = 3000;
const MONTH = '2023-03';

describe.each(testEngines())('backfill runs in the ledger on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: ROWS }));
    expect(cli(['stitch', '--config', config]).status).toBe(0);
  });
  afterAll(async () => s?.drop());

  const slice = async () => (await s.query(`SELECT run_id, rows_inserted, rows_updated FROM ${s.q('_migrate', 'slices')} WHERE window_key = '${MONTH}'`))[0];
  const lastRun = async () => String((await s.query(`SELECT run_id FROM ${s.q('_migrate', 'runs')} WHERE command = 'backfill' ORDER BY started_at DESC`))[0].run_id);

  it('a rerun that changes nothing keeps the original counts and run id; the history has both runs; the change note names the first', async () => {
    expect(cli(['backfill', '--month', MONTH, '--config', config]).status).toBe(0);
    const first = await lastRun();
    const moved = await slice();
    expect(moved.run_id).toBe(first);
    expect(Number(moved.rows_inserted)).toBeGreaterThan(0);

    const rerun = cli(['backfill', '--month', MONTH, '--config', config]);
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toMatch(new RegExp(`orders ${MONTH}: [\\d,]+ legacy rows → 0 inserted, 0 updated`));
    const second = await lastRun();
    expect(second).not.toBe(first);
    expect(await slice()).toEqual(moved);

    const history = await s.query(`SELECT run_id, rows_inserted, rows_updated FROM ${s.q('_migrate', 'slice_runs')} WHERE window_key = '${MONTH}' ORDER BY ended_at`);
    expect(history.map((h) => [String(h.run_id), Number(h.rows_inserted), Number(h.rows_updated)])).toEqual([
      [first, Number(moved.rows_inserted), 0],
      [second, 0, 0],
    ]);

    const note = path.join(s.dir, 'change-note.md');
    const verified = cli(['verify', '--month', MONTH, '--markdown', note, '--config', config]);
    expect(verified.status).toBe(0);
    expect(fs.readFileSync(note, 'utf8')).toContain(`- **Backfill runs:** \`${first}\`.`);
  });
});

/** PostgreSQL shares backfill's table lock, so two backfill processes can work on one table at once. */
const describePg = testEngines().includes('postgres') ? describe : describe.skip;
describePg('a backfill that ends while another works on the same table, on postgres', () => {
  let s: Sandbox;
  let config: string;
  let slowConfig: string;
  const SLOW_ID = 42;
  const SLOW_MONTH = legacyOrder(SLOW_ID).createdAt!.slice(0, 7);
  beforeAll(async () => {
    s = await openSandbox('postgres');
    // A key index: slices upsert with ON CONFLICT, which holds no table lock, so both runs' slices go on at once.
    const tables = await loadOrders(s, { rows: ROWS, targetKey: true });
    config = s.writeConfig(tables);
    // One legacy row of SLOW_MONTH sleeps when read, so that window's slice is under way for a while.
    slowConfig = s.writeConfig(`${tables}      channel: { expr: 'CASE WHEN "Id" = ${SLOW_ID} THEN (SELECT ''web'' FROM pg_sleep(4)) ELSE ''web'' END' }\n`, 'slow.yaml');
    expect(cli(['stitch', '--config', config]).status).toBe(0);
  });
  afterAll(async () => s?.drop());

  it('says which run is still working instead of "complete" or "not backfilled"; the other run then completes the table', async () => {
    const other = startCli(['backfill', '--month', SLOW_MONTH, '--config', slowConfig]);
    await eventually(
      async () => (await s.query(`SELECT 1 FROM ${s.q('_migrate', 'slices')} WHERE window_key = '${SLOW_MONTH}' AND status = 'running'`)).length > 0,
      30_000,
      'the other run to start its slice',
    );
    const [holder] = await s.query(`SELECT run_id FROM ${s.q('_migrate', 'slices')} WHERE window_key = '${SLOW_MONTH}'`);
    const mine = cli(['backfill', '--all', '--include-null-cursor', '--config', config]);
    expect(mine.stderr).not.toMatch(/error/);
    expect(mine.status).toBe(0);
    expect(mine.stdout).toContain(`orders ${SLOW_MONTH}: skipped, run ${String(holder.run_id)} is running it`);
    expect(mine.stdout).toContain(`orders: not complete yet: run ${String(holder.run_id)} is still working on ${SLOW_MONTH}; the table is complete once it finishes`);
    expect(mine.stdout).not.toMatch(/complete: every legacy row|NOT complete/);

    const { code } = await other.exited;
    expect(code).toBe(0);
    expect(other.stdout()).toContain('orders: complete: every legacy row is in the target');
    const [phase] = await s.query(`SELECT phase FROM ${s.q('_migrate', 'table_phases')} WHERE table_name = 'orders'`);
    expect(phase.phase).toBe('backfilled');
  });
});
