import { cli } from './helpers/warehouse';
import { startCli } from './helpers/processes';
import { type EngineName, type Sandbox, testEngines } from './helpers/engines';
import { DLT_SCHEMA_NAME, DLT_VERSION_HASH, EARLIER_LOADS, bookkeepingFingerprint, openDltOrders } from './helpers/dltDataset';
import { oneLine } from './helpers/printedPlan';

/**
 * Backfilled rows are dlt rows (issue 12, points 1, 2 and 6): each backfill
 * run that changes rows registers one completed load in the dataset's
 * `_dlt_loads`, under the dlt schema holding the table, with an id after
 * every load there; dbt's staging pattern then finds every backfilled row,
 * and dlt's other bookkeeping is never written.
 */
const TO_TIMESTAMP: Record<EngineName, (expr: string) => string> = {
  duckdb: (e) => `CAST(to_timestamp(CAST(${e} AS DOUBLE)) AS VARCHAR)`,
  postgres: (e) => `CAST(to_timestamp(CAST(${e} AS double precision)) AS text)`,
  mysql: (e) => `CAST(FROM_UNIXTIME(CAST(${e} AS DOUBLE)) AS CHAR)`,
};
const ROWS = 3000;

describe.each(testEngines())('dlt loads on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    ({ s, config } = await openDltOrders(engine, ROWS));
  });
  afterAll(async () => s?.drop());
  const run = (...args: string[]) => cli([...args, '--config', config]);
  const loadOrdersConfig = async () => (await import('node:fs')).readFileSync(config, 'utf8').replace(s.configHead(), '');
  const loads = async () =>
    (await s.query(`SELECT load_id, schema_name, status, schema_version_hash FROM ${s.q('dlt_schema', '_dlt_loads')} ORDER BY load_id`)).map((r) => ({
      load_id: String(r.load_id),
      schema_name: r.schema_name,
      status: Number(r.status),
      schema_version_hash: r.schema_version_hash,
    }));
  const target = () => s.q('dlt_schema', 'orders');

  it('each slice of a backfill registers its completed load, and dbt staging (status 0, not yet processed) finds every backfilled row', async () => {
    const before = await bookkeepingFingerprint(s, 'orders');
    expect(run('stitch').status).toBe(0);
    const dry = run('backfill', '--month', '2023-03', '--dry-run');
    const columns = ['load_id', 'schema_name', 'status', 'inserted_at', 'schema_version_hash'].map((c) => s.quote(c)).join(', ');
    expect(oneLine(dry.stdout)).toContain(`INSERT INTO ${s.q('dlt_schema', '_dlt_loads')} (${columns})`);
    // Three workers at once on the servers: slices race to register the run's load, and one row must result.
    const r = run('backfill', '--all', '--include-null-cursor', '--max-parallel', '3');
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);

    // One load per slice (a slice is one transaction): every backfilled row's id is a completed load of erp.
    const ids = (await s.query(`SELECT DISTINCT _dlt_load_id AS id FROM ${target()} ORDER BY 1`)).map((x) => String(x.id));
    expect(ids).toHaveLength(25); // 24 months and the rows without a cursor
    const all = await loads();
    expect(all.map((l) => l.load_id)).toEqual([...EARLIER_LOADS, ...ids]);
    for (const load of all.slice(2)) expect(load).toEqual({ load_id: load.load_id, schema_name: DLT_SCHEMA_NAME, status: 0, schema_version_hash: DLT_VERSION_HASH });
    // The staging model of dlt's generated dbt packages, with the earlier loads already processed.
    const [staged] = await s.query(
      `SELECT count(*) AS n FROM ${target()} WHERE _dlt_load_id IN (SELECT load_id FROM ${s.q('dlt_schema', '_dlt_loads')} WHERE status = 0 AND load_id NOT IN ('${EARLIER_LOADS.join("', '")}'))`,
    );
    expect(Number(staged.n)).toBe(ROWS);
    // latest_load_id() is the backfill's, and SQLMesh's cast of it is the run's time.
    const [latest] = await s.query(`SELECT max(load_id) AS id, ${TO_TIMESTAMP[engine]('max(load_id)')} AS at FROM ${s.q('dlt_schema', '_dlt_loads')}`);
    expect(String(latest.id)).toBe(ids[ids.length - 1]);
    expect(Math.abs(Number(ids[0]) - Date.now() / 1000)).toBeLessThan(600);
    expect(String(latest.at).slice(0, 4)).toBe(String(new Date().getUTCFullYear()));
    // dlt's own bookkeeping is untouched.
    expect(await bookkeepingFingerprint(s, 'orders')).toBe(before);
  });

  it('dlt.schema_name picks the dlt schema; one that does not hold the table is refused, naming those there', async () => {
    const tables = (await loadOrdersConfig()).replace('    updated_at: updated_at\n', '    updated_at: updated_at\n    dlt:\n      schema_name: other_source\n');
    const r = cli(['status', '--config', s.writeConfig(tables, 'other.yaml')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error [DLT_SCHEMA_NOT_FOUND]: tables.orders.dlt.schema_name is "other_source", but');
    expect(r.stderr).toContain('the schema names there: erp, other_source');
  });

  it('a rerun that changes nothing adds no load; a clock behind the latest load gets an id after it, as text and as a number', async () => {
    const before = await loads();
    const rerun = run('backfill', '--all', '--rerun', '--include-null-cursor');
    expect(rerun.status).toBe(0);
    expect(await loads()).toEqual(before);

    // The pipeline's last load is in 2100: the backfill's id must still come after it.
    await s.exec(`INSERT INTO ${s.q('dlt_schema', '_dlt_loads')} VALUES ('4102444800.0', '${DLT_SCHEMA_NAME}', 0, '2030-01-01 00:00:00', '${DLT_VERSION_HASH}')`);
    const legacy = s.q('legacy_schema', 'orders');
    const [row] = await s.query(`SELECT ${s.quote('Id')} AS id FROM ${legacy} WHERE ${s.quote('CreatedAt')} >= '2023-05-01' AND ${s.quote('CreatedAt')} < '2023-06-01' ORDER BY ${s.quote('Id')}`);
    await s.exec(`UPDATE ${legacy} SET order_total = 12345.67, ${s.quote('UpdatedAt')} = '2029-01-01 00:00:00' WHERE ${s.quote('Id')} = ${Number(row.id)}`);
    const repair = run('backfill', '--month', '2023-05');
    expect(repair.stderr).not.toMatch(/error/);
    expect(repair.status).toBe(0);
    const after = await loads();
    expect(after).toHaveLength(before.length + 2); // the pipeline's 2100 load, and the repaired slice's
    const newest = after[after.length - 1];
    expect(newest.load_id).toMatch(/^4102444800\.001\d{3}$/);
    const [changed] = await s.query(`SELECT _dlt_load_id AS id FROM ${target()} WHERE id = ${Number(row.id)}`);
    expect(String(changed.id)).toBe(newest.load_id);
  });

  it("a load id another run registered is refused, never shared: the slice's rows would hide behind the other run's load row", async () => {
    const legacy = s.q('legacy_schema', 'orders');
    const change = async (total: number) => {
      const [row] = await s.query(`SELECT ${s.quote('Id')} AS id FROM ${legacy} WHERE ${s.quote('CreatedAt')} >= '2023-06-01' AND ${s.quote('CreatedAt')} < '2023-07-01' ORDER BY ${s.quote('Id')}`);
      await s.exec(`UPDATE ${legacy} SET order_total = ${total}, ${s.quote('UpdatedAt')} = '2029-02-01 00:00:00' WHERE ${s.quote('Id')} = ${Number(row.id)}`);
      return Number(row.id);
    };
    // A clock pinned after every load (THESEUS_NOW), and someone deletes the run's row from _dlt_loads afterwards.
    const pinned = { THESEUS_NOW: '4102444900' };
    await change(111.11);
    const first = cli(['backfill', '--month', '2023-06', '--config', config], pinned);
    expect(first.stderr).not.toContain('error');
    expect(first.status).toBe(0);
    await s.exec(`DELETE FROM ${s.q('dlt_schema', '_dlt_loads')} WHERE load_id = '4102444900.000000'`);
    const id = await change(222.22);
    const again = cli(['backfill', '--month', '2023-06', '--config', config], pinned);
    expect(again.status).toBe(4);
    expect(again.stderr).toContain('[LOAD_ID_TAKEN]: orders: another run already registered dlt load 4102444900.000000 in');
    const [row] = await s.query(`SELECT total FROM ${target()} WHERE id = ${id}`);
    expect(Number(row.total)).toBe(111.11);
    // Unpinned, the next run takes a new id after the latest load and registers it.
    expect(run('backfill', '--month', '2023-06').status).toBe(0);
    const [fixed] = await s.query(`SELECT total, _dlt_load_id AS load_id FROM ${target()} WHERE id = ${id}`);
    expect(Number(fixed.total)).toBe(222.22);
    expect((await loads()).map((l) => l.load_id)).toContain(String(fixed.load_id));
  });
});

describe.each(testEngines())('a backfill killed mid-run on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    ({ s, config } = await openDltOrders(engine, ROWS));
    expect(cli(['stitch', '--config', config]).status).toBe(0);
  });
  afterAll(async () => s?.drop());
  /** Target rows whose load id has no completed load: what dlt's readers would call an unfinished load. */
  const orphans = async () =>
    Number((await s.query(`SELECT count(*) AS n FROM ${s.q('dlt_schema', 'orders')} WHERE _dlt_load_id NOT IN (SELECT load_id FROM ${s.q('dlt_schema', '_dlt_loads')} WHERE status = 0)`))[0].n);

  it('leaves no data row without its load row, killed or resumed, and each run registers once', async () => {
    // Slow enough between slices that the kill lands mid-run.
    const killed = startCli(['backfill', '--all', '--include-null-cursor', '--min-interval', '300ms', '--config', config]);
    await killed.waitFor(/(legacy rows? →[\s\S]*){3}/);
    killed.child.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    const [partial] = await s.query(`SELECT count(*) AS n FROM ${s.q('dlt_schema', 'orders')}`);
    expect(Number(partial.n)).toBeGreaterThan(0);
    expect(Number(partial.n)).toBeLessThan(ROWS);
    expect(await orphans()).toBe(0);

    const resumed = cli(['backfill', '--all', '--include-null-cursor', '--config', config]);
    expect(resumed.status).toBe(0);
    expect(await orphans()).toBe(0);
    // Each load id the rows carry is registered exactly once.
    const [ids] = await s.query(`SELECT count(DISTINCT _dlt_load_id) AS n FROM ${s.q('dlt_schema', 'orders')}`);
    const [registered] = await s.query(`SELECT count(*) AS n, count(DISTINCT load_id) AS k FROM ${s.q('dlt_schema', '_dlt_loads')} WHERE load_id NOT IN ('${EARLIER_LOADS.join("', '")}')`);
    expect(Number(registered.n)).toBe(Number(ids.n));
    expect(Number(registered.k)).toBe(Number(ids.n));
  });

  // DuckDB admits no reader beside a writing process: dbt cannot run in the middle of a backfill there.
  if (engine !== 'duckdb') it('a dbt run in the middle of a backfill misses no row: what it processed is never written to again', async () => {
    await s.exec(`DELETE FROM ${s.q('dlt_schema', 'orders')}`);
    await s.exec(`DELETE FROM ${s.q('_migrate', 'slices')}`);
    const running = startCli(['backfill', '--all', '--include-null-cursor', '--min-interval', '300ms', '--config', config]);
    await running.waitFor(/(legacy rows? →[\s\S]*){3}/);
    // dbt runs now, while the backfill goes on: it processes every completed load there is.
    const processed = (await s.query(`SELECT load_id FROM ${s.q('dlt_schema', '_dlt_loads')}`)).map((r) => String(r.load_id));
    const [before] = await s.query(`SELECT count(*) AS n FROM ${s.q('dlt_schema', 'orders')} WHERE _dlt_load_id IN ('${processed.join("', '")}')`);
    expect((await running.exited).code).toBe(0);
    const [staged] = await s.query(
      `SELECT count(*) AS n FROM ${s.q('dlt_schema', 'orders')} WHERE _dlt_load_id IN (SELECT load_id FROM ${s.q('dlt_schema', '_dlt_loads')} WHERE status = 0 AND load_id NOT IN ('${processed.join("', '")}'))`,
    );
    expect(Number(before.n)).toBeGreaterThan(0);
    expect(Number(staged.n) + Number(before.n)).toBe(ROWS);
  });
});
