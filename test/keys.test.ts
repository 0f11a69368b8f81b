import * as fs from 'node:fs';
import { cli } from './helpers/warehouse';
import { type Sandbox, testEngines } from './helpers/engines';
import { TIME_TYPES, openTableSandbox } from './helpers/tableSandbox';

/**
 * Keys as real legacy tables hold them (issue 11, points 1, 5 and 7): a
 * composite key with NULL parts, a key with a later version in another month
 * (backfilled newest first, so the target is newer than the older month's
 * row), and rows of one key tied on every order the latest-wins rule knows.
 */

interface WindowJson {
  window: string;
  legacyRows: number;
  legacyRowsAll: number;
  supersededRows: number;
  nullKeyRows: number;
  failures: string[];
}

describe.each(testEngines())('keys on %s', (engine) => {
  let s: Sandbox;
  const t = TIME_TYPES[engine];
  beforeAll(async () => {
    s = await openTableSandbox(engine);
  });
  afterAll(async () => s?.drop());

  it('NULL key parts are counted and gate cutover; a superseded version is reported apart; a later version in another month fails neither validation nor the sums', async () => {
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'subscriptions')} (account_id BIGINT, plan_id BIGINT, started_at ${t.naive}, updated_at ${t.naive}, fee DECIMAL(10,2))`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'subscriptions')} (account_id BIGINT NOT NULL, plan_id BIGINT NOT NULL, started_at ${t.zoned}, updated_at ${t.zoned}, fee DECIMAL(10,2), PRIMARY KEY (account_id, plan_id))`);
    const rows = Array.from({ length: 9 }, (_, i) => `(${i + 1}, 1, '2024-01-0${i + 1} 10:00:00', '2024-01-0${i + 1} 10:00:00', ${i + 1}.00)`);
    rows.push(
      "(NULL, 1, '2024-01-20 10:00:00', '2024-01-20 10:00:00', 20.00)", // no account: unkeyed
      "(11, NULL, '2024-01-21 10:00:00', '2024-01-21 10:00:00', 21.00)", // no plan: unkeyed
      "(1, 1, '2024-02-10 10:00:00', '2024-02-10 10:00:00', 99.00)", // a later version of (1, 1), in February
    );
    await s.exec(`INSERT INTO ${s.q('legacy_schema', 'subscriptions')} VALUES ${rows.join(', ')}`);
    const file = s.writeConfig(
      `tables:
  subscriptions:
    legacy: ${s.ref('legacy_schema', 'subscriptions')}
    target: ${s.ref('dlt_schema', 'subscriptions')}
    view: ${s.ref('dw', 'all_subscriptions')}
    key: [account_id, plan_id]
    cursor: started_at
    updated_at: updated_at
    verify:
      sums: [fee]
`,
      'subscriptions.yaml',
    );
    const run = (...args: string[]) => cli([...args, '--config', file]);
    expect(run('stitch').status).toBe(0);
    // Newest first: February's (1, 1) lands before January's older version is merged and validated.
    const backfill = run('backfill', '--all', '--newest-first');
    expect(backfill.stderr).toBe('');
    expect(backfill.status).toBe(0);
    expect(backfill.stdout).toContain('subscriptions: NOT complete:');
    expect(backfill.stdout).toContain('2 legacy rows have a NULL key and cannot be merged');
    const [one] = await s.query(`SELECT ${s.dialect.cast('fee', s.dialect.textType)} AS fee FROM ${s.q('dlt_schema', 'subscriptions')} WHERE account_id = 1 AND plan_id = 1`);
    expect(String(one.fee)).toBe('99.00');

    const verify = run('verify', '--json');
    expect(verify.status).toBe(0);
    const windows = (JSON.parse(verify.stdout) as { tables: Array<{ windows: WindowJson[] }> }).tables[0].windows;
    expect(windows.find((w) => w.window === '2024-01')).toMatchObject({ legacyRowsAll: 11, legacyRows: 8, supersededRows: 1, nullKeyRows: 2, failures: [] });
    expect(windows.find((w) => w.window === '2024-02')).toMatchObject({ legacyRowsAll: 1, legacyRows: 1, supersededRows: 0, nullKeyRows: 0 });
    const text = run('verify');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("verified: every legacy key is in the target with its latest version's values (1 older version superseded); 2 legacy rows have no key and are not in the target");
    const note = run('verify', '--markdown', `${s.dir}/note.md`);
    expect(note.status).toBe(0);
    expect(fs.readFileSync(`${s.dir}/note.md`, 'utf8')).toContain('- **Rows:** 12 legacy rows: 9 distinct keys (1 superseded by a later version of their key, 2 without a key); 9 of the keys in the new table.');

    const cutover = run('cutover');
    expect(cutover.status).toBe(3);
    expect(cutover.stderr).toContain('error [UNKEYED_ROWS]: subscriptions: 2 legacy rows have a NULL key');
  });

  it('rows of one key tied on the cursor (no updated_at) are warned about and resolved the same way on every run', async () => {
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'readings')} (id BIGINT, taken_at ${t.naive}, reading DECIMAL(10,2), unit VARCHAR(8))`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'readings')} (id BIGINT NOT NULL PRIMARY KEY, taken_at ${t.zoned}, reading DECIMAL(10,2), unit VARCHAR(8))`);
    await s.exec(`INSERT INTO ${s.q('legacy_schema', 'readings')} VALUES (5, '2024-01-05 10:00:00', 1.00, 'kWh'), (5, '2024-01-05 10:00:00', 2.00, 'kWh'), (6, '2024-01-06 10:00:00', 3.00, 'kWh')`);
    const file = s.writeConfig(
      `tables:
  readings:
    legacy: ${s.ref('legacy_schema', 'readings')}
    target: ${s.ref('dlt_schema', 'readings')}
    view: ${s.ref('dw', 'all_readings')}
    key: id
    cursor: taken_at
`,
      'readings.yaml',
    );
    const run = (...args: string[]) => cli([...args, '--config', file]);
    expect(run('stitch').status).toBe(0);
    const first = run('backfill', '--all');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/1 keys? more than once \(the latest row wins\); warning: 1 of them with several latest rows/);
    const read = async () => String((await s.query(`SELECT ${s.dialect.cast('reading', s.dialect.textType)} AS r FROM ${s.q('dlt_schema', 'readings')} WHERE id = 5`))[0].r);
    // The stable order on every other column: reading '2.00' sorts after '1.00', and the later text wins.
    expect(await read()).toBe('2.00');
    const again = run('backfill', '--all', '--rerun');
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/backfill: 1 slice done; 3 legacy rows → 0 inserted, 0 updated/);
    expect(await read()).toBe('2.00');
    expect(run('verify').status).toBe(0);
  });
});
