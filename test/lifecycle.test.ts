import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';

/**
 * The Definition of Done, walked through the real CLI on every engine
 * (DIALECTS=duckdb,postgres,mysql narrows them): ('legacy', N) → legacy + dlt
 * → unchanged on re-run → ('dlt', N), then rollback and retire.
 */
describe.each(testEngines())('Definition of Done on %s, through the CLI', (engine) => {
  let s: Sandbox;
  let config: string;
  const ROWS = 3000;
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: ROWS }));
  });
  afterAll(async () => s?.drop());
  const run = (...args: string[]) => cli([...args, '--config', config]);
  const legacy = () => s.q('legacy_schema', 'orders');
  const target = () => s.q('dlt_schema', 'orders');
  const view = () => s.q('dw', 'all_orders');
  const distribution = async () =>
    (await s.query(`SELECT source_flag, count(*) AS n FROM ${view()} GROUP BY source_flag ORDER BY source_flag`)).map((r) => [String(r.source_flag), Number(r.n)]);
  const targetRows = async () =>
    (await s.query(`SELECT id, customer_id, created_at, updated_at, total, status, _dlt_load_id, _dlt_id FROM ${target()} ORDER BY id`)).map((r) => JSON.stringify(r));
  const viewReadsLegacy = async () => {
    const sql =
      engine === 'duckdb'
        ? `SELECT sql AS def FROM duckdb_views() WHERE view_name = 'all_orders'`
        : `SELECT view_definition AS def FROM information_schema.views WHERE table_schema = '${s.schema('dw')}' AND table_name = 'all_orders'`;
    return String((await s.query(sql))[0].def).includes('legacy_schema');
  };

  it('stitch: with an empty target the view is exactly one row (legacy, N), and the command says so', async () => {
    const r = run('stitch');
    expect(r.stderr).toContain('legacy columns that feed no target column: legacy_note');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`('legacy', ${ROWS})`);
    expect(await distribution()).toEqual([['legacy', ROWS]]);
  });

  it('the view has the target columns plus source_flag', async () => {
    const cols = await s.query(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = '${s.schema('dw')}' AND table_name = 'all_orders' ORDER BY ordinal_position`,
    );
    expect(cols.map((c) => c.name)).toEqual(['id', 'customer_id', 'created_at', 'updated_at', 'total', 'status', 'channel', '_dlt_load_id', '_dlt_id', 'source_flag']);
  });

  let afterMonth: unknown[];
  let monthRows: number;
  it('backfill one month: the view shows legacy + dlt, and every key still once', async () => {
    const r = run('backfill', '--month', '2023-06');
    expect(r.status).toBe(0);
    monthRows = Number(
      (await s.query(`SELECT count(*) AS n FROM ${legacy()} WHERE ${s.quote('CreatedAt')} >= '2023-06-01' AND ${s.quote('CreatedAt')} < '2023-07-01'`))[0].n,
    );
    expect(monthRows).toBeGreaterThan(0);
    expect(r.stdout).toContain(`orders 2023-06: ${monthRows.toLocaleString('en-US')} legacy rows → ${monthRows.toLocaleString('en-US')} inserted, 0 updated`);
    afterMonth = await distribution();
    expect(afterMonth).toEqual([['dlt', monthRows], ['legacy', ROWS - monthRows]]);
    const twice = await s.query(`SELECT count(*) AS n FROM (SELECT id FROM ${view()} GROUP BY id HAVING count(*) > 1) AS d`);
    expect(Number(twice[0].n)).toBe(0);
  });

  it('re-running the month changes nothing and says 0 rows changed', async () => {
    const before = await targetRows();
    const r = run('backfill', '--month', '2023-06');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`orders 2023-06: ${monthRows.toLocaleString('en-US')} legacy rows → 0 inserted, 0 updated`);
    expect(await targetRows()).toEqual(before);
    expect(await distribution()).toEqual(afterMonth);
  });

  it('cutover refuses while legacy rows lie outside validated windows, and leaves the view untouched', async () => {
    const r = run('cutover');
    expect(r.status).toBe(3);
    // 2023-06 was backfilled (and validated as it went); the other 23 months and the NULL-cursor row were not.
    expect(r.stderr).toContain('error [NOT_VALIDATED]: orders: legacy rows in 24 months are in no validated window: 2023-01, 2023-02, 2023-03, 2023-04, 2023-05, 2023-07, 2023-08, 2023-09 … (24 in all)');
    // --force passes the validation gate, not the check that every legacy key is in the target.
    const forced = run('cutover', '--force', '--reason', 'testing the key check');
    expect(forced.status).toBe(3);
    expect(forced.stderr).toMatch(/error \[KEYS_MISSING\]: orders: [\d,]+ legacy keys are not in the target yet; the view was not changed/);
    expect(await distribution()).toEqual(afterMonth);
    expect(await viewReadsLegacy()).toBe(true);
  });

  it('backfill --all does not claim completeness while NULL-cursor rows are unhandled', async () => {
    const r = run('backfill', '--all');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('23 windows to run, 1 already done');
    expect(r.stdout).toMatch(/NOT complete:\n\s+- 1 legacy row has a NULL cursor/);
    const phase = await s.query(`SELECT phase FROM ${s.q('_migrate', 'table_phases')} WHERE table_name = 'orders'`);
    expect(phase[0].phase).toBe('backfilling');
    // Only the rows without a cursor are left: the hints name the flag that loads them, not a month.
    const cutover = run('cutover');
    expect(cutover.status).toBe(3);
    expect(cutover.stderr).toContain('legacy rows in 1 month are in no validated window: null-cursor');
    expect(cutover.stderr).toContain('hint: the rows left are the ones without a cursor: migrate backfill --all --include-null-cursor');
    const verify = run('verify');
    expect(verify.status).toBe(4);
    expect(verify.stderr).toContain('hint: the rows left are the ones without a cursor: migrate backfill --all --include-null-cursor');
  });

  it('backfill --all --include-null-cursor finishes, skipping done months', async () => {
    const r = run('backfill', '--all', '--include-null-cursor');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 window to run, 24 already done');
    expect(r.stdout).toContain('complete: every legacy row is in the target');
    expect(await distribution()).toEqual([['dlt', ROWS]]);
    const status = JSON.parse(run('status', '--json').stdout);
    expect(status.tables[0]).toMatchObject({ phase: 'backfilled', windows: { total: 25, done: 25, pending: 0, failed: 0 } });
  });

  it('cutover: the view shows exactly (dlt, N) with N ≥ legacy keys, and no longer reads legacy', async () => {
    const r = run('cutover');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`orders: view after cutover: ('dlt', ${ROWS})`);
    expect(await distribution()).toEqual([['dlt', ROWS]]);
    expect(await viewReadsLegacy()).toBe(false);
  });

  it('rollback puts the stitched view back and asserts it', async () => {
    const r = run('rollback');
    expect(r.status).toBe(0);
    expect(await viewReadsLegacy()).toBe(true);
    expect(await distribution()).toEqual([['dlt', ROWS]]);
    expect(run('cutover').status).toBe(0);
  });

  it('retire renames legacy to an archive name that status reports; --drop needs --confirm', async () => {
    const r = run('retire');
    expect(r.status).toBe(0);
    const archive = /renamed to (\S+)/.exec(r.stdout)![1];
    expect(archive).toMatch(/^orders__retired_\d{8}$/);
    const legacyTables = async () =>
      (await s.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${s.schema('legacy_schema')}' ORDER BY 1`)).map((t) => t.name);
    expect(await legacyTables()).toEqual([archive]);
    expect(run('status').stdout).toContain(`archived as ${archive}`);
    expect(JSON.parse(run('status', '--json').stdout).tables[0]).toMatchObject({ phase: 'retired', archive });

    const legacyRef = s.ref('legacy_schema', 'orders');
    const unconfirmed = run('retire', '--drop');
    expect(unconfirmed.status).toBe(2);
    expect(unconfirmed.stderr).toContain(`retire --drop needs --confirm ${legacyRef}`);
    expect(run('retire', '--drop', '--confirm', `${s.schema('legacy_schema')}.other`).status).toBe(2);

    const dropped = run('retire', '--drop', '--confirm', legacyRef);
    expect(dropped.status).toBe(0);
    expect(await legacyTables()).toEqual([]);
    expect(await distribution()).toEqual([['dlt', ROWS]]);
  });

  it('the run log holds every command with its outcome', async () => {
    const runs = await s.query(`SELECT command, outcome FROM ${s.q('_migrate', 'runs')} ORDER BY started_at`);
    expect(runs.map((r) => `${r.command}:${r.outcome}`)).toEqual([
      'stitch:succeeded',
      'backfill:succeeded',
      'backfill:succeeded',
      'cutover:failed',
      'cutover:failed',
      'backfill:succeeded',
      'cutover:failed', // only the NULL-cursor rows left: the refusal's hint names --include-null-cursor
      'verify:failed',
      'backfill:succeeded',
      'cutover:succeeded',
      'rollback:succeeded',
      'cutover:succeeded',
      'retire:succeeded',
      'retire:succeeded',
    ]);
  });
});
