import { cli } from './helpers/warehouse';
import { writeTableConfig } from './helpers/tableSandbox';
import { type Sandbox, testEngines } from './helpers/engines';
import { openDltOrders, setStoredSchema } from './helpers/dltDataset';
import { legacyOrder } from './helpers/ordersFixture';

/**
 * The pipeline's own schema decides what a backfill may do (issue 12, point 3,
 * in part): read from `_dlt_version`, shown by stitch and status, and the
 * tables where the next live load would undo or corrupt the backfill refused
 * before anything is written.
 */
describe.each(testEngines())("dlt's table hints on %s", (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    ({ s, config } = await openDltOrders(engine, 300));
  });
  afterAll(async () => s?.drop());
  const run = (...args: string[]) => cli([...args, '--config', config]);
  const viewExists = async () => Number((await s.query(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'all_orders'`))[0].n) > 0;

  it('write_disposition replace is refused: the next live load would truncate the backfill', async () => {
    await setStoredSchema(s, 'orders', { write_disposition: 'replace' });
    for (const command of [['stitch'], ['backfill', '--all']]) {
      const r = run(...command);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('error [DLT_REPLACE_TABLE]: orders: dlt loads orders with write_disposition replace');
    }
  });

  it("a merge on another primary key than the config's is refused unless --allow-key-mismatch", async () => {
    await setStoredSchema(s, 'orders', { write_disposition: 'merge', 'x-merge-strategy': 'delete-insert', columns: { customer_id: { name: 'customer_id', primary_key: true } } });
    const refused = run('stitch');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("error [DLT_KEY_MISMATCH]: orders: dlt merges orders on its primary key customer_id, but the config's key is id");
    const allowed = run('stitch', '--allow-key-mismatch', '--dry-run');
    expect(allowed.status).toBe(0);
    expect(allowed.stderr).toContain('warning: orders: dlt merges on customer_id, the backfill on id (--allow-key-mismatch)');
  });

  it('nested tables of an upsert parent are refused unless --allow-orphan-children; stitch and status show what the schema says', async () => {
    const nested = { orders__items: { name: 'orders__items', parent: 'orders', columns: {} }, orders__items__tags: { name: 'orders__items__tags', parent: 'orders__items', columns: {} } };
    await setStoredSchema(s, 'orders', { write_disposition: 'merge', 'x-merge-strategy': 'upsert', columns: { id: { name: 'id', primary_key: true } } }, nested);
    const refused = run('stitch');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('error [DLT_NESTED_TABLES]: orders: orders has nested tables (orders__items, orders__items__tags) and dlt upserts it');
    const allowed = run('stitch', '--allow-orphan-children');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('orders: dlt schema erp: write_disposition merge (upsert), primary key id, nested tables: orders__items, orders__items__tags');
    expect(allowed.stderr).toContain("warning: orders: the backfill leaves orders's nested tables empty: orders__items, orders__items__tags");
    const status = JSON.parse(run('status', '--json').stdout) as { tables: Array<{ dlt: { schemaName: string; loadsTable: boolean; hints: { writeDisposition: string; mergeStrategy: string; primaryKey: string[]; children: string[] } } }> };
    expect(status.tables[0].dlt).toMatchObject({ schemaName: 'erp', loadsTable: true, hints: { writeDisposition: 'merge', mergeStrategy: 'upsert', primaryKey: ['id'], children: ['orders__items', 'orders__items__tags'] } });
  });

  it("an append table is backfilled with a warning naming legacy's last cursor value, the overlap a live load must start after", async () => {
    await setStoredSchema(s, 'orders', { write_disposition: 'append' });
    // The fixture's naive created_at is UTC (legacy_timezone defaults to UTC): its latest value, as the warning must print it.
    const last = Array.from({ length: 300 }, (_, i) => legacyOrder(i + 1).createdAt).filter((c): c is string => c !== null).sort().pop();
    expect(last).toMatch(/^2024-12-\d\d \d\d:\d\d:\d\d$/);
    const r = run('stitch');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`warning: orders: dlt appends to orders: a live load whose incremental initial_value is at or before ${last} UTC (legacy's last created_at) would load those rows again; start it after that (pipeline erp_pipeline's state has its created_at incremental at 2024-12-31T00:00:00+00:00)\n`);
    expect(await viewExists()).toBe(true);
  });

  it('_dlt_id narrower than the md5 id, or already held under another key where it is unique, is refused before writing', async () => {
    const make = async (name: string, dltId: string) => {
      await s.exec(`CREATE TABLE ${s.q('legacy_schema', name)} (id BIGINT PRIMARY KEY, created_at ${engine === 'mysql' ? 'DATETIME' : 'TIMESTAMP'})`);
      await s.exec(`CREATE TABLE ${s.q('dlt_schema', name)} (id BIGINT NOT NULL PRIMARY KEY, created_at ${engine === 'mysql' ? 'DATETIME' : 'TIMESTAMP'}, _dlt_load_id VARCHAR(64) NOT NULL, _dlt_id ${dltId})`);
      await s.exec(`INSERT INTO ${s.q('legacy_schema', name)} VALUES (1, '2024-01-05 10:00:00'), (2, '2024-01-06 10:00:00')`);
      return writeTableConfig(s, name, 'created_at');
    };
    await setStoredSchema(s, 'orders', { write_disposition: 'merge', 'x-merge-strategy': 'delete-insert' });
    // DuckDB keeps any length whatever VARCHAR(n) says, and reports none: only the servers can be too narrow.
    if (engine !== 'duckdb') {
      const narrow = cli(['backfill', '--all', '--config', await make('narrow', 'VARCHAR(14) NOT NULL')]);
      expect(narrow.status).toBe(2);
      expect(narrow.stderr).toMatch(/error \[DLT_ID_TOO_NARROW\]: narrow: the target's _dlt_id is [a-z ]+\(14\), but a backfilled row's id is the md5 of its key, 32 characters/i);
    }
    const file = await make('taken', 'VARCHAR(64) NOT NULL UNIQUE');
    // A row of key 99 holds the id legacy key 1 gets: md5('1').
    await s.exec(`INSERT INTO ${s.q('dlt_schema', 'taken')} VALUES (99, '2024-01-07 10:00:00', '1700000000.1', 'c4ca4238a0b923820dcc509a6f75849b')`);
    const taken = cli(['backfill', '--all', '--config', file]);
    expect(taken.status).toBe(2);
    expect(taken.stderr).toContain('error [DLT_ID_TAKEN]: taken: 1 target row holds the _dlt_id a legacy row of another key would get');
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${s.q('dlt_schema', 'taken')}`))[0].n)).toBe(1);
  });

  describe("dlt's hard_delete column: a legacy row carrying the delete flag is one dlt's merge would delete, and is never backfilled", () => {
    const ts = engine === 'mysql' ? 'DATETIME' : 'TIMESTAMP';
    /** A legacy table (without a unique key, the backfill de-duplicates) and its target, both with the flag column; returns the config. */
    const make = async (name: string, flag: string, rows: string[], legacyKey = false) => {
      await s.exec(`CREATE TABLE ${s.q('legacy_schema', name)} (id BIGINT${legacyKey ? ' PRIMARY KEY' : ''}, created_at ${ts}, updated_at ${ts}, label VARCHAR(16), ${flag})`);
      await s.exec(`CREATE TABLE ${s.q('dlt_schema', name)} (id BIGINT NOT NULL PRIMARY KEY, created_at ${ts}, updated_at ${ts}, label VARCHAR(16), ${flag}, _dlt_load_id VARCHAR(64) NOT NULL, _dlt_id VARCHAR(64) NOT NULL)`);
      await s.exec(`INSERT INTO ${s.q('legacy_schema', name)} VALUES ${rows.join(', ')}`);
      return writeTableConfig(s, name, 'created_at', '    updated_at: updated_at\n');
    };
    const labels = async (name: string, schema = 'dlt_schema', table = name) => (await s.query(`SELECT label FROM ${s.q(schema, table)} ORDER BY id`)).map((r) => String(r.label));
    /** stitch, then (the stitched view read in between) backfill --all, verify and cutover. */
    const lifecycle = async (name: string, file: string) => {
      const go = (...args: string[]) => cli([...args, '--config', file]);
      const stitch = go('stitch');
      const stitched = await labels(name, 'dw', `all_${name}`);
      return { stitch, stitched, backfill: go('backfill', '--all'), verify: go('verify'), cutover: go('cutover') };
    };

    it('a bool flag (= TRUE deletes), decided after de-duplication: the latest version of a key decides', async () => {
      // No data_type in the stored schema: the target column's type (BOOLEAN; tinyint(1) on MariaDB) says it is a bool.
      await setStoredSchema(s, 'accounts', { write_disposition: 'merge', 'x-merge-strategy': 'delete-insert', columns: { id: { name: 'id', primary_key: true }, deleted: { name: 'deleted', hard_delete: true } } });
      const file = await make('accounts', 'deleted BOOLEAN', [
        "(1, '2024-01-05 10:00:00', '2024-01-05 10:00:00', 'a', FALSE)",
        "(2, '2024-01-06 10:00:00', '2024-01-06 10:00:00', 'b', NULL)",
        "(3, '2024-01-07 10:00:00', '2024-01-07 10:00:00', 'c', TRUE)", // flagged
        "(7, '2024-01-15 10:00:00', '2024-01-15 10:00:00', 'g-old', TRUE)", // flagged, but a later version is not:
        "(7, '2024-01-15 10:00:00', '2024-01-25 10:00:00', 'g-new', FALSE)", // the key stays, with this version
        "(4, '2024-02-03 10:00:00', '2024-02-03 10:00:00', 'd', FALSE)",
        "(5, '2024-02-04 10:00:00', '2024-02-04 10:00:00', 'e', TRUE)", // flagged
        "(6, '2024-02-10 10:00:00', '2024-02-10 10:00:00', 'f-old', FALSE)", // not flagged, but its key's latest version is:
        "(6, '2024-02-10 10:00:00', '2024-02-20 10:00:00', 'f-new', TRUE)", // key 6 is deleted, the older version is not backfilled instead
      ]);
      const { stitch, stitched, backfill, verify, cutover } = await lifecycle('accounts', file);
      expect(stitch.status).toBe(0);
      // The stitched view already shows what the table will hold.
      expect(stitched).toEqual(['a', 'b', 'd', 'g-new']);
      expect(backfill.stderr.split('\n').filter((l) => l && !l.startsWith('warning:'))).toEqual([]);
      expect(backfill.status).toBe(0);
      expect(backfill.stdout).toContain("accounts: 9 legacy rows from 2024-01 to 2024-02; 2 windows to run; 2 keys more than once (the latest row wins); 4 legacy rows carry dlt's delete flag (deleted): none is backfilled, nor any key whose latest row carries it, as dlt's merge would delete it");
      expect(backfill.stdout).toContain("accounts: complete: every legacy row is in the target but the 4 rows dlt's merge would delete");
      expect(verify.stderr).toBe('');
      expect(verify.status).toBe(0);
      expect(verify.stdout).toContain("accounts: 2 windows verified: every legacy key is in the target with its latest version's values (1 older version superseded), but the 4 rows carrying dlt's delete flag (deleted), which dlt's merge would delete: not backfilled");
      expect(cutover.stderr).toBe('');
      expect(cutover.status).toBe(0);
      expect(await labels('accounts')).toEqual(['a', 'b', 'd', 'g-new']);
      const status = JSON.parse(cli(['status', '--json', '--config', file]).stdout) as { tables: Array<{ deletedRows: number | null }> };
      expect(status.tables[0].deletedRows).toBe(4);
    });

    it('a flag of another type (a deleted_at timestamp) deletes wherever it is not NULL (legacy with a unique key: no de-duplication)', async () => {
      await setStoredSchema(s, 'tickets', { write_disposition: 'merge', 'x-merge-strategy': 'upsert', columns: { id: { name: 'id', primary_key: true }, deleted_at: { name: 'deleted_at', data_type: 'timestamp', hard_delete: true } } });
      const file = await make('tickets', `deleted_at ${ts}`, [
        "(1, '2024-03-01 10:00:00', '2024-03-01 10:00:00', 'open', NULL)",
        "(2, '2024-03-02 10:00:00', '2024-03-02 10:00:00', 'gone', '2024-03-05 00:00:00')", // flagged
        "(3, '2024-03-03 10:00:00', '2024-03-03 10:00:00', 'kept', NULL)",
      ], true);
      const { stitch, stitched, backfill, verify, cutover } = await lifecycle('tickets', file);
      expect(stitch.status).toBe(0);
      expect(stitched).toEqual(['open', 'kept']);
      expect(backfill.status).toBe(0);
      expect(backfill.stdout).toContain("tickets: 3 legacy rows from 2024-03 to 2024-03; 1 window to run; 1 legacy row carries dlt's delete flag (deleted_at): none is backfilled, nor any key whose latest row carries it, as dlt's merge would delete it");
      expect(verify.status).toBe(0);
      expect(cutover.status).toBe(0);
      expect(await labels('tickets')).toEqual(['open', 'kept']);
    });
  });
});
