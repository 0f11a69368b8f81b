import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDialect } from '../dialects';
import type { Connection } from '../dialects/types';
import { busySessions, doneWindows, events, resetBackfill, sliceStatuses } from './helpers/backfillEvents';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { eventually, startCli } from './helpers/processes';
import { cli } from './helpers/warehouse';

/**
 * The backfill's run controls against real servers, each shown doing what it
 * says: slice size and order, --limit, --rerun, parallel workers in two
 * processes, --min-interval, the load throttle and its critical stop, the
 * pause file, signals, retries and --on-error. Each server runs the controls
 * that need its own load signal or locks; the rest run once.
 */
const ROWS = 6000;
const has = (engine: 'postgres' | 'mysql') => testEngines().includes(engine);
const describeOn = (engine: 'postgres' | 'mysql') => (has(engine) ? describe : describe.skip);

async function sandboxWithOrders(engine: 'postgres' | 'mysql', backfillYaml = ''): Promise<{ s: Sandbox; config: string }> {
  const s = await openSandbox(engine);
  const config = s.writeConfig((await loadOrders(s, { rows: ROWS })) + backfillYaml);
  const stitched = cli(['stitch', '--config', config]);
  expect(stitched.status).toBe(0);
  return { s, config };
}

/**
 * Four sessions keep the server busy for 3 s while one month is backfilled
 * under --max-load: no slice runs until they end, and the events say
 * throttled → cleared → done. Returns the throttled event.
 */
async function throttledThenResumed(s: Sandbox, config: string, maxLoad: string): Promise<Record<string, unknown>> {
  const busy = await busySessions(s, 4, 3);
  const run = startCli(['backfill', '--month', '2023-01', '--slice', 'month', '--max-load', maxLoad, '--recheck-every', '200ms', '--json', '--config', config]);
  await run.waitFor(/"event":"throttled"/);
  expect(doneWindows(events(run.stdout()))).toEqual([]);
  await busy.done;
  expect((await run.exited).code).toBe(0);
  const evs = events(run.stdout());
  expect(evs.map((e) => e.event).filter((e) => ['throttled', 'throttle_cleared', 'slice_done'].includes(e))).toEqual(['throttled', 'throttle_cleared', 'slice_done']);
  return evs.find((e) => e.event === 'throttled')!;
}

const sum = (evs: ReturnType<typeof events>, event: string, field: string) => evs.filter((e) => e.event === event).reduce((a, e) => a + Number(e[field]), 0);

describeOn('mysql')('backfill controls on mysql (MariaDB)', () => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    // Set in the config, as an operator would for every run of this table set.
    ({ s, config } = await sandboxWithOrders('mysql', 'backfill:\n  slice: week\n  newest_first: true\n  limit: 3\n'));
  });
  afterAll(async () => s?.drop());

  it('slice, newest_first and limit from the config: the three newest ISO weeks, then a clean stop', async () => {
    const r = cli(['backfill', '--all', '--json', '--config', config]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const weeks = doneWindows(events(r.stdout));
    expect(weeks).toHaveLength(3);
    weeks.forEach((w) => expect(w).toMatch(/^\d{4}-W\d{2}$/));
    expect([...weeks].sort().reverse()).toEqual(weeks);
    const [newest] = await s.query(`SELECT max(${s.quote('CreatedAt')}) AS m FROM ${s.q('legacy_schema', 'orders')}`);
    expect(String(newest.m).slice(0, 10) >= '2024-12-23').toBe(true);
    expect(weeks[0]).toBe('2025-W01'); // 2024-12-30 is in ISO week 1 of 2025
    const statuses = await sliceStatuses(s);
    expect(Object.values(statuses).filter((x) => x === 'done')).toHaveLength(3);
    expect(Object.values(statuses).filter((x) => x === 'pending').length).toBeGreaterThan(90);
  });

  it('a flag overrides the config, and the next run goes on where the limited one stopped', async () => {
    const r = cli(['backfill', '--all', '--limit', '1000', '--include-null-cursor', '--config', config]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/3 already done/);
    expect(r.stdout).toContain('complete: every legacy row is in the target');
    const [t] = await s.query(`SELECT count(*) AS n, count(DISTINCT id) AS k FROM ${s.q('dlt_schema', 'orders')}`);
    expect([Number(t.n), Number(t.k)]).toEqual([ROWS, ROWS]);
  });

  it('--rerun runs every window again and, with legacy unchanged, changes 0 rows', async () => {
    const r = cli(['backfill', '--all', '--rerun', '--limit', '1000', '--slice', 'month', '--json', '--config', config]);
    expect(r.status).toBe(0);
    const evs = events(r.stdout);
    expect(doneWindows(evs)).toHaveLength(24);
    expect(sum(evs, 'slice_done', 'inserted') + sum(evs, 'slice_done', 'updated')).toBe(0);
    const [run] = await s.query(`SELECT run_id FROM ${s.q('_migrate', 'runs')} WHERE command = 'backfill' ORDER BY started_at DESC LIMIT 1`);
    // Each run's counts are kept in the history.
    const [history] = await s.query(`SELECT count(*) AS n, sum(rows_inserted + rows_updated) AS changed FROM ${s.q('_migrate', 'slice_runs')} WHERE run_id = ?`, [String(run.run_id)]);
    expect([Number(history.n), Number(history.changed)]).toEqual([24, 0]);
  });

  it('--pause-file: no slice starts while the file exists, said once; removing it resumes', async () => {
    await resetBackfill(s);
    const pauseFile = path.join(s.dir, 'PAUSE');
    fs.writeFileSync(pauseFile, '');
    const run = startCli(['backfill', '--from', '2023-01', '--to', '2023-02', '--slice', 'month', '--pause-file', pauseFile, '--recheck-every', '100ms', '--json', '--config', config]);
    await run.waitFor(/"event":"paused"/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(doneWindows(events(run.stdout()))).toEqual([]);
    expect(Object.values(await sliceStatuses(s))).not.toContain('done');
    fs.rmSync(pauseFile);
    const { code } = await run.exited;
    expect(code).toBe(0);
    const evs = events(run.stdout());
    expect(evs.filter((e) => e.event === 'paused')).toHaveLength(1);
    const order = evs.map((e) => e.event).filter((e) => ['paused', 'resumed', 'slice_done'].includes(e));
    expect(order).toEqual(['paused', 'resumed', 'slice_done', 'slice_done']);
  });

  it('--max-load threads_running=…: waits while the server is busy, says so, and goes on when it calms down', async () => {
    await resetBackfill(s);
    const throttled = await throttledThenResumed(s, config, 'threads_running=2');
    expect(throttled).toMatchObject({ signal: 'threads_running', threshold: 'threads_running=2' });
  });
});

describeOn('postgres')('backfill controls on postgres', () => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    ({ s, config } = await sandboxWithOrders('postgres'));
  });
  afterAll(async () => s?.drop());
  beforeEach(async () => resetBackfill(s));
  const target = () => s.q('dlt_schema', 'orders');

  /** Holds the target so writes wait (reads do not): SHARE mode conflicts with every writer's lock. */
  async function holdTarget(): Promise<{ release: () => Promise<void> }> {
    const conn: Connection = await (await loadDialect('postgres')).connect(s.connection, { readOnly: false });
    await conn.execute('BEGIN');
    await conn.execute(`LOCK TABLE ${target()} IN SHARE MODE`);
    return { release: async () => (await conn.execute('COMMIT'), await conn.close()) };
  }

  it('two processes with --max-parallel 2 each: every window done once, none taken twice', async () => {
    const args = ['backfill', '--all', '--include-null-cursor', '--max-parallel', '2', '--min-interval', '300ms', '--json', '--config', config];
    const a = startCli(args);
    const b = startCli(args);
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect([ea.code, eb.code]).toEqual([0, 0]);
    expect(a.stderr() + b.stderr()).not.toMatch(/error/);
    const wa = doneWindows(events(a.stdout()));
    const wb = doneWindows(events(b.stdout()));
    expect(wa.filter((w) => wb.includes(w))).toEqual([]);
    expect(new Set([...wa, ...wb]).size).toBe(25);
    expect(wa.length + wb.length).toBe(25);
    // Both did some of the work (the second is not refused: backfill shares the table's lock).
    expect(Math.min(wa.length, wb.length)).toBeGreaterThan(0);
    const [t] = await s.query(`SELECT count(*) AS n, count(DISTINCT id) AS k FROM ${target()}`);
    expect([Number(t.n), Number(t.k)]).toEqual([ROWS, ROWS]);
    const [phase] = await s.query(`SELECT phase FROM ${s.q('_migrate', 'table_phases')} WHERE table_name = 'orders'`);
    expect(phase.phase).toBe('backfilled');
  });

  it('--min-interval spaces slice starts', async () => {
    const started = Date.now();
    const r = cli(['backfill', '--from', '2023-01', '--to', '2023-04', '--min-interval', '700ms', '--json', '--config', config]);
    expect(r.status).toBe(0);
    expect(doneWindows(events(r.stdout))).toEqual(['2023-01', '2023-02', '2023-03', '2023-04']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 700);
  });

  it('--critical-load: stops cleanly after the running slice, exit 6, and the next run resumes', async () => {
    const run = startCli(['backfill', '--all', '--min-interval', '1500ms', '--critical-load', 'active=2', '--recheck-every', '100ms', '--json', '--config', config]);
    await run.waitFor(/"event":"slice_done"/);
    const busy = await busySessions(s, 4, 3);
    const { code } = await run.exited;
    expect(code).toBe(6);
    expect(run.stderr()).toMatch(/error \[CRITICAL_LOAD\]: stopped: active is \d+, above --critical-load active=2; \d+ slices? done in this run/);
    expect(run.stderr()).toContain('run the same command again to resume');
    const statuses = Object.values(await sliceStatuses(s));
    expect(statuses).not.toContain('running');
    const done = statuses.filter((x) => x === 'done').length;
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(24);
    await busy.done;
    const resumed = cli(['backfill', '--all', '--include-null-cursor', '--config', config]);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`${done} already done`);
    expect(resumed.stdout).toContain('complete: every legacy row is in the target');
  });

  it('--max-load active=…: waits while other sessions are active, then goes on', async () => {
    expect(await throttledThenResumed(s, config, 'active=2')).toMatchObject({ signal: 'active', threshold: 'active=2' });
  });

  it('SIGINT while a slice runs: the slice still commits and is recorded, exit 130, and the message says how to resume', async () => {
    const held = await holdTarget();
    const run = startCli(['backfill', '--all', '--config', config]);
    try {
      await eventually(async () => Object.values(await sliceStatuses(s)).includes('running'), 30_000, 'a slice to start');
      run.child.kill('SIGINT');
      await run.waitFor(/stopping: SIGINT received/);
    } finally {
      await held.release();
    }
    const { code } = await run.exited;
    expect(code).toBe(130);
    expect(run.stderr()).toMatch(/error \[STOPPED\]: stopped: SIGINT received; 1 slice done in this run, \d+ not started/);
    expect(run.stderr()).toContain('run the same command again to resume');
    const statuses = await sliceStatuses(s);
    expect(statuses['2023-01']).toBe('done');
    expect(Object.values(statuses).filter((x) => x === 'done')).toHaveLength(1);
    expect(Object.values(statuses)).not.toContain('running');
  });

  it('a transient error (lock timeout) is retried with backoff, and the slice then succeeds', async () => {
    const [db] = await s.query('SELECT current_database() AS name');
    await s.exec(`ALTER DATABASE ${s.quote(String(db.name))} SET lock_timeout = '300ms'`);
    const held = await holdTarget();
    const run = startCli(['backfill', '--month', '2023-03', '--retries', '10', '--retry-delay', '200ms', '--json', '--config', config]);
    try {
      await run.waitFor(/"event":"slice_retry"/);
    } finally {
      await held.release();
      await s.exec(`ALTER DATABASE ${s.quote(String(db.name))} RESET lock_timeout`);
    }
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(run.stderr()).not.toMatch(/error/);
    const retry = events(run.stdout()).find((e) => e.event === 'slice_retry')!;
    expect(retry).toMatchObject({ window: '2023-03', attempt: 1, of: 10 });
    expect(String(retry.error)).toMatch(/lock timeout/);
    expect((await sliceStatuses(s))['2023-03']).toBe('done');
  });

  describe('a window that fails for good (a NOT NULL violation in 2023-05)', () => {
    beforeAll(async () => {
      await s.exec(`UPDATE ${s.q('legacy_schema', 'orders')} SET ${s.quote('Status')} = NULL WHERE ${s.quote('CreatedAt')} >= '2023-05-01' AND ${s.quote('CreatedAt')} < '2023-06-01'`);
      await s.exec(`DELETE FROM ${target()}`);
      await s.exec(`ALTER TABLE ${target()} ALTER COLUMN status SET NOT NULL`);
    });
    afterAll(async () => s.exec(`ALTER TABLE ${target()} ALTER COLUMN status DROP NOT NULL`));

    it('--on-error stop (the default): later windows do not start; exit 5 naming the window', () => {
      const r = cli(['backfill', '--from', '2023-04', '--to', '2023-07', '--retries', '0', '--config', config]);
      expect(r.status).toBe(5);
      expect(r.stderr).toMatch(/error \[DATABASE_ERROR\]: orders 2023-05: backfill: .*null value in column "status"/);
      return sliceStatuses(s).then((st) => expect(st).toMatchObject({ '2023-04': 'done', '2023-05': 'failed', '2023-06': 'pending', '2023-07': 'pending' }));
    });

    it('--on-error continue: the others are done, the failure is recorded and named, exit 5', async () => {
      const r = cli(['backfill', '--from', '2023-04', '--to', '2023-07', '--on-error', 'continue', '--config', config]);
      expect(r.status).toBe(5);
      expect(r.stdout).toMatch(/orders 2023-05: FAILED: DATABASE_ERROR: .*null value/);
      expect(r.stdout).not.toMatch(/retry/);
      expect(await sliceStatuses(s)).toMatchObject({ '2023-04': 'done', '2023-05': 'failed', '2023-06': 'done', '2023-07': 'done' });
      const [failed] = await s.query(`SELECT error FROM ${s.q('_migrate', 'slices')} WHERE window_key = '2023-05'`);
      expect(String(failed.error)).toMatch(/null value in column "status"/);
    });
  });

  it('--plan: windows with their legacy rows, NULL and duplicate keys, an estimate from timed slices; changes nothing', async () => {
    expect(cli(['backfill', '--month', '2023-01', '--config', config]).status).toBe(0);
    const runsBefore = await s.query(`SELECT count(*) AS n FROM ${s.q('_migrate', 'runs')}`);
    const r = cli(['backfill', '--all', '--plan', '--config', config]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/orders: 6,000 legacy rows from 2023-01 to 2024-12; 23 windows to run, 1 already done; 1 with a NULL cursor/);
    const [feb] = await s.query(`SELECT count(*) AS n FROM ${s.q('legacy_schema', 'orders')} WHERE ${s.quote('CreatedAt')} >= '2023-02-01' AND ${s.quote('CreatedAt')} < '2023-03-01'`);
    expect(r.stdout).toMatch(new RegExp(`\\n  2023-02 +${Number(feb.n)} rows`));
    expect(r.stdout).toMatch(/estimate: about \S+ at [\d,]+ legacy rows\/s \(measured on 1 done slice\)/);
    expect(await s.query(`SELECT count(*) AS n FROM ${s.q('_migrate', 'runs')}`)).toEqual(runsBefore);
    expect(Object.keys(await sliceStatuses(s))).toEqual(['2023-01']);
  });
});
