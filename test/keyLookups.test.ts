import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { cli } from './helpers/warehouse';
import { printedStatements } from './helpers/printedPlan';

/**
 * A slice's time stays flat as the target grows only if each of its
 * statements finds target rows through the key index instead of reading the
 * whole target. Shown with the engine's own counters, around the very SQL the
 * planner renders (from `backfill --dry-run`), on a target holding far more
 * rows than the window and than legacy: PostgreSQL's per-transaction
 * sequential-scan count of the target, MariaDB's Handler_read_rnd_next (rows
 * read by scanning). EXPLAIN alone would not do on MariaDB: for
 * `INSERT … SELECT … ON DUPLICATE KEY UPDATE` it shows the SELECT side only.
 */
const SERVERS = testEngines().filter((e): e is 'postgres' | 'mysql' => e !== 'duckdb');
const LEGACY_ROWS = 2000;
const EXTRA_TARGET_ROWS = 40_000;

/** Target rows with keys legacy does not have, far from every window: only a scan would read them. */
async function growTarget(s: Sandbox): Promise<void> {
  const target = s.q('dlt_schema', 'orders');
  const numbers =
    s.engine === 'postgres'
      ? `SELECT g AS n FROM generate_series(1, ${EXTRA_TARGET_ROWS}) AS g`
      : `SELECT seq AS n FROM ${s.quote(s.schema('dlt_schema'))}.seq_1_to_${EXTRA_TARGET_ROWS}`;
  await s.exec(`INSERT INTO ${target} (id, customer_id, created_at, updated_at, total, status, channel, _dlt_load_id, _dlt_id)
    SELECT 1000000 + n, n, TIMESTAMP '2030-01-01 00:00:00', TIMESTAMP '2030-01-01 00:00:00', 1, 'paid', 'web', 'live', 'live'
      FROM (${numbers}) AS numbers`);
  await s.exec(s.engine === 'postgres' ? `ANALYZE ${target}` : `ANALYZE TABLE ${target}`);
}

/** Runs a statement in a transaction that is rolled back, returning how it read the target (engine counters). */
async function targetReads(s: Sandbox, sql: string, prepare: string[] = [], params?: string[]): Promise<{ scans: number; rowsScanned: number; probes: number }> {
  await s.exec('BEGIN');
  try {
    for (const statement of prepare) await s.exec(statement);
    if (s.engine === 'postgres') {
      const counters = async () => (await s.query(`SELECT seq_scan, seq_tup_read, idx_scan FROM pg_stat_xact_user_tables WHERE relid = '${s.q('dlt_schema', 'orders')}'::regclass`))[0];
      const before = await counters();
      await s.query(sql, params);
      const after = await counters();
      const delta = (name: string) => Number(after[name] ?? 0) - Number(before[name] ?? 0);
      return { scans: delta('seq_scan'), rowsScanned: delta('seq_tup_read'), probes: delta('idx_scan') };
    }
    const handler = async () => Object.fromEntries((await s.query("SHOW SESSION STATUS LIKE 'Handler_read%'")).map((r) => [String(r.Variable_name), Number(r.Value)]));
    const [a, b] = [await handler(), await handler()];
    const before = await handler();
    await s.query(sql, params);
    const after = await handler();
    // What SHOW STATUS itself adds to the counters, measured between two idle reads, is taken off.
    const delta = (name: string) => after[name] - before[name] - (b[name] - a[name]);
    const read = delta('Handler_read_rnd_next');
    // Handler_read_rnd_next counts every row read by scanning, legacy's included; one pass over the target alone would exceed this.
    return { scans: read >= EXTRA_TARGET_ROWS ? 1 : 0, rowsScanned: read, probes: delta('Handler_read_key') };
  } finally {
    await s.exec('ROLLBACK');
  }
}

describe.each(SERVERS)('slice lookups into a large target on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: LEGACY_ROWS, targetKey: true }));
    expect(cli(['stitch', '--config', config]).status).toBe(0);
    await growTarget(s);
    // Done once, so the statements measured below meet every key of the window in the target (a re-run: all conflicts).
    const first = cli(['backfill', '--month', '2023-03', '--config', config]);
    expect(first.stderr).not.toMatch(/error/);
    expect(first.status).toBe(0);
  }, 120_000);
  afterAll(async () => s?.drop());

  it("every statement of a slice that reads the target finds its rows by the key index, never by scanning it", async () => {
    const dry = cli(['backfill', '--month', '2023-03', '--dry-run', '--config', config]);
    expect(dry.status).toBe(0);
    const target = s.q('dlt_schema', 'orders');
    // The fresh window's plain INSERT reads no target row (it only writes; the window is a re-run, so it would conflict).
    const reads = printedStatements(dry.stdout).filter((st) => st.unit === 'orders 2023-03: backfill').filter((st) => st.sql.includes(target) && !/^Insert the window/.test(st.intent));
    // The upsert and the validation join at least (plus, where the upsert cannot count, the count of keys to insert),
    // and the fast path's look at the window's key range and its sums of a fresh window's rows.
    expect(reads.map((r) => r.intent)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Upsert/), expect.stringMatching(/^Validate the window/), expect.stringMatching(/^Compare the window/), expect.stringMatching(/^Sum the rows the fresh/)]),
    );
    for (const st of reads) {
      // Each statement runs on the path it serves: the window's state row (recorded by the run above, its key range
      // included) says so, set in the measured transaction.
      // (the comparison reads both sides while no state is recorded yet).
      const state = /^Compare the window/.test(st.intent) ? 'NULL' : /= 'fresh'/.test(st.sql) ? "'fresh'" : "'differs'";
      // The figures the run above measured are cleared, as each slice clears its window's first.
      const prepare = [`UPDATE ${s.q('_migrate', 'window_states')} SET state = ${state}, row_check = 'yes' WHERE window_key = '2023-03'`, `DELETE FROM ${s.q('_migrate', 'window_figures')} WHERE window_key = '2023-03'`];
      // What a statement binds (the run id of a pre-image copy) is a text here.
      const measured = await targetReads(s, st.sql, prepare, st.binds.map(() => 'run-under-test'));
      expect({ intent: st.intent, scans: measured.scans }).toEqual({ intent: st.intent, scans: 0 });
      expect(measured.rowsScanned).toBeLessThan(EXTRA_TARGET_ROWS);
      // …and the target was read, through its index: one probe per key of the window (the window is a re-run: every key is there).
      expect(measured.probes).toBeGreaterThan(0);
    }
  });
});

/**
 * MariaDB turns a unique index on a TEXT/BLOB column into a HASH index
 * (`USING HASH`), which enforces uniqueness but which no lookup uses: each
 * slice would read the whole target, and slices slowed down without bound.
 * backfill refuses such a key, --create-key-index or not, naming the ALTER
 * that makes it indexable; after it, the same run goes through.
 */
(SERVERS.includes('mysql') ? describe : describe.skip)('a TEXT key on mysql (MariaDB)', () => {
  let s: Sandbox;
  let config: string;
  const legacy = () => s.q('legacy_schema', 'notes');
  const target = () => s.q('dlt_schema', 'notes');
  const targetIndexes = async () =>
    (await s.query('SELECT INDEX_NAME AS name, INDEX_TYPE AS type FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [s.schema('dlt_schema'), 'notes'])).map((r) => `${String(r.name)} ${String(r.type)}`);
  beforeAll(async () => {
    s = await openSandbox('mysql');
    await s.createSchema('legacy_schema');
    await s.createSchema('dlt_schema');
    await s.exec(`CREATE TABLE ${legacy()} (code VARCHAR(40) NOT NULL PRIMARY KEY, body VARCHAR(64), created_at DATETIME)`);
    await s.exec(`CREATE TABLE ${target()} (code TEXT NOT NULL, body VARCHAR(64), created_at DATETIME, _dlt_load_id VARCHAR(64) NOT NULL, _dlt_id VARCHAR(64) NOT NULL)`);
    await s.exec(`INSERT INTO ${legacy()} SELECT concat('note-', seq), concat('body ', seq), TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (seq % 60) DAY FROM ${s.quote(s.schema('legacy_schema'))}.seq_1_to_500`);
    await s.exec(`INSERT INTO ${target()} SELECT concat('live-', seq), 'live', TIMESTAMP '2030-01-01 00:00:00', 'live', 'live' FROM ${s.quote(s.schema('dlt_schema'))}.seq_1_to_${EXTRA_TARGET_ROWS}`);
    config = s.writeConfig(`tables:
  notes:
    legacy: ${s.ref('legacy_schema', 'notes')}
    target: ${s.ref('dlt_schema', 'notes')}
    view: ${s.ref('dw', 'all_notes')}
    key: code
    cursor: created_at
`);
    expect(cli(['stitch', '--config', config]).status).toBe(0);
  }, 120_000);
  afterAll(async () => s?.drop());

  it('is refused with the reason and the ALTER TABLE … MODIFY that works; nothing is created', async () => {
    const r = cli(['backfill', '--all', '--create-key-index', '--config', config]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^error \[KEY_NOT_INDEXABLE\]: notes: .*the key column code is text: a unique index on it is a HASH index/m);
    expect(r.stderr).toContain(`ALTER TABLE ${target()} MODIFY \`code\` VARCHAR(255) NOT NULL`);
    expect(await targetIndexes()).toEqual([]);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${target()} WHERE code LIKE 'note-%'`))[0].n)).toBe(0);
  });

  it('the engine fact behind it: a lookup by key through the HASH index reads the whole target', async () => {
    await s.exec(`CREATE UNIQUE INDEX notes_hash ON ${target()} (code)`);
    try {
      expect(await targetIndexes()).toEqual(['notes_hash HASH']);
      const join = `SELECT count(t.body) AS n FROM ${legacy()} AS l LEFT JOIN ${target()} AS t ON t.code = l.code`;
      expect((await targetReads(s, join)).scans).toBe(1);
      // A key index that exists already but is a HASH one is refused too: the slices would be as slow.
      const r = cli(['backfill', '--all', '--config', config]);
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/^error \[KEY_NOT_INDEXABLE\]/m);
    } finally {
      await s.exec(`DROP INDEX notes_hash ON ${target()}`);
    }
  });

  it('after the ALTER it proposes, --create-key-index makes a B-tree index and the slices probe it', async () => {
    const refused = cli(['backfill', '--all', '--create-key-index', '--config', config]);
    const alter = /(ALTER TABLE .* NOT NULL)/.exec(refused.stderr)?.[1];
    expect(alter).toBeDefined();
    await s.exec(alter!);
    const r = cli(['backfill', '--all', '--create-key-index', '--config', config]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(await targetIndexes()).toEqual(['notes__theseus_key BTREE']);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${target()} WHERE code LIKE 'note-%'`))[0].n)).toBe(500);
    const dry = cli(['backfill', '--month', '2024-01', '--dry-run', '--config', config]);
    const reads = printedStatements(dry.stdout).filter((st) => st.unit === 'notes 2024-01: backfill' && st.sql.includes(target()));
    expect(reads.length).toBeGreaterThanOrEqual(2);
    // The figures the run above measured are cleared, as each slice clears its window's first.
    const clear = [`DELETE FROM ${s.q('_migrate', 'window_figures')} WHERE window_key = '2024-01'`];
    for (const st of reads) expect({ intent: st.intent, scans: (await targetReads(s, st.sql, clear, st.binds.map(() => 'run-under-test'))).scans }).toEqual({ intent: st.intent, scans: 0 });
  });
});
