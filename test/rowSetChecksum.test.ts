import { duckdb } from '../dialects/duckdb';
import type { Connection, Dialect } from '../dialects/types';
import { dayTotalsSql, verifySpec } from '../src/plan/verify';
import { agreeingWindow, dayIndex, readDayTotals, totalsByWindow } from '../src/verify/dayTotals';
import { monthWindows } from '../src/backfill/windows';
import { ordersTableConfig } from './helpers/tableConfig';
import { type ScratchDuckDb, introspectedContext, scratchDuckDb } from './helpers/scratchDuckDb';

/**
 * verify's fast pass with an engine's own set checksum (Dialect.rowSetChecksum, Snowflake's HASH_AGG), run on a
 * real engine: DuckDB standing in with bit_xor(hash(…)), which is, like HASH_AGG, an order-free aggregate that does
 * not add up across groups. The shared mechanism must keep rows without a key out of the checksum (they get a group
 * of their own), add a day's groups back together, and still tell equal windows from different ones.
 */
const withSetChecksum: Dialect = Object.freeze({
  ...duckdb,
  rowSetChecksum: Object.freeze({ aggregate: (fields: string[]) => `bit_xor(hash(${fields.join(', ')}))`, describe: 'bit_xor of hash' }),
});

describe('verify with an engine-side set checksum (rowSetChecksum)', () => {
  let db: ScratchDuckDb;
  let conn: Connection;
  beforeAll(async () => {
    db = await scratchDuckDb('theseus-rowset-', []);
    conn = db.conn;
    await conn.execute('CREATE TABLE erp.orders (id INTEGER, created_at TIMESTAMP, total DECIMAL(10,2), status VARCHAR)');
    await conn.execute('CREATE TABLE dlt.orders (id BIGINT NOT NULL PRIMARY KEY, created_at TIMESTAMP, total DOUBLE, status VARCHAR)');
    const rows = Array.from({ length: 300 }, (_, i) => `(${i + 1}, TIMESTAMP '2024-01-01 06:00:00' + INTERVAL ${i * 5} HOUR, ${i}.25, ${i % 7 === 0 ? 'NULL' : `'s${i % 3}'`})`);
    await conn.execute(`INSERT INTO erp.orders VALUES ${rows.join(', ')}`);
    await conn.execute('INSERT INTO dlt.orders SELECT id, created_at, CAST(total AS DOUBLE), status FROM erp.orders');
    // Rows without a key: one on a day that has keyed rows, one alone on its day. Neither is migrated.
    await conn.execute("INSERT INTO erp.orders VALUES (NULL, TIMESTAMP '2024-01-03 10:00:00', 1.00, 'x'), (NULL, TIMESTAMP '2024-03-30 10:00:00', 2.00, 'y')");
  });
  afterAll(async () => db?.close());

  const spec = async (dialect: Dialect) => {
    return verifySpec(await introspectedContext(conn, dialect, ordersTableConfig({ legacy: { schema: 'erp', name: 'orders' }, target: { schema: 'dlt', name: 'orders' } })));
  };
  const windows = monthWindows(new Date('2024-01-01T00:00:00Z'), new Date('2024-03-01T00:00:00Z'));
  const compare = async (dialect: Dialect) => {
    const s = await spec(dialect);
    const legacyRows = await conn.query(dayTotalsSql(s, 'legacy'));
    const legacyDays = readDayTotals(s, legacyRows);
    const targetDays = readDayTotals(s, await conn.query(dayTotalsSql(s, 'target')));
    const index = dayIndex(windows);
    const legacy = totalsByWindow(s, legacyDays, index, () => true).windows;
    const target = totalsByWindow(s, targetDays, index, () => false).windows;
    return { legacyRows, legacy, agreeing: windows.map((w) => agreeingWindow(s, w.key, legacy.get(w.key), target.get(w.key))) };
  };

  it('the SQL aggregates the normalized columns, grouping the rows without a key apart', async () => {
    const sql = dayTotalsSql(await spec(withSetChecksum), 'legacy');
    expect(sql).toContain('bit_xor(hash(r."_v_c0", r."_v_c1", r."_v_c2", r."_v_c3"))');
    expect(sql).toMatch(/GROUP BY r\."_v_day", r\."_v_k0" IS NULL$/);
    expect(sql).not.toContain('_v_h');
  });

  it('equal tables agree in every window; rows without a key are counted but kept out of the checksum', async () => {
    const { legacyRows, legacy, agreeing } = await compare(withSetChecksum);
    // 2024-01-03 comes as two groups (keyed, and the row without a key) that the reader adds back together.
    expect(legacyRows.filter((r) => Number(r.null_key_rows) > 0).map((r) => Number(r.checksum))).toEqual([0, 0]);
    expect(legacy.get('2024-01')!.nullKeyRows).toBe(1);
    expect(legacy.get('2024-03')!.nullKeyRows).toBe(1);
    expect(agreeing.map((w) => w?.method)).toEqual(['checksums', 'checksums', 'checksums']);
    expect(agreeing.map((w) => w!.legacyRows)).toEqual([legacy.get('2024-01')!.rows - 1, legacy.get('2024-02')!.rows, legacy.get('2024-03')!.rows - 1]);
  });

  it('a changed value, a NULL where legacy has a value, or a row moved to another day fails the window it is in', async () => {
    const faults = [
      ['UPDATE dlt.orders SET total = total + 0.01 WHERE id = 20', 'UPDATE dlt.orders SET total = total - 0.01 WHERE id = 20'],
      ["UPDATE dlt.orders SET status = NULL WHERE id = 200 AND status IS NOT NULL", "UPDATE dlt.orders SET status = 's1' WHERE id = 200"],
      ["UPDATE dlt.orders SET created_at = created_at + INTERVAL 1 DAY WHERE id = 295", "UPDATE dlt.orders SET created_at = created_at - INTERVAL 1 DAY WHERE id = 295"],
    ];
    const expected = [['2024-01'], ['2024-02'], ['2024-03']];
    for (const [i, [plant, undo]] of faults.entries()) {
      expect(await conn.execute(plant)).toBe(1);
      const { agreeing } = await compare(withSetChecksum);
      expect(windows.filter((_, w) => agreeing[w] === undefined).map((w) => w.key)).toEqual(expected[i]);
      // The engines without a set checksum (the summed hash60) reach the same verdict on the same rows.
      const summed = await compare(duckdb);
      expect(windows.filter((_, w) => summed.agreeing[w] === undefined).map((w) => w.key)).toEqual(expected[i]);
      expect(await conn.execute(undo)).toBe(1);
    }
    expect((await compare(withSetChecksum)).agreeing.every((w) => w !== undefined)).toBe(true);
  });
});
