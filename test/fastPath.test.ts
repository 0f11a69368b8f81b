import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders, timestampText } from './helpers/ordersFixture';
import { startCli } from './helpers/processes';
import { cli } from './helpers/warehouse';

/**
 * The slice's fast path (src/plan/windowState.ts), attacked as production would: legacy ids grow with the cursor,
 * as an append-only table's do, so each month's keys form a range of their own. A first backfill finds each
 * window fresh and inserts it without an upsert; a rerun finds it in sync and writes nothing; a changed legacy row,
 * a live row in a window's range, and a live insert racing the plain INSERT each send the window down the upsert,
 * and nothing is lost, doubled or rolled back that was live.
 */
const PER_MONTH = 100;
const START = Date.UTC(2023, 0, 1) / 1000;

/** Legacy row i of month m (0-based): ids 1…100 in 2023-01, 101…200 in 2023-02, and so on. */
function legacyValues(s: Sandbox, month: number): string {
  const rows: string[] = [];
  for (let k = 0; k < PER_MONTH; k++) {
    const id = month * PER_MONTH + k + 1;
    const created = timestampText(Date.UTC(2023, month, 1 + (k % 28), k % 24) / 1000);
    const updated = id % 10 === 0 ? timestampText(Date.UTC(2023, month, 2 + (k % 27), k % 24) / 1000) : created;
    rows.push(`(${id}, ${(id % 50) + 1}, ${s.dialect.stringLiteral(created)}, ${s.dialect.stringLiteral(updated)}, ${id * 1.25}, 'paid', 'imported from ERP')`);
  }
  return rows.join(', ');
}

const monthKey = (m: number) => `2023-${String(m + 1).padStart(2, '0')}`;

interface SliceDone {
  window: string;
  inserted: number;
  updated: number;
  window_state?: string;
}

describe.each(testEngines())('the slice fast path (fresh, in sync, differs) on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  const legacy = () => s.q('legacy_schema', 'orders');
  const target = () => s.q('dlt_schema', 'orders');

  let loadOrdersConfig: () => Promise<string>;
  beforeAll(async () => {
    expect(START).toBeGreaterThan(0);
    s = await openSandbox(engine);
    const tables = await loadOrders(s, { rows: 0, targetKey: true });
    loadOrdersConfig = async () => tables;
    config = s.writeConfig(tables);
    for (let m = 0; m < 4; m++) await s.exec(`INSERT INTO ${legacy()} VALUES ${legacyValues(s, m)}`);
    expect(cli(['stitch', '--config', config]).status).toBe(0);
  });
  afterAll(async () => s?.drop());

  function backfill(...args: string[]): SliceDone[] {
    const run = cli(['backfill', ...args, '--json', '--config', config]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.not.stringMatching(/error/) });
    return run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as SliceDone & { event: string })
      .filter((e) => e.event === 'slice_done');
  }
  const verified = () => cli(['verify', '--config', config]).status;
  const targetRow = async (id: number) => (await s.query(`SELECT total, _dlt_load_id FROM ${target()} WHERE id = ${id}`))[0];
  const targetCount = async () => Number((await s.query(`SELECT count(*) AS n FROM ${target()}`))[0].n);

  it('a first backfill finds every window fresh, inserts it whole and validates it by its sums; verify agrees', async () => {
    const done = backfill('--all');
    expect(done.map((d) => [d.window, d.window_state, d.inserted, d.updated])).toEqual([0, 1, 2, 3].map((m) => [monthKey(m), 'fresh', PER_MONTH, 0]));
    expect(await targetCount()).toBe(4 * PER_MONTH);
    const marks = await s.query(`SELECT window_key, status, legacy_rows, legacy_checksum, target_checksum FROM ${s.q('_migrate', 'validations')} ORDER BY window_key`);
    expect(marks.map((r) => [r.window_key, r.status, Number(r.legacy_rows)])).toEqual([0, 1, 2, 3].map((m) => [monthKey(m), 'validated', PER_MONTH]));
    for (const r of marks) expect(String(r.target_checksum)).toBe(String(r.legacy_checksum));
    expect(verified()).toBe(0);
  });

  it('a rerun over unchanged windows finds them in sync and writes nothing, not even a load id', async () => {
    const before = await targetRow(150);
    const done = backfill('--all', '--rerun');
    expect(done.map((d) => [d.window_state, d.inserted, d.updated])).toEqual([0, 1, 2, 3].map(() => ['in_sync', 0, 0]));
    expect(await targetRow(150)).toEqual(before);
  });

  it('a changed legacy row makes its window differ: the upsert repairs that row alone', async () => {
    await s.exec(`UPDATE ${legacy()} SET order_total = 999.5, ${s.quote('UpdatedAt')} = ${s.dialect.stringLiteral('2024-06-01 00:00:00')} WHERE ${s.quote('Id')} = 150`);
    const done = backfill('--month', monthKey(1), '--rerun');
    expect(done.map((d) => [d.window_state, d.inserted, d.updated])).toEqual([['differs', 0, 1]]);
    expect(Number((await targetRow(150)).total)).toBe(999.5);
    expect(verified()).toBe(0);
  });

  it("a live row already in a window's key range: the window differs, the live row is kept, every legacy row arrives once", async () => {
    await s.exec(`INSERT INTO ${legacy()} VALUES ${legacyValues(s, 4)}`);
    // dlt loaded key 450 (of 2023-05) before the backfill reached that month, newer than legacy's version.
    await s.exec(`INSERT INTO ${target()} (id, customer_id, created_at, updated_at, total, status, channel, _dlt_load_id, _dlt_id) VALUES (450, 1, ${s.dialect.stringLiteral('2023-05-05 00:00:00')}, ${s.dialect.stringLiteral('2025-01-01 00:00:00')}, 1.5, 'live', 'web', 'live-load', 'live-id')`);
    const done = backfill('--month', monthKey(4));
    expect(done.map((d) => [d.window_state, d.inserted, d.updated])).toEqual([['differs', PER_MONTH - 1, 0]]);
    expect(await targetRow(450)).toEqual({ total: expect.anything(), _dlt_load_id: 'live-load' });
    expect(Number((await s.query(`SELECT count(*) AS n, count(DISTINCT id) AS k FROM ${target()} WHERE id > 400 AND id <= 500`))[0].k)).toBe(PER_MONTH);
    expect(await targetCount()).toBe(5 * PER_MONTH);
    expect(verified()).toBe(0);
  });

  it('--no-validate: fresh windows are inserted whole and left unmarked; a rerun, which has no checksums to call a window in sync, upserts and changes nothing', async () => {
    const unvalidated = s.q('dlt_schema', 'unvalidated');
    await s.exec(`CREATE TABLE ${unvalidated} AS SELECT * FROM ${target()} WHERE 1 = 0`);
    await s.exec(`ALTER TABLE ${unvalidated} ADD PRIMARY KEY (id)`);
    const tables = (await loadOrdersConfig()).replace('  orders:', '  unvalidated:').replace(s.ref('dlt_schema', 'orders'), s.ref('dlt_schema', 'unvalidated')).replace(s.ref('dw', 'all_orders'), s.ref('dw', 'all_unvalidated'));
    const file = s.writeConfig(tables, 'unvalidated.yaml');
    expect(cli(['stitch', '--config', file]).status).toBe(0);
    const slices = (args: string[]) => {
      const run = cli(['backfill', '--all', '--no-validate', ...args, '--json', '--config', file]);
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.not.stringMatching(/error/) });
      return run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as SliceDone & { event: string }).filter((e) => e.event === 'slice_done');
    };
    const first = slices([]);
    expect(first.length).toBeGreaterThanOrEqual(4);
    expect(first.every((d) => d.window_state === 'fresh' && d.updated === 0)).toBe(true);
    const legacyRows = Number((await s.query(`SELECT count(*) AS n FROM ${legacy()}`))[0].n);
    expect(Number((await s.query(`SELECT count(*) AS n, count(DISTINCT id) AS k FROM ${unvalidated}`))[0].k)).toBe(legacyRows);
    expect(await s.query(`SELECT window_key FROM ${s.q('_migrate', 'validations')} WHERE table_name = 'unvalidated'`)).toEqual([]);
    const before = await s.query(`SELECT id, _dlt_load_id FROM ${unvalidated} ORDER BY id`);
    const rerun = slices(['--rerun']);
    expect(rerun.map((d) => [d.window_state, d.inserted, d.updated])).toEqual(first.map(() => ['differs', 0, 0]));
    expect(await s.query(`SELECT id, _dlt_load_id FROM ${unvalidated} ORDER BY id`)).toEqual(before);
    expect(cli(['verify', '--config', file]).status).toBe(0);
  });

  it("keys that do not follow the cursor: a window whose key range overlaps another's differs at once, and every row arrives once", async () => {
    // Ids interleaved across three months (id = 3k + m): each month's range spans the others'.
    const shuffled = s.q('legacy_schema', 'shuffled');
    await s.exec(`CREATE TABLE ${shuffled} AS SELECT * FROM ${legacy()} WHERE 1 = 0`);
    const rows: string[] = [];
    for (let k = 0; k < 60; k++) {
      for (let m = 0; m < 3; m++) rows.push(`(${3 * k + m + 1}, 1, ${s.dialect.stringLiteral(timestampText(Date.UTC(2022, m, 1 + (k % 28)) / 1000))}, NULL, 1.5, 'paid', 'x')`);
    }
    await s.exec(`INSERT INTO ${shuffled} VALUES ${rows.join(', ')}`);
    await s.exec(`ALTER TABLE ${shuffled} ADD PRIMARY KEY (${s.quote('Id')})`);
    const shuffledTarget = s.q('dlt_schema', 'shuffled');
    await s.exec(`CREATE TABLE ${shuffledTarget} AS SELECT * FROM ${target()} WHERE 1 = 0`);
    await s.exec(`ALTER TABLE ${shuffledTarget} ADD PRIMARY KEY (id)`);
    const tables = (await loadOrdersConfig()).replace(/orders/g, 'shuffled');
    const file = s.writeConfig(tables, 'shuffled.yaml');
    expect(cli(['stitch', '--config', file]).status).toBe(0);
    const run = cli(['backfill', '--all', '--json', '--config', file]);
    expect(run.status).toBe(0);
    const done = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as SliceDone & { event: string }).filter((e) => e.event === 'slice_done');
    expect(done.map((d) => [d.window, d.window_state, d.inserted])).toEqual([
      ['2022-01', 'fresh', 60],
      ['2022-02', 'differs', 60],
      ['2022-03', 'differs', 60],
    ]);
    expect(Number((await s.query(`SELECT count(DISTINCT id) AS k FROM ${shuffledTarget}`))[0].k)).toBe(180);
    expect(cli(['verify', '--config', file]).status).toBe(0);
  });
});

/** A live writer needs a server: DuckDB admits one writing process per file. */
describe.each(testEngines().filter((e) => e !== 'duckdb'))('the fresh INSERT against live writers and other unique keys on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  const legacy = () => s.q('legacy_schema', 'orders');
  const target = () => s.q('dlt_schema', 'orders');
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: 0, targetKey: true }));
    for (let m = 0; m < 5; m++) await s.exec(`INSERT INTO ${legacy()} VALUES ${legacyValues(s, m)}`);
    expect(cli(['stitch', '--config', config]).status).toBe(0);
    expect(cli(['backfill', '--all', '--config', config]).status).toBe(0);
  });
  afterAll(async () => s?.drop());
  const targetRow = async (id: number) => (await s.query(`SELECT total, _dlt_load_id FROM ${target()} WHERE id = ${id}`))[0];
  const targetCount = async () => Number((await s.query(`SELECT count(*) AS n FROM ${target()}`))[0].n);
  const events = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as SliceDone & { event: string });

  it('a live insert racing the fresh INSERT fails it on the unique key; the slice is retried, upserts, and keeps the live row', async () => {
    await s.exec(`INSERT INTO ${legacy()} VALUES ${legacyValues(s, 5)}`);
    const live = await s.dialect.connect(s.connection, { readOnly: false });
    try {
      // The live writer's insert of key 550 is under way (uncommitted) when the slice looks: the window looks fresh,
      // and the slice's INSERT then waits on key 550 until the writer commits, and fails on it.
      await live.execute('BEGIN');
      await live.execute(`INSERT INTO ${target()} (id, customer_id, created_at, updated_at, total, status, channel, _dlt_load_id, _dlt_id) VALUES (550, 1, ${s.dialect.stringLiteral('2023-06-05 00:00:00')}, ${s.dialect.stringLiteral('2025-01-01 00:00:00')}, 2.2, 'live', 'web', 'live-load-2', 'live-id-2')`);
      const run = startCli(['backfill', '--month', monthKey(5), '--json', '--retry-delay', '0.2s', '--config', config]);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await live.execute('COMMIT');
      const exit = await run.exited;
      expect({ code: exit.code, stderr: run.stderr() }).toEqual({ code: 0, stderr: expect.not.stringMatching(/error \[/) });
      const seen = events(run.stdout());
      expect(seen.filter((e) => e.event === 'slice_retry').length).toBeGreaterThanOrEqual(1);
      expect(seen.filter((e) => e.event === 'slice_done').map((d) => [d.window_state, d.inserted, d.updated])).toEqual([['differs', PER_MONTH - 1, 0]]);
    } finally {
      await live.close();
    }
    expect((await targetRow(550))._dlt_load_id).toBe('live-load-2');
    expect(await targetCount()).toBe(6 * PER_MONTH);
    expect(cli(['verify', '--config', config]).status).toBe(0);
  }, 60_000);

  it('a unique index other than the key refusing the fresh INSERT fails the slice after one retry, not as contention until the retries run out; nothing of it is kept', async () => {
    await s.exec(`INSERT INTO ${legacy()} VALUES ${legacyValues(s, 6)}`);
    // Two legacy rows of 2023-07 carry the same total, which the target now holds unique (every other total is id × 1.25).
    await s.exec(`UPDATE ${legacy()} SET order_total = 777.3 WHERE ${s.quote('Id')} IN (610, 620)`);
    await s.exec(`CREATE UNIQUE INDEX orders_one_total ON ${target()} (total)`);
    const run = cli(['backfill', '--month', monthKey(6), '--json', '--retries', '3', '--retry-delay', '0.1s', '--config', config]);
    // The retry upserts: PostgreSQL's ON CONFLICT (id) then fails on the other index (5); MariaDB's ON DUPLICATE KEY
    // UPDATE, which answers any unique index, folds one row into the other, and the window's validation refuses it (4).
    expect(run.status).toBe(engine === 'postgres' ? 5 : 4);
    expect(run.stderr).toMatch(engine === 'postgres' ? /duplicate key|unique/i : /WINDOW_KEYS_MISSING/);
    expect(events(run.stdout).filter((e) => e.event === 'slice_retry')).toHaveLength(1);
    expect(await targetCount()).toBe(6 * PER_MONTH);
  });
});
