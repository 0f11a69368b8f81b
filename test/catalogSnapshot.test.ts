import type { Connection } from '../dialects/types';
import { duckdb } from '../dialects/duckdb';
import { introspectRelation, schemaExists, withCatalogSnapshot } from '../src/reads/catalogSnapshot';
import { type ScratchDuckDb, scratchDuckDb } from './helpers/scratchDuckDb';

/** Counts the statements a connection is asked, so the test sees the engine asked once, not twice. */
function counting(conn: Connection): { conn: Connection; asked: () => number } {
  let n = 0;
  const counted: Connection = Object.create(conn);
  counted.query = (sql, params, kinds) => (n++, conn.query(sql, params, kinds));
  return { conn: counted, asked: () => n };
}

describe('the catalog snapshot of a planning pass (DuckDB)', () => {
  let db: ScratchDuckDb;
  beforeAll(async () => {
    db = await scratchDuckDb('theseus-snapshot-', ['CREATE TABLE erp.orders (id INTEGER PRIMARY KEY, note VARCHAR)']);
  });
  afterAll(() => db.close());

  it('asks each question once inside the pass, and hands each caller its own copy', async () => {
    const { conn, asked } = counting(db.conn);
    await withCatalogSnapshot(conn, async () => {
      const first = await introspectRelation(duckdb, conn, { schema: 'erp', name: 'orders' });
      const afterFirst = asked();
      first!.columns.pop(); // a caller changing its answer changes no one else's
      const second = await introspectRelation(duckdb, conn, { schema: 'erp', name: 'orders' });
      expect(asked()).toBe(afterFirst);
      expect(second!.columns.map((c) => c.name)).toEqual(['id', 'note']);
      expect(await schemaExists(duckdb, conn, 'erp')).toBe(true);
      const afterSchema = asked();
      expect(await schemaExists(duckdb, conn, 'erp')).toBe(true);
      expect(asked()).toBe(afterSchema);
    });
  });

  it('outside a pass every call asks the engine, so a change made after planning is seen', async () => {
    const { conn, asked } = counting(db.conn);
    await withCatalogSnapshot(conn, async () => {
      expect(await introspectRelation(duckdb, conn, { schema: 'erp', name: 'refunds' })).toBeUndefined();
    });
    await db.conn.execute('CREATE TABLE erp.refunds (id INTEGER)');
    const before = asked();
    expect((await introspectRelation(duckdb, conn, { schema: 'erp', name: 'refunds' }))?.kind).toBe('table');
    expect(asked()).toBeGreaterThan(before);
  });

  it('a failed question is asked again, not remembered as failed', async () => {
    let calls = 0;
    const failingOnce: Connection = Object.create(db.conn);
    failingOnce.query = (sql, params, kinds) => (++calls === 1 ? Promise.reject(new Error('connection reset')) : db.conn.query(sql, params, kinds));
    await withCatalogSnapshot(failingOnce, async () => {
      await expect(introspectRelation(duckdb, failingOnce, { schema: 'erp', name: 'orders' })).rejects.toThrow('connection reset');
      expect((await introspectRelation(duckdb, failingOnce, { schema: 'erp', name: 'orders' }))?.kind).toBe('table');
    });
  });
});
