import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { legacyOrder, loadOrders } from './helpers/ordersFixture';
import { startCli } from './helpers/processes';
import { SLOW_MONTH, slowChannel } from './helpers/slowOrders';

/**
 * strategy: staging (issue 17): the backfill writes a staging table and leaves the live target alone; migrate promote
 * moves each staged window in, live data winning. A live writer works on the target throughout (between commands on
 * DuckDB, which admits one process per file; while promote runs on PostgreSQL and MariaDB); a promote is killed and
 * resumed; and the view never shows a key twice.
 */
const ROWS = 300;
const LIVE_LOAD = '1800000000.1';
/** Legacy keys a live writer loads a newer version of (kept), and one it loads an older version of (replaced). */
const NEWER_LIVE = [7, 50];
const OLDER_LIVE = 8;
const NEW_KEY = 900001;

describe.each(testEngines())('strategy: staging on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  let slowConfig: string;
  let approvalConfig: string;
  const target = () => s.q('dlt_schema', 'orders');
  const staging = () => `${s.quote(s.stateSchema)}.${s.quote('orders__backfill')}`;
  const run = (...args: string[]) => cli([...args, '--config', config]);
  const count = async (table: string, where = '') => Number((await s.query(`SELECT count(*) AS n FROM ${table}${where ? ` WHERE ${where}` : ''}`))[0].n);
  const lit = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : s.dialect.stringLiteral(v));
  /** A live dlt load of one row: status 'live', its own load id. */
  const liveRow = async (id: number, updatedAt: string, createdAt = legacyOrder(id).createdAt ?? '2023-06-01 00:00:00') => {
    await s.exec(`DELETE FROM ${target()} WHERE id = ${id}`);
    await s.exec(
      `INSERT INTO ${target()} (id, customer_id, created_at, updated_at, total, status, channel, _dlt_load_id, _dlt_id) VALUES (${[id, 1, createdAt, updatedAt, 2.5, 'live', 'app', LIVE_LOAD, `live-${id}`].map(lit).join(', ')})`,
    );
  };
  const keysTwiceInView = async () => (await s.query(`SELECT id FROM ${s.q('dw', 'all_orders')} GROUP BY id HAVING count(*) > 1`)).length;
  const liveRows = async () => (await s.query(`SELECT * FROM ${target()} WHERE _dlt_load_id = '${LIVE_LOAD}' ORDER BY id`)).map((r) => JSON.stringify(r));

  beforeAll(async () => {
    s = await openSandbox(engine);
    const tables = (await loadOrders(s, { rows: ROWS })).replace('    key: id\n', '    key: id\n    strategy: staging\n');
    config = s.writeConfig(`${tables}      channel: { expr: "'web'" }\n`);
    slowConfig = s.writeConfig(tables + slowChannel(engine, engine === 'duckdb' ? 0.3 : 3), 'slow.yaml');
    approvalConfig = s.writeConfig(`${tables}      channel: { expr: "'web'" }\ncutover:\n  require_approval: true\n`, 'approval.yaml');
    expect(run('stitch').status).toBe(0);
  });
  afterAll(async () => s?.drop());

  it('stages every window without touching the target, while a live writer loads it', async () => {
    await liveRow(NEWER_LIVE[0], '2031-01-01 00:00:00');
    const first = run('backfill', '--all', '--include-null-cursor', '--limit', '10');
    expect(first.stderr).not.toMatch(/error/);
    expect(first.status).toBe(0);
    // The live writer keeps loading between the staging runs (DuckDB admits one process at a time).
    await liveRow(NEWER_LIVE[1], '2031-01-01 00:00:00');
    await liveRow(OLDER_LIVE, '2000-01-01 00:00:00');
    await liveRow(NEW_KEY, '2031-01-01 00:00:00', '2023-06-01 00:00:00');
    const plan = run('backfill', '--all', '--include-null-cursor', '--plan');
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('orders@staging: 15 windows to run');
    // On a server the live writer works while the staging backfill runs (its slow month holds it for a while).
    const child = startCli(['backfill', '--all', '--include-null-cursor', '--config', engine === 'duckdb' ? config : slowConfig]);
    if (engine !== 'duckdb') {
      await child.waitFor(/orders@staging \S+: \d+ legacy rows? →/);
      await liveRow(NEW_KEY + 2, '2031-01-01 00:00:00', '2024-02-01 00:00:00');
      await s.exec(`DELETE FROM ${target()} WHERE id = ${NEW_KEY + 2}`);
    }
    const rest = await child.exited;
    expect(rest.code).toBe(0);
    expect(child.stdout()).toContain('orders@staging: complete: every legacy row is in the staging table');
    // The target holds the live rows alone; the staging table every legacy row; the view legacy and the live rows.
    expect(await count(target())).toBe(4);
    expect(await count(staging())).toBe(ROWS);
    expect(await keysTwiceInView()).toBe(0);
    expect(await count(s.q('dw', 'all_orders'))).toBe(ROWS + 1);
    const status = JSON.parse(run('status', '--json').stdout).tables[0];
    expect(status.phase).toBe('stitched');
    expect(status.staging).toMatchObject({ exists: true, staged: 25, promoted: 0 });
    expect(run('status').stdout).toContain('orders: staging');
    // Cutover needs every window promoted; dropping the staging now would lose staged windows.
    expect(run('cutover').status).toBe(3);
    const drop = run('drop-staging');
    expect(drop.status).toBe(3);
    expect(drop.stderr).toContain('STAGING_NOT_PROMOTED');
  });

  it('verify --against staging, and a reviewer approves before promote may touch the target', async () => {
    const refused = cli(['promote', '--all', '--config', approvalConfig]);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('NOT_APPROVED');
    expect(refused.stderr).toContain('verify --against staging --approve');
    const verify = cli(['verify', '--against', 'staging', '--approve', '--config', approvalConfig], { THESEUS_OPERATOR: 'reviewer' });
    expect(verify.stderr).not.toMatch(/error/);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toContain('orders@staging');
    expect(await count(target())).toBe(4);
  });

  it('promotes window by window, live data winning; a SIGKILL mid-promote resumes', async () => {
    const dry = cli(['promote', '--all', '--dry-run', '--config', approvalConfig]);
    expect(dry.stderr).not.toMatch(/error/);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('orders__backfill');
    expect(await count(target())).toBe(4);

    expect(cli(['promote', '--all', '--slice', 'week', '--config', config]).status).toBe(2);
    // dlt adds a column to the target after the staging was made: promote adds it to the staging table too.
    await s.exec(`ALTER TABLE ${target()} ADD COLUMN coupon ${engine === 'mysql' ? 'VARCHAR(32)' : 'VARCHAR'}`);
    const first = cli(['promote', '--all', '--limit', '5', '--config', approvalConfig]);
    expect(first.stderr).not.toMatch(/error/);
    expect(first.status).toBe(0);
    expect(await keysTwiceInView()).toBe(0);
    const before = await liveRows();

    // The slow month promotes last; killed while it runs, with other windows promoted.
    const child = startCli(['promote', '--all', '--config', slowConfig]);
    if (engine !== 'duckdb') {
      // A live writer works while promote runs: a newer version of a key of the slow month, and a new key.
      const slowKey = Array.from({ length: ROWS }, (_, i) => i + 1).find((i) => legacyOrder(i).createdAt?.startsWith(SLOW_MONTH) && i !== 42)!;
      await child.waitFor(/orders \S+: \d+ legacy rows? →/);
      await liveRow(slowKey, '2031-01-01 00:00:00');
      await liveRow(NEW_KEY + 1, '2031-01-01 00:00:00', '2023-06-01 00:00:00');
    }
    await child.waitFor(new RegExp(`orders (?!${SLOW_MONTH})\\S+: \\d+ legacy rows? →`));
    await new Promise((r) => setTimeout(r, 500));
    child.child.kill('SIGKILL');
    await child.exited;
    expect(await keysTwiceInView()).toBe(0);
    const partly = await count(`${s.quote(s.stateSchema)}.slices`, "table_name = 'orders' AND status = 'done'");
    expect(partly).toBeGreaterThan(5);
    expect(partly).toBeLessThan(25);

    const rest = cli(['promote', '--all', '--config', slowConfig]);
    expect(rest.status).toBe(0);
    expect(rest.stdout).toContain('orders: complete: every legacy row is in the target');
    // Every legacy key once, every live row untouched (the older live version of OLDER_LIVE was replaced by legacy's).
    const live = await liveRows();
    const kept = before.filter((r) => Number(JSON.parse(r).id) !== OLDER_LIVE);
    expect(live.length).toBe(kept.length + (engine === 'duckdb' ? 0 : 2));
    for (const row of kept) expect(live).toContain(row);
    expect(await count(target())).toBe(ROWS + (engine === 'duckdb' ? 1 : 2));
    expect((await s.query(`SELECT id FROM ${target()} GROUP BY id HAVING count(*) > 1`)).length).toBe(0);
    expect(String((await s.query(`SELECT status FROM ${target()} WHERE id = ${OLDER_LIVE}`))[0].status)).not.toBe('live');
    expect(await keysTwiceInView()).toBe(0);
    // Every promoted window was validated against legacy; the table is backfilled.
    expect(await count(`${s.quote(s.stateSchema)}.validations`, "table_name = 'orders' AND status = 'validated'")).toBe(25);
    const status = JSON.parse(run('status', '--json').stdout).tables[0];
    expect(status).toMatchObject({ phase: 'backfilled', staging: { staged: 25, promoted: 25 } });
  });

  it('cuts over on the staged approval and drops the staging table', async () => {
    // --keep-staging leaves it: the plan drops it only without the flag.
    const kept = cli(['cutover', '--dry-run', '--keep-staging', '--config', approvalConfig]);
    expect(kept.status).toBe(0);
    expect(kept.stdout).not.toMatch(/DROP TABLE \S*orders__backfill/);
    expect(cli(['cutover', '--dry-run', '--config', approvalConfig]).stdout).toMatch(/DROP TABLE \S*orders__backfill/);
    const cutover = cli(['cutover', '--config', approvalConfig]);
    expect(cutover.stderr).not.toMatch(/error/);
    expect(cutover.status).toBe(0);
    expect(cutover.stdout).toContain('(the staged state, every window since moved in by promote)');
    expect(await s.query(`SELECT 1 FROM ${staging()}`).then(() => 'exists', () => 'gone')).toBe('gone');
    expect(JSON.parse(run('status', '--json').stdout).tables[0]).toMatchObject({ phase: 'cutover', staging: { exists: false, staged: 0 } });
    expect(await keysTwiceInView()).toBe(0);
  });
});

describe.each(testEngines())('strategy: staging refusals on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig((await loadOrders(s, { rows: 50 })).replace('    key: id\n', '    key: id\n    strategy: staging\n'));
    expect(cli(['stitch', '--config', config]).status).toBe(0);
  });
  afterAll(async () => s?.drop());

  it('refuses a staging table it did not make, and promote with nothing staged', async () => {
    const promote = cli(['promote', '--all', '--config', config]);
    expect(promote.status).toBe(3);
    expect(promote.stderr).toContain('NOTHING_STAGED');
    await s.exec(`CREATE SCHEMA IF NOT EXISTS ${s.quote(s.stateSchema)}`);
    await s.exec(`CREATE TABLE ${s.quote(s.stateSchema)}.${s.quote('orders__backfill')} (id ${engine === 'postgres' ? 'bigint' : 'BIGINT'})`);
    const taken = cli(['backfill', '--all', '--config', config]);
    expect(taken.status).toBe(3);
    expect(taken.stderr).toContain('STAGING_TABLE_TAKEN');
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${s.quote(s.stateSchema)}.${s.quote('orders__backfill')}`))[0].n)).toBe(0);
  });
});
