import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { loadDltBookkeeping, setStoredSchema } from './helpers/dltDataset';

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
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: 300 }));
    await loadDltBookkeeping(s, 'orders');
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
});
