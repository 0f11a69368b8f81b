import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanup, cli, demoWarehouse, distribution, query } from './helpers/warehouse';
import type { DemoFiles } from '../src/demo/buildDemo';

/**
 * The Definition of Done, walked through the real CLI on a DuckDB file:
 * ('legacy', N) → legacy + dlt → unchanged on re-run → ('dlt', N), then
 * rollback and retire.
 */
describe('Definition of Done on DuckDB, through the CLI', () => {
  let w: DemoFiles;
  const ROWS = 3000;
  beforeAll(async () => {
    w = await demoWarehouse(ROWS);
  });
  afterAll(() => cleanup(w.dir));
  const run = (...args: string[]) => cli([...args, '--config', w.config]);
  const targetState = async () =>
    (await query(w.database, `SELECT count(*) AS n, count(DISTINCT id) AS k, sum(hash(id, customer_id, created_at, updated_at, total, status, _dlt_load_id, _dlt_id)) AS h FROM dlt_schema.orders`))[0];

  it('stitch: with an empty target the view is exactly one row (legacy, N), and the command says so', async () => {
    const r = run('stitch');
    expect(r.stderr).toContain('legacy columns that feed no target column: legacy_note');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`('legacy', ${ROWS})`);
    expect(await distribution(w.database)).toEqual([['legacy', ROWS]]);
  });

  it('the view has the target columns plus source_flag', async () => {
    const cols = await query(w.database, `SELECT column_name FROM information_schema.columns WHERE table_schema = 'dw' AND table_name = 'all_orders' ORDER BY ordinal_position`);
    expect(cols.map((c) => c.column_name)).toEqual(['id', 'customer_id', 'created_at', 'updated_at', 'total', 'status', 'channel', '_dlt_load_id', '_dlt_id', 'source_flag']);
  });

  let afterMonth: Array<[string, number]>;
  let monthRows: number;
  it('backfill one month: the view shows legacy + dlt, and every key still once', async () => {
    const r = run('backfill', '--month', '2023-06');
    expect(r.status).toBe(0);
    monthRows = Number((await query(w.database, `SELECT count(*) AS n FROM legacy_schema.orders WHERE "CreatedAt" >= '2023-06-01' AND "CreatedAt" < '2023-07-01'`))[0].n);
    expect(monthRows).toBeGreaterThan(0);
    expect(r.stdout).toContain(`orders 2023-06: ${monthRows.toLocaleString('en-US')} legacy rows → ${monthRows.toLocaleString('en-US')} inserted, 0 updated`);
    afterMonth = await distribution(w.database);
    expect(afterMonth).toEqual([['dlt', monthRows], ['legacy', ROWS - monthRows]]);
    const twice = await query(w.database, 'SELECT count(*) AS n FROM (SELECT id FROM dw.all_orders GROUP BY id HAVING count(*) > 1)');
    expect(Number(twice[0].n)).toBe(0);
  });

  it('re-running the month changes nothing and says 0 rows changed', async () => {
    const before = await targetState();
    const r = run('backfill', '--month', '2023-06');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`orders 2023-06: ${monthRows.toLocaleString('en-US')} legacy rows → 0 inserted, 0 updated`);
    expect(await targetState()).toEqual(before);
    expect(await distribution(w.database)).toEqual(afterMonth);
  });

  it('cutover refuses while legacy keys are missing, and leaves the view untouched', async () => {
    const r = run('cutover');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/error \[KEYS_MISSING\]: orders: [\d,]+ legacy keys are not in the target yet; the view was not changed/);
    expect(await distribution(w.database)).toEqual(afterMonth);
  });

  it('backfill --all does not claim completeness while NULL-cursor rows are unhandled', async () => {
    const r = run('backfill', '--all');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('23 windows to run, 1 already done');
    expect(r.stdout).toMatch(/NOT complete:\n\s+- 1 legacy rows have a NULL cursor/);
    const phase = await query(w.database, `SELECT phase FROM _migrate.table_phases WHERE table_name = 'orders'`);
    expect(phase[0].phase).toBe('backfilling');
  });

  it('backfill --all --include-null-cursor finishes, skipping done months', async () => {
    const r = run('backfill', '--all', '--include-null-cursor');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 window to run, 24 already done');
    expect(r.stdout).toContain('complete: every legacy row is in the target');
    expect(await distribution(w.database)).toEqual([['dlt', ROWS]]);
    const status = JSON.parse(run('status', '--json').stdout);
    expect(status.tables[0]).toMatchObject({ phase: 'backfilled', windows: { total: 25, done: 25, pending: 0, failed: 0 } });
  });

  it('cutover: the view shows exactly (dlt, N) with N ≥ legacy keys', async () => {
    const r = run('cutover');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`orders: view after cutover: ('dlt', ${ROWS})`);
    expect(await distribution(w.database)).toEqual([['dlt', ROWS]]);
    const def = await query(w.database, `SELECT sql FROM duckdb_views() WHERE view_name = 'all_orders'`);
    expect(String(def[0].sql)).not.toContain('legacy_schema');
  });

  it('rollback puts the stitched view back and asserts it', async () => {
    const r = run('rollback');
    expect(r.status).toBe(0);
    const def = await query(w.database, `SELECT sql FROM duckdb_views() WHERE view_name = 'all_orders'`);
    expect(String(def[0].sql)).toContain('legacy_schema');
    expect(await distribution(w.database)).toEqual([['dlt', ROWS]]);
    expect(run('cutover').status).toBe(0);
  });

  it('retire renames legacy to an archive name that status reports; --drop needs --confirm', async () => {
    const r = run('retire');
    expect(r.status).toBe(0);
    const archive = /renamed to (\S+)/.exec(r.stdout)![1];
    expect(archive).toMatch(/^orders__retired_\d{8}$/);
    const tables = await query(w.database, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'legacy_schema' ORDER BY 1`);
    expect(tables.map((t) => t.table_name)).toEqual([archive]);
    const status = run('status');
    expect(status.stdout).toContain(`archived as ${archive}`);
    expect(JSON.parse(run('status', '--json').stdout).tables[0]).toMatchObject({ phase: 'retired', archive });

    const unconfirmed = run('retire', '--drop');
    expect(unconfirmed.status).toBe(2);
    expect(unconfirmed.stderr).toContain('retire --drop needs --confirm legacy_schema.orders');
    expect(run('retire', '--drop', '--confirm', 'legacy_schema.other').status).toBe(2);

    const dropped = run('retire', '--drop', '--confirm', 'legacy_schema.orders');
    expect(dropped.status).toBe(0);
    expect(await query(w.database, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'legacy_schema'`)).toEqual([]);
    expect(await distribution(w.database)).toEqual([['dlt', ROWS]]);
  });

  it('the run log holds every command with its outcome', async () => {
    const runs = await query(w.database, 'SELECT command, outcome, tool_version FROM _migrate.runs ORDER BY started_at');
    expect(runs.map((r) => `${r.command}:${r.outcome}`)).toEqual([
      'stitch:succeeded',
      'backfill:succeeded',
      'backfill:succeeded',
      'cutover:failed',
      'backfill:succeeded',
      'backfill:succeeded',
      'cutover:succeeded',
      'rollback:succeeded',
      'cutover:succeeded',
      'retire:succeeded',
      'retire:succeeded',
    ]);
    expect(fs.existsSync(path.dirname(w.database))).toBe(true);
  });
});
