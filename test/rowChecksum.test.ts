import type { Connection, Dialect } from '../dialects/types';
import { monthWindows } from '../src/backfill/windows';
import { dayTotalsSql, verifySpec } from '../src/plan/verify';
import { agreeingWindow, dayIndex, readDayTotals, totalsByWindow } from '../src/verify/dayTotals';
import { type EngineName, type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { introspectedContext } from './helpers/scratchDuckDb';
import { ordersTableConfig } from './helpers/tableConfig';

/**
 * The row checksum verify and each slice's validation sum, on the real engines: the faults a cheap hash gets
 * wrong. PostgreSQL hashes typed rows (hash_record_extended, re-hashed): its combination is linear, its zero
 * hashes tie with NULL under seed 0 or 1, int8's hash folds its halves and numeric's ignores the sign; the others
 * hash the joined text. Each
 * fault must fail its window, and only that one.
 */
const TIME: Record<EngineName, string> = { duckdb: 'TIMESTAMP', postgres: 'timestamp', mysql: 'DATETIME(6)' };
/** A text column that ignores case when compared (MariaDB's default collation already does). */
const CASE_BLIND: Record<EngineName, string> = { duckdb: 'VARCHAR COLLATE NOCASE', postgres: 'varchar(20) COLLATE case_blind', mysql: 'VARCHAR(20)' };

describe.each(testEngines())('row checksums on %s', (engine) => {
  let s: Sandbox;
  let conn: Connection;
  let dialect: Dialect;
  const at = (id: number) => new Date(Date.UTC(2024, 0, 1) + (id - 1) * 36 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);

  beforeAll(async () => {
    s = await openSandbox(engine);
    dialect = s.dialect;
    await s.createSchema('erp');
    await s.createSchema('dlt');
    if (engine === 'postgres') await s.exec("CREATE COLLATION case_blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
    const columns = (id: string) => `id ${id}, created_at ${TIME[engine]}, updated_at ${TIME[engine]}, total DECIMAL(10,2), status ${CASE_BLIND[engine]}`;
    await s.exec(`CREATE TABLE ${s.q('erp', 'orders')} (${columns('INTEGER')})`);
    await s.exec(`CREATE TABLE ${s.q('dlt', 'orders')} (${columns('BIGINT NOT NULL PRIMARY KEY')})`);
    // 60 rows, 36 hours apart: January, February and March. Row 5's total is 0, row 6 was never updated.
    const rows = Array.from({ length: 60 }, (_, i) => {
      const id = i + 1;
      return `(${id}, '${at(id)}', ${id === 6 ? 'NULL' : `'${at(id + 1)}'`}, ${id === 5 ? '0.00' : `${id}.25`}, 'status ${String.fromCharCode(96 + (id % 26) + 1)}${id}')`;
    });
    await s.exec(`INSERT INTO ${s.q('erp', 'orders')} VALUES ${rows.join(', ')}`);
    await s.exec(`INSERT INTO ${s.q('dlt', 'orders')} SELECT * FROM ${s.q('erp', 'orders')}`);
    // Opened after the sandbox's own writes, and the one connection the tests write through (a DuckDB file is
    // seen whole by one open database in a process).
    conn = await connectTo(s);
  });
  afterAll(async () => {
    await conn?.close();
    await s?.drop();
  });

  const windows = monthWindows(new Date('2024-01-01T00:00:00Z'), new Date('2024-03-01T00:00:00Z'));
  /** The windows whose two sides do not agree. */
  const failing = async (): Promise<string[]> => {
    const table = ordersTableConfig({ legacy: { schema: s.schema('erp'), name: 'orders' }, target: { schema: s.schema('dlt'), name: 'orders' } });
    const spec = verifySpec(await introspectedContext(conn, dialect, table));
    const index = dayIndex(windows);
    const legacy = totalsByWindow(spec, readDayTotals(spec, await conn.query(dayTotalsSql(spec, 'legacy'))), index, () => true).windows;
    const target = totalsByWindow(spec, readDayTotals(spec, await conn.query(dayTotalsSql(spec, 'target'))), index, () => false).windows;
    return windows.filter((w) => agreeingWindow(spec, w.key, legacy.get(w.key), target.get(w.key)) === undefined).map((w) => w.key);
  };

  it('equal tables agree in every window', async () => {
    expect(await failing()).toEqual([]);
  });

  it.each([
    ['two rows trading their status (a checksum linear in the columns misses it)', ["SET status = 'status d3' WHERE id = 4", "SET status = 'status e4' WHERE id = 3"], ["SET status = 'status d3' WHERE id = 3", "SET status = 'status e4' WHERE id = 4"]],
    ['a total of 0 become NULL', ['SET total = NULL WHERE id = 5'], ['SET total = 0 WHERE id = 5']],
    ["a total whose sign flipped (PostgreSQL's numeric hash leaves the sign out)", ['SET total = -total WHERE id = 9'], ['SET total = -total WHERE id = 9']],
    ['a NULL updated_at become 1970-01-01 00:00:00', ["SET updated_at = '1970-01-01 00:00:00' WHERE id = 6"], ['SET updated_at = NULL WHERE id = 6']],
    ['a time moved by 2^32 + 1 microseconds (which int8 hashing folds onto the same hash)', [`SET updated_at = '${at(8).slice(0, 11)}01:11:34.967297' WHERE id = 7`], [`SET updated_at = '${at(8)}' WHERE id = 7`]],
    ["a status whose case changed, in a column whose collation ignores case", ["SET status = 'STATUS I8' WHERE id = 8"], ["SET status = 'status i8' WHERE id = 8"]],
  ])('%s fails its window', async (_what, plant, undo) => {
    for (const set of plant) await conn.execute(`UPDATE ${s.q('dlt', 'orders')} ${set}`);
    try {
      expect(await failing()).toEqual(['2024-01']);
    } finally {
      for (const set of undo) await conn.execute(`UPDATE ${s.q('dlt', 'orders')} ${set}`);
    }
    expect(await failing()).toEqual([]);
  });

  it('PostgreSQL hashes the typed row; the other engines the joined text', async () => {
    const table = ordersTableConfig({ legacy: { schema: s.schema('erp'), name: 'orders' }, target: { schema: s.schema('dlt'), name: 'orders' } });
    const sql = dayTotalsSql(verifySpec(await introspectedContext(conn, dialect, table)), 'target');
    expect(sql.includes('hash_record_extended(ROW(')).toBe(engine === 'postgres');
  });
});

async function connectTo(s: Sandbox): Promise<Connection> {
  if (s.engine === 'duckdb') {
    const { connectDuckDb } = await import('../dialects/duckdb/driver');
    return connectDuckDb(s.connection, { readOnly: false });
  }
  return s.dialect.connect(s.connection, { readOnly: false });
}
