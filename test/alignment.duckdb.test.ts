import * as path from 'node:path';
import { cleanup, cli, distribution, exec, query, tempDir, writeConfig } from './helpers/warehouse';
import { connectDuckDb } from '../dialects/duckdb/driver';

/**
 * Schema alignment, de-duplication, newer-wins and dlt's columns on a small
 * hand-made warehouse whose legacy table has no declared key, a duplicate key,
 * a NULL key, CamelCase names, a renamed column and an expression.
 */
describe('alignment and merge semantics on DuckDB', () => {
  let dir: string;
  let db: string;
  let config: string;
  const run = (...args: string[]) => cli([...args, '--config', config]);

  beforeAll(async () => {
    dir = tempDir();
    db = path.join(dir, 'w.duckdb');
    const conn = await connectDuckDb(db, { readOnly: false, create: true });
    await conn.execute(`
      CREATE SCHEMA src; CREATE SCHEMA dst;
      CREATE TABLE src.customers ("CustomerId" INTEGER, "FullName" VARCHAR, "SignupAt" TIMESTAMP, "ModifiedAt" TIMESTAMP, "Amount" DOUBLE, "Remark" VARCHAR, "Junk" VARCHAR);
      INSERT INTO src.customers VALUES
        (1, 'Ann old', '2024-01-05', '2024-01-05', 10.0, 'a', 'x'),
        (1, 'Ann new', '2024-01-05', '2024-02-01', 10.0, 'a', 'x'),
        (2, 'Bob', '2024-01-10', '2024-01-10', 20.5, NULL, 'x'),
        (3, 'Cid', '2024-02-10', '2024-02-10', 30.0, 'c', 'x'),
        (NULL, 'Nobody', '2024-02-11', '2024-02-11', 1.0, 'n', 'x'),
        (4, 'Dee', '2024-02-12', '2024-02-12', 40.0, 'd', 'x');
      CREATE TABLE dst.customers (customer_id INTEGER, full_name VARCHAR, signup_at TIMESTAMP, modified_at TIMESTAMP, total_cents BIGINT, note VARCHAR, segment VARCHAR, _dlt_load_id VARCHAR, _dlt_id VARCHAR);
    `);
    await conn.close();
    config = writeConfig(
      dir,
      `dialect: duckdb
connection: ./w.duckdb
tables:
  customers:
    legacy: src.customers
    target: dst.customers
    view: dw.customers
    key: customer_id
    cursor: signup_at
    updated_at: modified_at
    columns:
      note: Remark
      total_cents: { expr: '"Amount" * 100', type: bigint }
`,
    );
  });
  afterAll(() => cleanup(dir));

  it('stitch aligns by snake_case, renames and expressions, keeps the latest row per key, and warns about unused columns', async () => {
    const r = run('stitch');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('legacy columns that feed no target column: Junk');
    expect(await distribution(db, 'dw.customers')).toEqual([['legacy', 5]]);
    const rows = await query(db, 'SELECT customer_id, full_name, total_cents, note, segment FROM dw.customers ORDER BY customer_id NULLS LAST');
    expect(rows).toEqual([
      { customer_id: 1, full_name: 'Ann new', total_cents: '1000', note: 'a', segment: null },
      { customer_id: 2, full_name: 'Bob', total_cents: '2050', note: null, segment: null },
      { customer_id: 3, full_name: 'Cid', total_cents: '3000', note: 'c', segment: null },
      { customer_id: 4, full_name: 'Dee', total_cents: '4000', note: 'd', segment: null },
      { customer_id: null, full_name: 'Nobody', total_cents: '100', note: 'n', segment: null },
    ]);
  });

  it('the target wins in the view: a key the dlt pipeline already loaded is shown once, from the target', async () => {
    await exec(
      db,
      `INSERT INTO dst.customers VALUES
        (4, 'Dee live', '2024-02-12', '2024-03-01', 4000, 'd', 'vip', '1700000000.1', 'live4'),
        (3, 'Cid stale', '2024-02-10', '2023-12-01', 3000, 'c', NULL, '1700000000.1', 'live3'),
        (99, 'New', '2024-03-05', '2024-03-05', 1, NULL, NULL, '1700000000.1', 'live99')`,
    );
    expect(await distribution(db, 'dw.customers')).toEqual([['dlt', 3], ['legacy', 3]]);
    const four = await query(db, `SELECT full_name, source_flag FROM dw.customers WHERE customer_id = 4`);
    expect(four).toEqual([{ full_name: 'Dee live', source_flag: 'dlt' }]);
  });

  it('backfill: newer live rows are never overwritten, older ones are, and the counts say so', async () => {
    const r = run('backfill', '--all');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('customers 2024-01: 3 legacy rows → 2 inserted, 0 updated');
    expect(r.stdout).toContain('customers 2024-02: 3 legacy rows → 0 inserted, 1 updated');
    expect(r.stdout).toContain('1 legacy row has a NULL key and cannot be merged');
    const rows = await query(db, 'SELECT customer_id, full_name, segment, _dlt_id FROM dst.customers ORDER BY customer_id');
    expect(rows.map((x) => [x.customer_id, x.full_name, x.segment])).toEqual([
      [1, 'Ann new', null],
      [2, 'Bob', null],
      [3, 'Cid', null],
      [4, 'Dee live', 'vip'],
      [99, 'New', null],
    ]);
    const slices = await query(db, `SELECT window_key, status, legacy_rows, rows_inserted, rows_updated FROM _migrate.slices ORDER BY window_key`);
    expect(slices).toEqual([
      { window_key: '2024-01', status: 'done', legacy_rows: '3', rows_inserted: '2', rows_updated: '0' },
      { window_key: '2024-02', status: 'done', legacy_rows: '3', rows_inserted: '0', rows_updated: '1' },
    ]);
  });

  it("fills dlt's columns: one load id per slice in dlt's format, and a key-derived row id that a re-run reproduces", async () => {
    const backfilled = await query(db, `SELECT customer_id, _dlt_load_id, _dlt_id, md5(CAST(customer_id AS VARCHAR)) AS expected FROM dst.customers WHERE customer_id IN (1, 2, 3) ORDER BY 1`);
    // Customers 1 and 2 came in January's slice, 3 in February's: a load id each, a millisecond apart.
    const [jan, , feb] = backfilled.map((x) => String(x._dlt_load_id));
    expect(backfilled[1]._dlt_load_id).toBe(jan);
    expect(jan).toMatch(/^\d{10}\.\d{6}$/);
    expect(Math.round((Number(feb) - Number(jan)) * 1e6)).toBe(1000);
    // Inserted rows get the key-derived id; a live row the backfill updated keeps the id dlt gave it.
    expect(backfilled.map((x) => x._dlt_id)).toEqual([backfilled[0].expected, backfilled[1].expected, 'live3']);

    const again = run('backfill', '--from', '2024-01', '--to', '2024-02');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('customers 2024-01: 3 legacy rows → 0 inserted, 0 updated');
    expect(again.stdout).toContain('customers 2024-02: 3 legacy rows → 0 inserted, 0 updated');
    const after = await query(db, `SELECT customer_id, _dlt_load_id, _dlt_id FROM dst.customers WHERE customer_id IN (1, 2, 3) ORDER BY 1`);
    expect(after).toEqual(backfilled.map(({ customer_id, _dlt_load_id, _dlt_id }) => ({ customer_id, _dlt_load_id, _dlt_id })));
  });

  it('cutover refuses while a legacy row has no key, unless the operator accepts it', async () => {
    const refused = run('cutover');
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('error [UNKEYED_ROWS]: customers: 1 legacy row has a NULL key');
    expect(refused.stderr).toContain('hint: fix them in legacy, or pass --allow-unkeyed');
    expect(await distribution(db, 'dw.customers')).toEqual([['dlt', 5], ['legacy', 1]]);

    const accepted = run('cutover', '--allow-unkeyed');
    expect(accepted.status).toBe(0);
    expect(await distribution(db, 'dw.customers')).toEqual([['dlt', 5]]);
  });
});
