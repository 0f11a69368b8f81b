import { cli } from './helpers/warehouse';
import { type Sandbox, testEngines } from './helpers/engines';
import { openDltOrders, setStoredSchema } from './helpers/dltDataset';

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

  it('an append table is backfilled with a warning about overlapping live loads', async () => {
    await setStoredSchema(s, 'orders', { write_disposition: 'append' });
    const r = run('stitch');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('warning: orders: dlt appends to orders: a live load whose incremental starts before');
    expect(await viewExists()).toBe(true);
  });

  it('_dlt_id narrower than the md5 id, or already held under another key where it is unique, is refused before writing', async () => {
    const make = async (name: string, dltId: string) => {
      await s.exec(`CREATE TABLE ${s.q('legacy_schema', name)} (id BIGINT PRIMARY KEY, created_at ${engine === 'mysql' ? 'DATETIME' : 'TIMESTAMP'})`);
      await s.exec(`CREATE TABLE ${s.q('dlt_schema', name)} (id BIGINT NOT NULL PRIMARY KEY, created_at ${engine === 'mysql' ? 'DATETIME' : 'TIMESTAMP'}, _dlt_load_id VARCHAR(64) NOT NULL, _dlt_id ${dltId})`);
      await s.exec(`INSERT INTO ${s.q('legacy_schema', name)} VALUES (1, '2024-01-05 10:00:00'), (2, '2024-01-06 10:00:00')`);
      return s.writeConfig(`tables:\n  ${name}:\n    legacy: ${s.ref('legacy_schema', name)}\n    target: ${s.ref('dlt_schema', name)}\n    view: ${s.ref('dw', `all_${name}`)}\n    key: id\n    cursor: created_at\n`, `${name}.yaml`);
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
});
