import { type Sandbox, testEngines } from './helpers/engines';
import { eventually, startCli } from './helpers/processes';
import { SLOW_MONTH, openStitchedOrders } from './helpers/slowOrders';
import { cli } from './helpers/warehouse';

/**
 * What a hard stop (a second Ctrl-C, SIGKILL) leaves behind, and how the next
 * commands read it: `status` tells a live run's running slices from a dead
 * one's, the next run marks the dead run interrupted in the run log, and a
 * clean end removes its lock holder row.
 */
const ROWS = 6000;
const OTHER_MONTH = SLOW_MONTH === '2023-01' ? '2023-02' : '2023-01';

interface StatusJson {
  windows: { running: number; pending: number };
  interrupted: Array<{ window: string; run: string | null }>;
}
const status = (config: string): StatusJson => {
  const r = cli(['status', '--json', '--config', config]);
  expect(r.stderr).not.toMatch(/error/);
  return JSON.parse(r.stdout).tables[0] as StatusJson;
};

describe.each(testEngines())('after a hard stop on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  let slowConfig: string;
  beforeAll(async () => {
    ({ s, config, slowConfig } = await openStitchedOrders(engine, ROWS, 2));
  });
  afterAll(async () => s?.drop());

  const locks = () => s.query(`SELECT run_id FROM ${s.q('_migrate', 'locks')}`);
  const run = async (runId: string) => (await s.query(`SELECT outcome, error FROM ${s.q('_migrate', 'runs')} WHERE run_id = '${runId}'`))[0];
  const running = () => s.query(`SELECT window_key, run_id FROM ${s.q('_migrate', 'slices')} WHERE status = 'running'`);

  it('a clean end removes its lock holder row', async () => {
    expect(await locks()).toEqual([]);
    expect(cli(['backfill', '--month', OTHER_MONTH, '--config', config]).status).toBe(0);
    expect(await locks()).toEqual([]);
  });

  it('a second SIGINT (servers) or SIGKILL (DuckDB) mid-slice: status says interrupted, not running; the next run marks the run interrupted', async () => {
    if (engine === 'duckdb') {
      // DuckDB's file lock keeps everyone out while the run lives: kill it while its slow slice runs (it starts right after the plan).
      const killed = startCli(['backfill', '--month', SLOW_MONTH, '--json', '--config', slowConfig]);
      await killed.waitFor(/"event":"table"/);
      await new Promise((r) => setTimeout(r, 700));
      killed.child.kill('SIGKILL');
      expect((await killed.exited).signal).toBe('SIGKILL');
    } else {
      const stopped = startCli(['backfill', '--month', SLOW_MONTH, '--config', slowConfig]);
      await eventually(async () => (await running()).length > 0, 30_000, 'the slow slice to start');
      stopped.child.kill('SIGINT');
      await stopped.waitFor(/stopping: SIGINT received/);
      stopped.child.kill('SIGINT');
      expect((await stopped.exited).code).toBe(130);
    }
    const [row] = await s.query(`SELECT run_id FROM ${s.q('_migrate', 'runs')} WHERE outcome = 'running'`);
    const killedRun = String(row.run_id);
    expect(await running()).toEqual([{ window_key: SLOW_MONTH, run_id: killedRun }]);

    // The run's lock goes with its connection, at once or in a moment (the server notices the closed socket).
    await eventually(async () => status(config).interrupted.length === 1, 10_000, 'status to see the run is gone');
    const st = status(config);
    expect(st.windows.running).toBe(0);
    expect(st.interrupted).toEqual([{ window: SLOW_MONTH, run: killedRun }]);
    const text = cli(['status', '--config', config]).stdout;
    expect(text).toContain(`orders ${SLOW_MONTH}: interrupted (run ${killedRun} ended without finishing it); resumes on the next run`);
    expect(text).toMatch(/^orders\s+\S+\s+\d+\/\d+\s+\d+\s+0\s+0\s/m); // failed 0, running 0
    expect((await run(killedRun)).outcome).toBe('running');

    const next = cli(['backfill', '--all', '--include-null-cursor', '--config', config]);
    expect(next.stderr).not.toMatch(/error/);
    expect(next.status).toBe(0);
    expect(next.stdout).toContain(`note: run ${killedRun} ended without recording how; marked interrupted in the run log`);
    expect(await run(killedRun)).toMatchObject({ outcome: 'interrupted' });
    expect(String((await run(killedRun)).error)).toMatch(/the process ended without recording how/);
    expect(await running()).toEqual([]);
    expect(await locks()).toEqual([]);
    expect(status(config)).toMatchObject({ windows: { running: 0, pending: 0 }, interrupted: [] });
  });
});
