import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { legacyOrder, loadOrders } from './helpers/ordersFixture';
import { startCli } from './helpers/processes';
import { SLOW_MONTH, slowChannel } from './helpers/slowOrders';

/**
 * migrate undo (issue 16): a backfill over a target that already holds 10% of the keys, some in an older version
 * (the backfill replaces them) and some in a newer one (it keeps them), then a live writer, then undo. Every row the
 * target held before comes back byte for byte, every row the backfill inserted goes, and what the live writer
 * wrote stays: an update of a row the backfill inserted, an update of one it replaced, a new key, two deletes.
 */
const ROWS = 400;
const OLDER = (i: number) => i % 20 === 5; // the backfill replaces these
const NEWER = (i: number) => i % 20 === 15; // the backfill keeps these (the target's version is newer)
const LIVE_LOAD = '1800000000.1';

describe.each(testEngines())('migrate undo on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  const target = () => s.q('dlt_schema', 'orders');
  const run = (...args: string[]) => cli([...args, '--config', config]);
  const rows = async () => (await s.query(`SELECT * FROM ${target()} ORDER BY id`)).map((r) => JSON.stringify(r));
  const lastRun = async (command: string) => String((await s.query(`SELECT run_id FROM ${s.quote(s.stateSchema)}.runs WHERE command = '${command}' ORDER BY started_at DESC`))[0].run_id);

  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: ROWS }));
    expect(run('stitch').status).toBe(0);
    // 10% of the keys are in the target already: an older version of half of them, a newer version of the rest.
    const lit = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : s.dialect.stringLiteral(v));
    const values: string[] = [];
    for (let i = 1; i <= ROWS; i++) {
      if (!OLDER(i) && !NEWER(i)) continue;
      const o = legacyOrder(i);
      const updated = OLDER(i) ? o.createdAt!.replace(/^(\d{4})/, (y) => String(Number(y) - 1)) : '2030-01-01 00:00:00';
      values.push(`(${[i, o.customerId, o.createdAt, updated, 1.5, OLDER(i) ? 'stale' : 'newer', 'app', '1600000000.1', `pre-${i}`].map(lit).join(', ')})`);
    }
    await s.exec(`INSERT INTO ${target()} (id, customer_id, created_at, updated_at, total, status, channel, _dlt_load_id, _dlt_id) VALUES ${values.join(', ')}`);
  });
  afterAll(async () => s?.drop());

  it('restores every pre-existing row byte for byte, removes every inserted row, and keeps what a live writer wrote since', async () => {
    const before = await rows();
    const backfill = run('backfill', '--all', '--include-null-cursor');
    expect(backfill.status).toBe(0);
    const runId = await lastRun('backfill');
    const status = run('status', '--json');
    const undoable = JSON.parse(status.stdout).tables[0].undoable;
    expect(undoable).toHaveLength(1);
    expect(undoable[0].run).toBe(runId);
    expect(undoable[0].rowsUpdated).toBe(ROWS / 20);
    expect(undoable[0].rowsInserted).toBe(ROWS - ROWS / 10);

    // The live writer: updates a row the backfill inserted (1) and one it replaced (45), deletes one of each (2, 25),
    // updates a row the backfill kept (15) and inserts a key legacy never had.
    const live = (id: number) => `status = 'live', updated_at = ${s.dialect.stringLiteral('2031-01-01 00:00:00')}, _dlt_load_id = '${LIVE_LOAD}' WHERE id = ${id}`;
    for (const id of [1, 45, 15]) await s.exec(`UPDATE ${target()} SET ${live(id)}`);
    await s.exec(`DELETE FROM ${target()} WHERE id IN (2, 25)`);
    await s.exec(`INSERT INTO ${target()} (id, customer_id, created_at, updated_at, total, status, channel, _dlt_load_id, _dlt_id) VALUES (999999, 1, '2023-06-01 00:00:00', '2031-01-01 00:00:00', 2.5, 'live', 'app', '${LIVE_LOAD}', 'live-1')`);
    const liveRows = new Map((await s.query(`SELECT * FROM ${target()} WHERE id IN (1, 15, 45, 999999)`)).map((r) => [Number(r.id), JSON.stringify(r)]));

    const dry = run('undo', '--run', runId, '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`Mark every row run ${runId} wrote as changed since`);
    expect(dry.stderr).toMatch(/would undo: orders \d{4}-\d{2}: run .* inserted \d+ rows?/);
    expect(await rows()).not.toEqual(before); // the dry run changed nothing: the live rows are still there

    const undo = run('undo', '--run', runId);
    expect(undo.status).toBe(0);
    const inserted = ROWS - ROWS / 10;
    expect(undo.stdout).toContain(`orders: run ${runId} undone in 25 windows: ${inserted - 2} rows removed, ${ROWS / 20 - 2} rows restored; kept: 4 rows changed since by live ingest or a later run (1 of them deleted since); they are pending again`);

    const expected = before
      .filter((r) => ![25, 15, 45].includes(Number(JSON.parse(r).id)))
      .concat([1, 15, 45, 999999].map((id) => liveRows.get(id)!))
      .sort((a, b) => Number(JSON.parse(a).id) - Number(JSON.parse(b).id));
    expect(await rows()).toEqual(expected);

    // The ledger: every window pending again, no validation mark, the table backfilling, nothing left to undo.
    const slices = await s.query(`SELECT status, count(*) AS n FROM ${s.quote(s.stateSchema)}.slices GROUP BY status`);
    expect(slices.map((r) => String(r.status))).toEqual(['pending']);
    // The ledger keeps what each window's undo left alone: the same 4 rows, each counted once.
    expect(Number((await s.query(`SELECT sum(kept_rows) AS n FROM ${s.quote(s.stateSchema)}.undo_windows`))[0].n)).toBe(4);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${s.quote(s.stateSchema)}.validations`))[0].n)).toBe(0);
    expect(JSON.parse(run('status', '--json').stdout).tables[0]).toMatchObject({ phase: 'backfilling', undoable: [] });
    const again = run('undo', '--run', runId);
    expect(again.status).toBe(3);
    expect(again.stderr).toContain('NOTHING_TO_UNDO');
    expect(again.stdout + again.stderr).toContain('already undone');
  });

  it('undoes one window alone, and is refused after cutover', async () => {
    expect(run('backfill', '--all', '--include-null-cursor').status).toBe(0);
    const runId = await lastRun('backfill');
    const month = legacyOrder(3).createdAt!.slice(0, 7);
    const inMonth = (await s.query(`SELECT id FROM ${target()} WHERE _dlt_load_id NOT IN ('1600000000.1', '${LIVE_LOAD}')`)).length;
    const undo = run('undo', '--run', runId, '--window', month);
    expect(undo.status).toBe(0);
    const left = (await s.query(`SELECT id FROM ${target()} WHERE _dlt_load_id NOT IN ('1600000000.1', '${LIVE_LOAD}')`)).length;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(inMonth);
    expect((await s.query(`SELECT id FROM ${target()} WHERE id = 3`)).length).toBe(0);
    const slices = await s.query(`SELECT window_key, status FROM ${s.quote(s.stateSchema)}.slices WHERE status <> 'done'`);
    expect(slices.map((r) => `${String(r.window_key)} ${String(r.status)}`)).toEqual([`${month} pending`]);

    expect(run('backfill', '--all').status).toBe(0);
    expect(run('cutover').status).toBe(0);
    const refused = run('undo', '--run', runId);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('UNDO_AFTER_CUTOVER');
    expect(refused.stderr).toContain('migrate rollback');
    // status says so too: the run can be undone once the cutover is rolled back, not by undo alone.
    const status = run('status').stdout;
    expect(status).toContain(`run ${runId} can be undone once the cutover is rolled back`);
    expect(status).toContain(`migrate rollback, then migrate undo --run ${runId}`);

    // migrate log names the run and what of it can still be undone; prune drops its pre-images, and then nothing can.
    const log = JSON.parse(run('log', '--json').stdout).runs;
    const entry = log.find((e: { run: string }) => e.run === runId);
    expect(entry).toMatchObject({ command: 'backfill', outcome: 'succeeded' });
    expect(entry.undoable.orders.length).toBe(24); // every window but the one undone
    expect(log.find((e: { command: string }) => e.command === 'undo')).toBeDefined();
    expect(run('prune', '--before', '2026-13-01').status).toBe(2);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const prune = run('prune', '--before', tomorrow);
    expect(prune.status).toBe(0);
    expect(prune.stdout).toMatch(/orders: [\d,]+ pre-image rows? of runs started before .* dropped; those runs can no longer be undone/);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${s.quote(s.stateSchema)}.${s.quote('orders__preimages')}`))[0].n)).toBe(0);
    expect(JSON.parse(run('log', '--json').stdout).runs.every((e: { undoable: object }) => Object.keys(e.undoable).length === 0)).toBe(true);

    // After retire, legacy is archived: nothing can be checked against it, so undo refuses whatever the ledger holds.
    await s.exec(`UPDATE ${s.quote(s.stateSchema)}.undo_windows SET pruned_at = NULL`);
    expect(run('retire').status).toBe(0);
    const retired = run('undo', '--run', runId);
    expect(retired.status).toBe(3);
    expect(retired.stderr).toContain('UNDO_AFTER_RETIRE');
  });
});

describe.each(testEngines())('migrate undo killed mid-way on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  let slowConfig: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    const tables = await loadOrders(s, { rows: 300 });
    // The backfill writes channel 'web' at full speed; the undo, which checks each row against legacy's, computes
    // the same value slowly (PostgreSQL, MariaDB: in one month's window; DuckDB: in every statement that reads it,
    // its uncorrelated subquery being run once per statement), so the kill lands while a window is being undone.
    config = s.writeConfig(`${tables}      channel: { expr: "'web'" }\n`);
    slowConfig = s.writeConfig(tables + slowChannel(engine, engine === 'duckdb' ? 0.3 : 3), 'slow.yaml');
    expect(cli(['stitch', '--config', config]).status).toBe(0);
  });
  afterAll(async () => s?.drop());

  it('SIGKILL while a window is undone, then the same command again finishes the undo', async () => {
    expect(cli(['backfill', '--all', '--include-null-cursor', '--config', config]).status).toBe(0);
    const target = s.q('dlt_schema', 'orders');
    const runId = String((await s.query(`SELECT run_id FROM ${s.quote(s.stateSchema)}.runs WHERE command = 'backfill'`))[0].run_id);
    // Undo the slow month last, so the kill lands inside it with the other windows already undone.
    const child = startCli(['undo', '--run', runId, '--config', slowConfig]);
    await child.waitFor(new RegExp(`orders (?!${SLOW_MONTH})\\S+: undone`));
    await new Promise((r) => setTimeout(r, 300));
    child.child.kill('SIGKILL');
    await child.exited;
    const undone = await s.query(`SELECT count(*) AS n FROM ${s.quote(s.stateSchema)}.undo_windows WHERE undone_at IS NOT NULL`);
    expect(Number(undone[0].n)).toBeGreaterThan(0);
    expect(Number(undone[0].n)).toBeLessThan(25);
    const rerun = cli(['undo', '--run', runId, '--config', slowConfig]);
    expect(rerun.stderr).toBe('');
    expect(rerun.status).toBe(0);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${target}`))[0].n)).toBe(0);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${s.quote(s.stateSchema)}.undo_windows WHERE undone_at IS NULL`))[0].n)).toBe(0);
  });
});

/**
 * A target without dlt's load id: the slices keep the keys they insert (a fresh window none: they are legacy's keys
 * of the window), and undo tells the run's rows by their values alone.
 */
describe.each(testEngines())('migrate undo of a target without _dlt_load_id on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: 200 }));
    await s.exec(`ALTER TABLE ${s.q('dlt_schema', 'orders')} DROP COLUMN _dlt_load_id`);
    const o = legacyOrder(25);
    await s.exec(`INSERT INTO ${s.q('dlt_schema', 'orders')} (id, customer_id, created_at, updated_at, total, status, channel, _dlt_id) VALUES (25, 1, ${s.dialect.stringLiteral(o.createdAt!)}, '2000-01-01 00:00:00', 9.99, 'stale', 'app', 'pre-25')`);
    expect(cli(['stitch', '--config', config]).status).toBe(0);
  });
  afterAll(async () => s?.drop());

  it('puts the target back as it was, fresh windows and replaced rows alike', async () => {
    const rows = async () => (await s.query(`SELECT * FROM ${s.q('dlt_schema', 'orders')} ORDER BY id`)).map((r) => JSON.stringify(r));
    const before = await rows();
    expect(cli(['backfill', '--all', '--include-null-cursor', '--config', config]).status).toBe(0);
    expect((await rows()).length).toBe(200);
    const runId = String((await s.query(`SELECT run_id FROM ${s.quote(s.stateSchema)}.runs WHERE command = 'backfill'`))[0].run_id);
    const undo = cli(['undo', '--run', runId, '--config', config]);
    expect(undo.stderr).toBe('');
    expect(undo.status).toBe(0);
    expect(undo.stdout).toMatch(/199 rows removed, 1 row restored;? /);
    expect(await rows()).toEqual(before);
  });
});
