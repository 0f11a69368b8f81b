import { loadDialect } from '../dialects';
import type { Connection } from '../dialects/types';
import { cli } from './helpers/warehouse';
import { type EngineName, type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { eventually, startCli } from './helpers/processes';

/**
 * Real processes against real servers: one operator at a time, a backfill
 * killed mid-run and resumed, and live ingest running beside the backfill.
 */
const servers = testEngines().filter((e) => e !== 'duckdb');

describe.each(servers)('operators and crashes on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  const ROWS = 20000;
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: ROWS }));
    expect(cli(['stitch', '--config', config]).status).toBe(0);
  });
  afterAll(async () => s?.drop());
  const target = () => s.q('dlt_schema', 'orders');

  /** A second connection that holds the target locked, so a backfill blocks on its first read of it while holding the operator lock. */
  async function lockTarget(): Promise<Connection> {
    const dialect = await loadDialect(engine);
    const conn = await dialect.connect(s.connection, { readOnly: false });
    if (engine === 'postgres') {
      await conn.execute('BEGIN');
      await conn.execute(`LOCK TABLE ${target()} IN ACCESS EXCLUSIVE MODE`);
    } else {
      await conn.execute(`LOCK TABLES ${target()} WRITE`);
    }
    return conn;
  }
  async function unlockTarget(conn: Connection): Promise<void> {
    await conn.execute(engine === 'postgres' ? 'COMMIT' : 'UNLOCK TABLES');
    await conn.close();
  }

  // Backfill takes the table's lock shared where the engine can (PostgreSQL: a second backfill joins in, see
  // backfillControls.test.ts); every other command needs it alone, and on MySQL/MariaDB so does backfill.
  const secondCommand = engine === 'postgres' ? ['stitch'] : ['backfill', '--all'];
  it(`a second operator (${secondCommand.join(' ')}) on the same table is refused at once, naming the run that holds it`, async () => {
    // A clean end removes its holder row (and a killed run's is overwritten): the first run has the lock once the row names it.
    const holderRow = async () => (await s.query(`SELECT run_id FROM ${s.q('_migrate', 'locks')} WHERE table_name = 'orders'`))[0];
    const before = String((await holderRow())?.run_id);
    const blocker = await lockTarget();
    const first = startCli(['backfill', '--month', '2023-03', '--config', config]);
    try {
      await eventually(async () => String((await holderRow())?.run_id) !== before, 30_000, 'the first run to take the lock');
      const holder = await holderRow();
      const started = Date.now();
      const second = cli([...secondCommand, '--config', config]);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(second.status).toBe(3);
      expect(second.stderr).toMatch(new RegExp(`error \\[LOCKED\\]: orders: locked by run ${String(holder.run_id).replace('.', '\\.')} \\(backfill by \\S+\\) since \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}`));
    } finally {
      await unlockTarget(blocker);
    }
    const done = await first.exited;
    expect(done.code).toBe(0);
    expect(first.stdout()).toMatch(/orders 2023-03: [\d,]+ legacy rows → [\d,]+ inserted, 0 updated/);
    // The lock went with the first run: the next command takes it.
    expect(cli(['backfill', '--month', '2023-03', '--config', config]).status).toBe(0);
  });

  it('SIGKILL in the middle of backfill --all, then backfill --all ends with no duplicate and no missing key', async () => {
    const killed = startCli(['backfill', '--all', '--include-null-cursor', '--config', config]);
    await killed.waitFor(/(legacy rows? →[\s\S]*){4}/);
    killed.child.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');

    const slices = await s.query(`SELECT status, count(*) AS n FROM ${s.q('_migrate', 'slices')} GROUP BY status`);
    const done = Number(slices.find((x) => x.status === 'done')?.n ?? 0);
    expect(done).toBeGreaterThanOrEqual(4);
    expect(done).toBeLessThan(25);
    const runs = await s.query(`SELECT outcome, count(*) AS n FROM ${s.q('_migrate', 'runs')} WHERE command = 'backfill' GROUP BY outcome`);
    expect(runs.find((r) => r.outcome === 'running')).toBeDefined();

    const resumed = cli(['backfill', '--all', '--include-null-cursor', '--config', config]);
    expect(resumed.stderr).not.toContain('error');
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`${done} already done`);
    expect(resumed.stdout).toContain('complete: every legacy row is in the target');

    const [counts] = await s.query(`SELECT count(*) AS n, count(DISTINCT id) AS k FROM ${target()}`);
    expect([Number(counts.n), Number(counts.k)]).toEqual([ROWS, ROWS]);
    const [missing] = await s.query(
      `SELECT count(*) AS n FROM ${s.q('legacy_schema', 'orders')} l WHERE NOT EXISTS (SELECT 1 FROM ${target()} t WHERE t.id = l.${s.quote('Id')})`,
    );
    expect(Number(missing.n)).toBe(0);
    const status = JSON.parse(cli(['status', '--json', '--config', config]).stdout);
    expect(status.tables[0].windows).toEqual({ total: 25, done: 25, pending: 0, running: 0, failed: 0 });
  });
});

// PostgreSQL runs both of its upsert shapes: MERGE (no key index: writers wait per slice) and ON CONFLICT (key indexed).
const liveCases: Array<[EngineName, string, boolean]> = servers.flatMap((e): Array<[EngineName, string, boolean]> =>
  e === 'postgres' ? [[e, 'MERGE, no unique index on the key', false], [e, 'ON CONFLICT, key indexed', true]] : [[e, 'ON DUPLICATE KEY UPDATE', true]],
);

describe.each(liveCases)('live ingest during the backfill on %s (%s)', (engine, _shape, targetKey) => {
  let s: Sandbox;
  let config: string;
  const ROWS = 20000;
  beforeAll(async () => {
    s = await openSandbox(engine);
    // Sums reconciled per window, as a user would set them: live updates must not fail them (issue 11, point 1).
    config = s.writeConfig(`${await loadOrders(s, { rows: ROWS, targetKey })}    verify:\n      sums: [total]\n`);
    expect(cli(['stitch', '--config', config]).status).toBe(0);
  });
  afterAll(async () => s?.drop());

  it("no row the live writer wrote is overwritten by older legacy data, and live updates fail neither validation nor verify's sums", async () => {
    const target = s.q('dlt_schema', 'orders');
    const legacy = s.q('legacy_schema', 'orders');
    const live = { status: 'live', updatedAt: '2030-01-01 00:00:00', loadId: '1893456000.0' };
    // Legacy keys of the last months: the writer reaches them first, the backfill (oldest first) last.
    const lateIds = (
      await s.query(`SELECT ${s.quote('Id')} AS id FROM ${legacy} WHERE ${s.quote('CreatedAt')} >= '2024-10-01' ORDER BY ${s.quote('Id')}`)
    ).map((r) => Number(r.id));
    expect(lateIds.length).toBeGreaterThan(1000);
    // Written the way dlt's merge disposition loads a row: replace whatever the target holds for the key.
    const writeRow = async (id: number, created = '2024-11-15 00:00:00') => {
      const insert = `INSERT INTO ${target} (id, customer_id, created_at, updated_at, total, status, channel, _dlt_load_id, _dlt_id)
         VALUES (${id}, 1, '${created}', '${live.updatedAt}', 1.00, '${live.status}', 'web', '${live.loadId}', 'live-${id}')`;
      const replace = `status = '${live.status}', updated_at = '${live.updatedAt}', _dlt_load_id = '${live.loadId}', _dlt_id = 'live-${id}'`;
      if (engine === 'mysql') return s.exec(`${insert} ON DUPLICATE KEY UPDATE ${replace}`);
      if (targetKey) return s.exec(`${insert} ON CONFLICT (id) DO UPDATE SET ${replace}`);
      // No unique index: dlt's delete-insert, in one transaction.
      await s.exec('BEGIN');
      await s.exec(`DELETE FROM ${target} WHERE id = ${id}`);
      await s.exec(insert);
      await s.exec('COMMIT');
    };
    const overwrite = (id: number) =>
      s.exec(`UPDATE ${target} SET status = '${live.status}', updated_at = '${live.updatedAt}', _dlt_load_id = '${live.loadId}' WHERE id = ${id}`);

    const written = new Set<number>();
    const backfill = startCli(['backfill', '--all', '--include-null-cursor', '--config', config]);
    let running = true;
    void backfill.exited.then(() => (running = false));
    // The writer: new keys of late months (before the backfill gets there), brand-new keys,
    // and newer versions of rows the backfill has already merged.
    let i = 0;
    while (running && i < lateIds.length) {
      await writeRow(lateIds[i]);
      written.add(lateIds[i]);
      await writeRow(ROWS + 1 + i);
      written.add(ROWS + 1 + i);
      const [merged] = await s.query(`SELECT min(id) AS id FROM ${target} WHERE status <> '${live.status}' AND id < ${ROWS}`);
      if (merged.id !== null) {
        await overwrite(Number(merged.id));
        written.add(Number(merged.id));
      }
      i += 7;
    }
    const result = await backfill.exited;
    expect(backfill.stderr()).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(written.size).toBeGreaterThan(30);

    const ids = [...written];
    const rows = await s.query(`SELECT id, status, updated_at, _dlt_load_id FROM ${target} WHERE id IN (${ids.join(', ')})`);
    expect(rows.length).toBe(ids.length);
    const notLive = rows.filter((r) => r.status !== live.status || !String(r.updated_at).startsWith('2030-01-01') || r._dlt_load_id !== live.loadId);
    expect(notLive).toEqual([]);
    const [counts] = await s.query(`SELECT count(*) AS n, count(DISTINCT id) AS k FROM ${target}`);
    expect(Number(counts.n)).toBe(Number(counts.k));
    const [missing] = await s.query(`SELECT count(*) AS n FROM ${legacy} l WHERE NOT EXISTS (SELECT 1 FROM ${target} t WHERE t.id = l.${s.quote('Id')})`);
    expect(Number(missing.n)).toBe(0);

    // Verify reconciles the sums over the rows live ingest left alone and reports what it changed apart.
    const verify = cli(['verify', '--sample', '2', '--config', config]);
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/total: legacy [\d,]+\.\d\d = target [\d,]+\.\d\d \([+-][\d,]+\.\d\d from \d+ live updates?\)/);
    expect(verify.stdout).toContain(': newer in target (live update)');
    expect(verify.stdout).not.toMatch(/: changed$/m);
  });
});
