import { snowflake } from '../../dialects/snowflake';
import { ordersTableConfig } from '../helpers/tableConfig';
import { snowflakeOperatorLock } from '../../dialects/snowflake/operatorLock';
import { bigqueryOperatorLock } from '../../dialects/bigquery/operatorLock';
import { LOCK_EXPIRY_SECONDS } from '../../dialects/lockRows';
import type { Connection, Dialect, Row, SqlValue } from '../../dialects/types';
import { TheseusError } from '../../src/errors';
import { OperatorLocks } from '../../src/exec/operatorLock';
import type { RunContext } from '../../src/exec/runContext';
import { LedgerWriter } from '../../src/ledger/writes';
import { TEST_RUN } from '../helpers/testRun';

/**
 * The operator lock as rows (Snowflake has no advisory lock), driven through the
 * core's OperatorLocks. The warehouse is an in-memory stand-in that gives each
 * of the dialect's lock statements the meaning its SQL states (a row per name,
 * owned by CURRENT_SESSION(), live until expires_at); the SQL text itself is pinned below.
 */
class LockTable {
  rows = new Map<string, { owner: string; expiresAt: number }>();
  now = 0;
  sessions = 0;
  /** Make the next tryLock insert a rival row too, as two unserialized MERGEs might. */
  raceNext = false;
  rivals: Array<{ name: string; owner: string; expiresAt: number }> = [];
  /** The `locks` table: who holds each table's lock, as the holder recorded it (a killed run's row stays). */
  holders = new Map<string, Row>();
  /** Sessions recorded under a run's name (several rows may share one name), and the sessions ended by id. */
  records: Array<{ name: string; owner: string }> = [];
  ended: string[] = [];

  connect(): Connection & { session: string; closed: boolean } {
    // Snowflake's session ids are numbers.
    const session = String(1000 + ++this.sessions);
    const live = (name: string) => [this.rows.get(name), ...this.rivals.filter((r) => r.name === name)].filter((r) => r && r.expiresAt > this.now) as Array<{ owner: string; expiresAt: number }>;
    const conn = {
      session,
      closed: false,
      query: async (sql: string, params?: SqlValue[]): Promise<Row[]> => {
        const name = String(params?.[0]);
        if (/^SELECT COUNT\(\*\) = 1 AND SUM/.test(sql)) {
          const rows = live(name);
          return [{ held: rows.length === 1 && rows[0].owner === session }];
        }
        if (/^SELECT COUNT\(\*\) > 0 AS held/.test(sql)) return [{ held: live(name).length > 0 }];
        if (/^SELECT expires_at FROM "_migrate"\.operator_locks WHERE name = \? AND expires_at <= CURRENT_TIMESTAMP\(\)$/.test(sql)) {
          const row = this.rows.get(name);
          return row && row.expiresAt <= this.now ? [{ expires_at: `second ${row.expiresAt}` }] : [];
        }
        if (/INFORMATION_SCHEMA\.SCHEMATA/.test(sql)) return this.holders.size ? [{ schema_name: '_migrate' }] : [];
        if (/^SELECT run_id, command, operator, acquired_at FROM "_migrate"\.locks WHERE table_name = \?/.test(sql)) return this.holders.has(name) ? [this.holders.get(name)!] : [];
        if (/^SELECT DISTINCT owner AS session_id FROM "_migrate"\.operator_locks WHERE name = \?$/.test(sql)) {
          return [...new Set(this.records.filter((r) => r.name === name).map((r) => r.owner))].map((id) => ({ session_id: id }));
        }
        const abort = /^SELECT SYSTEM\$ABORT_SESSION\((\d+)\)$/.exec(sql);
        if (abort) {
          this.ended.push(abort[1]);
          return [{ 'SYSTEM$ABORT_SESSION': 'session successfully aborted' }];
        }
        // The core releases through query(); Snowflake answers a DELETE with its count row.
        if (/^DELETE/.test(sql)) return [{ 'number of rows deleted': await conn.execute(sql, params) }];
        throw new Error(`unexpected query: ${sql}`);
      },
      execute: async (sql: string, params?: SqlValue[]): Promise<number> => {
        const name = String(params?.[0]);
        if (/^CREATE/.test(sql)) return 0;
        if (/^MERGE INTO "_migrate"\.operator_locks/.test(sql)) {
          const row = this.rows.get(name);
          if (this.raceNext) {
            this.raceNext = false;
            this.rivals.push({ name, owner: 'rival', expiresAt: this.now + LOCK_EXPIRY_SECONDS });
          }
          if (row && row.expiresAt > this.now && row.owner !== session) return 0;
          this.rows.set(name, { owner: session, expiresAt: this.now + LOCK_EXPIRY_SECONDS });
          return 1;
        }
        if (/^INSERT INTO "_migrate"\.operator_locks \(name, owner, acquired_at, expires_at\) VALUES \(\?, CURRENT_SESSION\(\), CURRENT_TIMESTAMP\(\), CURRENT_TIMESTAMP\(\)\)$/.test(sql)) {
          this.records.push({ name, owner: session });
          return 1;
        }
        if (/^DELETE FROM "_migrate"\.operator_locks WHERE name = \?$/.test(sql)) {
          const before = this.records.length;
          this.records = this.records.filter((r) => r.name !== name);
          return before - this.records.length;
        }
        if (/^DELETE FROM "_migrate"\.operator_locks/.test(sql)) {
          if (this.rows.get(name)?.owner !== session) return 0;
          this.rows.delete(name);
          return 1;
        }
        if (/^UPDATE "_migrate"\.operator_locks SET expires_at/.test(sql)) {
          let n = 0;
          for (const row of this.rows.values()) if (row.owner === session && row.expiresAt > this.now) (row.expiresAt = this.now + LOCK_EXPIRY_SECONDS), n++;
          return n;
        }
        throw new Error(`unexpected statement: ${sql}`);
      },
      close: async () => {
        conn.closed = true;
      },
    };
    return conn;
  }
}

const table = ordersTableConfig({ legacy: { schema: 'ERP', name: 'ORDERS' }, target: { schema: 'DLT', name: 'ORDERS' }, view: { schema: 'DW', name: 'ORDERS' } });
const run = (id: string): RunContext => ({ runId: id, loadId: '1.5', startedAt: new Date(0), command: 'backfill', arguments: '[]', operator: 'test', toolVersion: 'test' });

describe('operator lock rows (Snowflake)', () => {
  let warehouse: LockTable;
  let dialect: Dialect;
  const ledger = new LedgerWriter(snowflake, '_migrate', TEST_RUN);
  beforeEach(() => {
    warehouse = new LockTable();
    dialect = { ...snowflake, connect: async () => warehouse.connect() };
  });

  test('the first operator takes the table; a second is refused while the first lives, and takes it once released', async () => {
    const first = await OperatorLocks.acquire(dialect, 'x', ledger, [table], run('r1'));
    expect(first).toBeDefined();
    expect([...warehouse.rows.keys()]).toEqual(['theseus/_migrate/run/r1', 'theseus/_migrate/DLT.ORDERS']);
    const refused = await OperatorLocks.acquire(dialect, 'x', ledger, [table], run('r2')).catch((e: unknown) => e as TheseusError);
    expect(refused).toBeInstanceOf(TheseusError);
    expect((refused as TheseusError).code).toBe('LOCKED');
    expect((refused as TheseusError).hint).toMatch(/a killed run's lock lapses/);
    // The refused run took its own run lock and gave it back.
    expect(warehouse.rows.has('theseus/_migrate/run/r2')).toBe(false);
    await first!.check();
    expect(await first!.runAlive('r9')).toBe(false);
    await first!.release();
    expect(warehouse.rows.size).toBe(0);
    const second = await OperatorLocks.acquire(dialect, 'x', ledger, [table], run('r2'));
    await second!.release();
  });

  test("a killed run's lock lapses at its expiry and is taken over, naming the run it was taken from; the killed run's next check finds it gone", async () => {
    const warnings: string[] = [];
    const first = await OperatorLocks.acquire(dialect, 'x', ledger, [table], run('r1'), { warn: (l) => warnings.push(l) });
    expect(warnings).toEqual([]);
    warehouse.holders.set('orders', { run_id: 'r1', command: 'backfill', operator: 'alice', acquired_at: '2026-12-02 09:00:00' });
    warehouse.now += LOCK_EXPIRY_SECONDS + 1;
    const second = await OperatorLocks.acquire(dialect, 'x', ledger, [table], run('r2'), { warn: (l) => warnings.push(l) });
    expect(second).toBeDefined();
    expect(warnings).toEqual([
      `orders: took over the operator lock of run r1 (backfill by alice) since 2026-12-02 09:00:00 UTC, which lapsed at second ${LOCK_EXPIRY_SECONDS} UTC without a heartbeat: ` +
        "that run was killed or cut off, and stops at its next step if it is only stalled; its unfinished slices are resumed like any killed run's",
    ]);
    await expect(first!.check()).rejects.toMatchObject({ code: 'LOCK_LOST' });
    await second!.check();
    await second!.release();
    await first!.release();
  });

  test('the heartbeat keeps a long run\'s lock alive past the expiry, and says when a lock row was taken from it', async () => {
    jest.useFakeTimers();
    try {
      const locks = await OperatorLocks.acquire(dialect, 'x', ledger, [table], run('r1'));
      for (let i = 0; i < 10; i++) {
        warehouse.now += 60;
        await jest.advanceTimersByTimeAsync(60_000);
      }
      // 600 s later, twice the expiry: still held, renewed by the heartbeat.
      await locks!.check();
      warehouse.rows.get('theseus/_migrate/DLT.ORDERS')!.owner = 'someone else';
      await jest.advanceTimersByTimeAsync(60_000);
      await expect(locks!.check()).rejects.toThrow(/only 1 of its 2 lock rows were still this run's when renewed/);
      await locks!.release();
    } finally {
      jest.useRealTimers();
    }
  });

  test("a killed run's sessions are ended by the run that finds it dead (with the transaction one left open), and a clean end ends its own", async () => {
    const first = await OperatorLocks.acquire(dialect, 'x', ledger, [table], run('r1'));
    const command = warehouse.connect();
    const worker = warehouse.connect();
    await first!.recordSession(command);
    await first!.recordSession(worker);
    expect(warehouse.records).toEqual([
      { name: 'theseus/_migrate/sessions/r1', owner: command.session },
      { name: 'theseus/_migrate/sessions/r1', owner: worker.session },
    ]);
    // r1 is killed: no release; its lock lapses.
    warehouse.now += LOCK_EXPIRY_SECONDS + 1;
    const second = await OperatorLocks.acquire(dialect, 'x', ledger, [table], run('r2'));
    expect(await second!.runAlive('r1')).toBe(false);
    const lines = await second!.endSessionsOf('r1');
    expect(warehouse.ended).toEqual([command.session, worker.session]);
    expect(lines).toEqual([
      `ended session ${command.session} of run r1: a transaction it left open is rolled back`,
      `ended session ${worker.session} of run r1: a transaction it left open is rolled back`,
    ]);
    expect(warehouse.records).toEqual([]);
    // Nothing recorded: nothing to end.
    expect(await second!.endSessionsOf('r1')).toEqual([]);
    // A clean end ends its own recorded sessions too (one a lost connection left behind may hold a transaction).
    const replaced = warehouse.connect();
    await second!.recordSession(replaced);
    expect(warehouse.records.map((r) => r.name)).toEqual(['theseus/_migrate/sessions/r2']);
    await second!.release();
    expect(warehouse.records).toEqual([]);
    expect(warehouse.ended.at(-1)).toBe(replaced.session);
    expect(warehouse.rows.size).toBe(0);
  });

  test('ending sessions: the statement per engine, from the id as the engine gave it, never raw text', () => {
    const sf = snowflakeOperatorLock('"_migrate"').sessions!;
    expect(sf.record).toBe('INSERT INTO "_migrate".operator_locks (name, owner, acquired_at, expires_at) VALUES (?, CURRENT_SESSION(), CURRENT_TIMESTAMP(), CURRENT_TIMESTAMP())');
    expect(sf.end('1234567')).toBe('SELECT SYSTEM$ABORT_SESSION(1234567)');
    expect(() => sf.end("1); DROP TABLE x; --")).toThrow(/not a Snowflake session id/);
    const bq = bigqueryOperatorLock('`_migrate`').sessions!;
    expect(bq.record).toBe('INSERT INTO `_migrate`.operator_locks (name, owner, acquired_at, expires_at) VALUES (?, @@session_id, CURRENT_TIMESTAMP(), CURRENT_TIMESTAMP())');
    expect(bq.end("CgwI'x")).toBe("CALL BQ.ABORT_SESSION('CgwI\\'x')");
  });

  test('two sessions racing to insert one name: neither holds it', async () => {
    warehouse.raceNext = true;
    const refused = await OperatorLocks.acquire(dialect, 'x', ledger, [table], run('r1')).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/already locked/);
    expect(warehouse.rows.size).toBe(0);
  });

  test('the SQL: a conditional MERGE owned by CURRENT_SESSION(), an exactly-one check, an expiry', () => {
    const lock = snowflakeOperatorLock('"_migrate"');
    expect(lock.tryLock).toBe(`MERGE INTO "_migrate".operator_locks AS l
USING (SELECT ? AS name) AS s
ON l.name = s.name
WHEN MATCHED AND (l.expires_at < CURRENT_TIMESTAMP() OR l.owner = CURRENT_SESSION()) THEN UPDATE SET owner = CURRENT_SESSION(), acquired_at = CURRENT_TIMESTAMP(), expires_at = DATEADD(SECOND, 300, CURRENT_TIMESTAMP())
WHEN NOT MATCHED THEN INSERT (name, owner, acquired_at, expires_at) VALUES (s.name, CURRENT_SESSION(), CURRENT_TIMESTAMP(), DATEADD(SECOND, 300, CURRENT_TIMESTAMP()))`);
    expect(lock.heldHere).toBe(`SELECT COUNT(*) = 1 AND SUM(IFF(owner = CURRENT_SESSION(), 1, 0)) = 1 AS held
FROM "_migrate".operator_locks WHERE name = ? AND expires_at > CURRENT_TIMESTAMP()`);
    expect(lock.release).toBe('DELETE FROM "_migrate".operator_locks WHERE name = ? AND owner = CURRENT_SESSION()');
    expect(lock.renew).toBe('UPDATE "_migrate".operator_locks SET expires_at = DATEADD(SECOND, 300, CURRENT_TIMESTAMP()) WHERE owner = CURRENT_SESSION() AND expires_at > CURRENT_TIMESTAMP()');
  });
});
