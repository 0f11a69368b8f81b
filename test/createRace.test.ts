import { loadDialect } from '../dialects';
import type { Connection } from '../dialects/types';
import { applyUnit } from '../src/exec/executor';
import type { Unit } from '../src/plan/types';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';

/**
 * Two backfills started together both create the pre-image table (CREATE TABLE IF NOT EXISTS). PostgreSQL checks
 * "if not exists" before it writes its catalog, so the second waits on the first's catalog row and then fails on
 * pg_type's unique index: seen in CI as one of two parallel backfills exiting 5. A unit whose statements all create
 * only what is missing (Unit.createsIfMissing) runs once more and finds the table. PostgreSQL only: MariaDB's
 * metadata locks and DuckDB's single writer never race so. (Defined only where it applies: CI runs no skipped tests.)
 */
if (testEngines().includes('postgres')) {
  describe('two runs create the same table at once on postgres', () => {
    let s: Sandbox;
    let first: Connection;
    let second: Connection;
    beforeAll(async () => {
      s = await openSandbox('postgres');
      const postgres = await loadDialect('postgres');
      [first, second] = await Promise.all([postgres.connect(s.connection, { readOnly: false }), postgres.connect(s.connection, { readOnly: false })]);
    });
    afterAll(async () => {
      await Promise.all([first?.close(), second?.close()]);
      await s?.drop();
    });

    const create = (table: string, createsIfMissing: boolean): Unit => ({
      title: 'the pre-image table',
      atomic: true,
      createsIfMissing,
      steps: [{ intent: 'Create it if missing', kind: 'exec', sql: `CREATE TABLE IF NOT EXISTS public.${table} (id BIGINT, note VARCHAR)` }],
    });

    async function race(table: string, createsIfMissing: boolean): Promise<unknown> {
      await first.execute('BEGIN');
      await first.execute(`CREATE TABLE IF NOT EXISTS public.${table} (id BIGINT, note VARCHAR)`);
      const loser = applyUnit(create(table, createsIfMissing), { conn: second, dialect: s.dialect, vars: new Map(), toolVersion: 'test', log: () => undefined }).then(
        () => undefined,
        (err: unknown) => err,
      );
      // The second session waits on the first's uncommitted catalog row until it commits.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await first.execute('COMMIT');
      return loser;
    }

    it('the unit the engine refused runs once more and finds the table', async () => {
      expect(await race('created_twice', true)).toBeUndefined();
      const [found] = await s.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'created_twice'");
      expect(Number(found.n)).toBe(1);
    });

    it('a unit not marked so fails as before, with the engine\'s error', async () => {
      const err = (await race('created_once', false)) as Error;
      expect(err?.message).toMatch(/pg_type_typname_nsp_index|already exists/);
    });
  });
}
