import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { legacyOrder, loadOrders } from './helpers/ordersFixture';

/**
 * strategy: staging when legacy moves on after staging (issue 17, found by review): a month corrected and staged
 * again after its promote is promoted again, and until then status, the approval and cutover do not count it as in the
 * target; a row legacy deletes after staging is not brought back by promote; a key legacy gains after staging fails a
 * promote even with --no-validate; a column dlt adds that legacy feeds makes the staging stale; a month not staged is
 * refused by name; a staging table lost with its windows still in the ledger is staged again from nothing; and a
 * dropped staging may be made again elsewhere.
 */
const ROWS = 120;
const monthOf = (id: number) => legacyOrder(id).createdAt!.slice(0, 7);

describe.each(testEngines())('strategy: staging as legacy moves on, on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  let approvalConfig: string;
  const run = (...args: string[]) => cli([...args, '--config', config]);
  const legacy = () => s.q('legacy_schema', 'orders');
  const target = () => s.q('dlt_schema', 'orders');
  const staging = () => `${s.quote(s.stateSchema)}.${s.quote('orders__backfill')}`;
  const col = (name: string) => s.quote(name);
  beforeAll(async () => {
    s = await openSandbox(engine);
    const tables = (await loadOrders(s, { rows: ROWS })).replace('    key: id\n', '    key: id\n    strategy: staging\n');
    config = s.writeConfig(`${tables}      channel: { expr: "'web'" }\n`);
    approvalConfig = s.writeConfig(`${tables}      channel: { expr: "'web'" }\ncutover:\n  require_approval: true\n`, 'approval.yaml');
    expect(run('stitch').status).toBe(0);
  });
  afterAll(async () => s?.drop());

  it('promotes a month staged again after its promote, and counts it as waiting until then', async () => {
    expect(run('promote', '--all').stderr).toContain('NOTHING_STAGED');
    expect(run('backfill', '--all', '--include-null-cursor').status).toBe(0);
    expect(cli(['verify', '--against', 'staging', '--approve', '--config', approvalConfig], { THESEUS_OPERATOR: 'reviewer' }).status).toBe(0);
    expect(cli(['promote', '--all', '--config', approvalConfig]).status).toBe(0);

    // Legacy corrects a row; its month is staged again.
    const id = 20;
    await s.exec(`UPDATE ${legacy()} SET ${col('Status')} = 'corrected', ${col('UpdatedAt')} = '2026-01-01 00:00:00' WHERE ${col('Id')} = ${id}`);
    expect(run('backfill', '--month', monthOf(id)).status).toBe(0);
    const waiting = JSON.parse(run('status', '--json').stdout).tables[0].staging;
    expect(waiting.windows.find((w: { window: string }) => w.window === monthOf(id))).toMatchObject({ status: 'done', promoted: false });
    expect(waiting.promoted).toBe(waiting.staged - 1);
    // The earlier approval was of the staged state before the correction; cutover would also drop the new staged rows.
    const refused = cli(['cutover', '--config', approvalConfig]);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(/NOT_APPROVED|STAGING_NOT_PROMOTED/);

    expect(cli(['verify', '--against', 'staging', '--approve', '--config', approvalConfig], { THESEUS_OPERATOR: 'reviewer' }).status).toBe(0);
    const again = cli(['promote', '--all', '--config', approvalConfig]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/1 window to run/);
    expect(String((await s.query(`SELECT status FROM ${target()} WHERE id = ${id}`))[0].status)).toBe('corrected');
    expect(JSON.parse(run('status', '--json').stdout).tables[0].staging.promoted).toBe(waiting.staged);
    expect(run('verify').status).toBe(0);
  });

  it('does not bring back a row legacy deleted after staging; fails a key legacy gained, even with --no-validate', async () => {
    const deleted = 21;
    const month = monthOf(deleted);
    expect(run('backfill', '--month', month, '--strategy', 'staging').status).toBe(0);
    await s.exec(`DELETE FROM ${legacy()} WHERE ${col('Id')} = ${deleted}`);
    await s.exec(`DELETE FROM ${target()} WHERE id = ${deleted}`);
    expect(run('promote', '--month', month).status).toBe(0);
    expect((await s.query(`SELECT id FROM ${target()} WHERE id = ${deleted}`)).length).toBe(0);

    // A key legacy gains in a staged month, after its staging: promote fails the window whatever the validation.
    const o = legacyOrder(22);
    await s.exec(`INSERT INTO ${legacy()} VALUES (${ROWS + 500}, 1, '${o.createdAt}', '${o.updatedAt}', 3.5, 'paid', 'late')`);
    const late = run('promote', '--month', monthOf(22), '--rerun', '--no-validate');
    expect(late.status).toBe(4);
    expect(late.stdout + late.stderr).toContain('WINDOW_KEYS_MISSING');
    expect(run('backfill', '--month', monthOf(22)).status).toBe(0);
    expect(run('promote', '--month', monthOf(22)).status).toBe(0);
  });

  it('refuses a month not staged by name, and a staging that lacks a column legacy feeds', async () => {
    const first = '2023-01';
    await s.exec(`DELETE FROM ${s.quote(s.stateSchema)}.slices WHERE table_name = 'orders@staging' AND window_key = '2023-02'`);
    const range = run('promote', '--from', first, '--to', '2023-03');
    expect(range.status).toBe(2);
    expect(range.stderr).toContain('NOT_STAGED');
    expect(range.stderr).toContain('2023-02');
    expect(run('backfill', '--month', '2023-02').status).toBe(0);

    // dlt adds a column that legacy feeds (legacy_note → note): the staged rows hold none of its values.
    const text = engine === 'mysql' ? 'VARCHAR(64)' : 'VARCHAR';
    await s.exec(`ALTER TABLE ${target()} ADD COLUMN legacy_note ${text}`);
    const stale = run('promote', '--all', '--rerun');
    expect(stale.status).toBe(3);
    expect(stale.stderr).toContain('STAGING_STALE');
    expect(run('backfill', '--all', '--rerun', '--include-null-cursor').status).toBe(0);
    expect(run('promote', '--all', '--rerun').status).toBe(0);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${target()} WHERE legacy_note = 'imported from ERP'`))[0].n)).toBeGreaterThan(100);
  });

  it('stages again from nothing when the staging table is lost, and may stage elsewhere after drop-staging', async () => {
    await s.exec(`DROP TABLE ${staging()}`);
    const restage = run('backfill', '--all', '--include-null-cursor');
    expect(restage.status).toBe(0);
    expect(restage.stdout).toMatch(/orders@staging: \d+ legacy rows .*; 25 windows to run/);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${staging()}`))[0].n)).toBe(ROWS);

    // Staged anew, every window is newer than what was promoted: dropping it is refused unless forced, with a reason.
    const drop = run('drop-staging');
    expect(drop.status).toBe(3);
    expect(drop.stderr).toContain('STAGING_NOT_PROMOTED');
    expect(run('drop-staging', '--force', '--reason', 'staging again elsewhere').status).toBe(0);
    await s.createSchema('staging_elsewhere');
    const moved = path.join(s.dir, 'moved.yaml');
    fs.writeFileSync(moved, fs.readFileSync(config, 'utf8').replace('    strategy: staging\n', `    strategy: staging\n    staging_schema: ${s.schema('staging_elsewhere')}\n`));
    const elsewhere = cli(['backfill', '--all', '--include-null-cursor', '--config', moved]);
    expect(elsewhere.stderr).not.toMatch(/error/);
    expect(elsewhere.status).toBe(0);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${s.q('staging_elsewhere', 'orders__backfill')}`))[0].n)).toBe(ROWS);
  });
});

/** MariaDB: a key whose collation tells 'abc' from 'ABC' stages as it backfills directly (the staging table is made LIKE the target). */
const describeMysql = testEngines().includes('mysql') ? describe : describe.skip;
describeMysql('strategy: staging keeps the key collation on MariaDB', () => {
  const engine = 'mysql' as const;
  let s: Sandbox;
  afterAll(async () => s?.drop());
  it('stages and promotes keys that differ only in case', async () => {
    s = await openSandbox(engine);
    await s.createSchema('legacy_schema');
    await s.createSchema('dlt_schema');
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'codes')} (Code VARCHAR(16) COLLATE utf8mb4_bin PRIMARY KEY, CreatedAt DATETIME, Val INT)`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'codes')} (code VARCHAR(16) COLLATE utf8mb4_bin PRIMARY KEY, created_at DATETIME, val INT, _dlt_load_id VARCHAR(64) NOT NULL, _dlt_id VARCHAR(64) NOT NULL)`);
    await s.exec(`INSERT INTO ${s.q('legacy_schema', 'codes')} VALUES ('abc', '2023-03-01 00:00:00', 1), ('ABC', '2023-03-02 00:00:00', 2), ('x', '2023-04-01 00:00:00', 3)`);
    const config = s.writeConfig(`tables:
  codes:
    legacy: ${s.ref('legacy_schema', 'codes')}
    target: ${s.ref('dlt_schema', 'codes')}
    view: ${s.ref('dw', 'all_codes')}
    key: code
    cursor: created_at
    strategy: staging
`);
    const run = (...args: string[]) => cli([...args, '--config', config]);
    expect(run('stitch').status).toBe(0);
    expect(run('backfill', '--all').status).toBe(0);
    expect(run('promote', '--all').status).toBe(0);
    expect((await s.query(`SELECT code FROM ${s.q('dlt_schema', 'codes')} ORDER BY val`)).map((r) => String(r.code))).toEqual(['abc', 'ABC', 'x']);
  });
});

/** Staging by chunks of the key (slice: key), then promote one chunk (--chunk N), then the rest. */
describe.each(testEngines())('strategy: staging with slice: key on %s', (engine) => {
  let s: Sandbox;
  afterAll(async () => s?.drop());
  it('stages by chunks and promotes them, one by --chunk, then the rest', async () => {
    s = await openSandbox(engine);
    const tables = (await loadOrders(s, { rows: ROWS })).replace('    key: id\n', '    key: id\n    strategy: staging\n');
    const config = s.writeConfig(`${tables}      channel: { expr: "'web'" }\n`);
    const run = (...args: string[]) => cli([...args, '--config', config]);
    expect(run('stitch').status).toBe(0);
    const stage = run('backfill', '--all', '--slice', 'key', '--chunk-rows', '40');
    expect(stage.status).toBe(0);
    expect(stage.stdout).toContain('orders@staging: complete: every legacy row is in the staging table');
    const one = run('promote', '--chunk', '1');
    expect(one.stderr).not.toMatch(/error/);
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/orders chunk-0001:\S+: 40 legacy rows → 40 inserted/);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${s.q('dlt_schema', 'orders')}`))[0].n)).toBe(40);
    const rest = run('promote', '--all');
    expect(rest.status).toBe(0);
    expect(rest.stdout).toMatch(/2 windows to run, 1 already done/);
    expect(rest.stdout).toContain('orders: complete: every legacy row is in the target');
    expect(JSON.parse(run('status', '--json').stdout).tables[0]).toMatchObject({ phase: 'backfilled', staging: { staged: 3, promoted: 3 } });
    expect(run('verify').status).toBe(0);
  });
});
