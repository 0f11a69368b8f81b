import { snowflake } from '../dialects/snowflake';
import { ordersTableConfig } from './helpers/tableConfig';
import { buildTableContext } from '../src/plan/buildContext';
import { connectSnowflake, LOCK_TIMEOUT_SECONDS, SESSION_SETUP } from '../dialects/snowflake/driver';
import { classifySnowflake, snowflakeError } from '../dialects/snowflake/errors';
import type { Connection, TableInfo } from '../dialects/types';
import { monthWindow, parseMonth } from '../src/backfill/windows';
import { LedgerWriter } from '../src/ledger/writes';
import { planBackfill } from '../src/plan/backfill';
import { transientKind } from '../src/backfill/transient';
import { databaseError, TheseusError } from '../src/errors';
import { applyUnit } from '../src/exec/executor';
import type { Unit, Vars } from '../src/plan/types';
import { blockedAttempts } from './helpers/netGuard';
import { type SnowflakeFake, startSnowflakeFake } from './helpers/snowflakeFake';
import { TEST_RUN } from './helpers/testRun';

/**
 * The driver contract: the real snowflake-sdk 3.3.0 against a local recording
 * server (test/helpers/snowflakeFake.ts). Asserts what the driver sends (login,
 * session settings, query tag, binds) and how it maps what comes back (exact
 * numbers, timestamps, DML counts, errors and which of them are retried).
 * No Snowflake account is involved; what only a real account can confirm is
 * listed in the README's Snowflake section.
 */
/** The slice unit the planner makes for one window of a small Snowflake table (as in snowflakeGolden.test.ts). */
function plannedSlice(): Unit {
  const table = ordersTableConfig({ legacy: { schema: 'ERP', name: 'ORDERS' }, target: { schema: 'DLT', name: 'ORDERS' }, view: { schema: 'DW', name: 'ORDERS' } });
  const cols = [
    { name: 'ID', type: 'NUMBER(19,0)', nullable: false },
    { name: 'CREATED_AT', type: 'TIMESTAMP_NTZ', nullable: true },
  ];
  const legacy: TableInfo = { ref: table.legacy, kind: 'table', columns: cols, uniqueKeys: [] };
  const target: TableInfo = { ref: table.target, kind: 'table', columns: [...cols, { name: '_DLT_LOAD_ID', type: 'VARCHAR', nullable: false }, { name: '_DLT_ID', type: 'VARCHAR', nullable: false }], uniqueKeys: [] };
  const ctx = buildTableContext({ table, dialect: snowflake, legacy, target, dlt: { loadIds: [] }, stateSchema: '_migrate' });
  const window = monthWindow(parseMonth('2024-06'));
  return planBackfill(ctx, new LedgerWriter(snowflake, '_migrate', TEST_RUN), { windows: [window], nextLoadId: () => '1.5', phase: 'backfilling', completes: false, isComplete: async () => false, validate: true }).jobs[0].slice;
}

/** What a promise rejected with (the test fails if it resolved). */
async function rejection<E = Error & { code?: string; sqlState?: string }>(promise: Promise<unknown>): Promise<E> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as E,
  );
}

describe('snowflake driver against a local fake of the REST API', () => {
  let fake: SnowflakeFake;
  let conn: Connection;
  const spec = () => ({ account: 'fakeacct', username: 'migrator', password: 'secret', access_url: fake.url, warehouse: 'WH', database: 'DB', schema: 'MIG', role: 'MIGRATOR' });

  beforeAll(async () => {
    fake = await startSnowflakeFake();
    conn = await connectSnowflake(spec(), { readOnly: false, runId: '1733130000.123456-abc123', command: 'backfill' });
  });
  afterAll(async () => {
    await conn?.close();
    await fake?.close();
  });

  test('logs in with the settings of connection: and tags every statement with the run', () => {
    const login = fake.requests.find((r) => r.path.startsWith('/session/v1/login-request'))!;
    const url = new URL(login.path, 'http://x');
    expect(Object.fromEntries(['warehouse', 'databaseName', 'schemaName', 'roleName'].map((k) => [k, url.searchParams.get(k)]))).toEqual({ warehouse: 'WH', databaseName: 'DB', schemaName: 'MIG', roleName: 'MIGRATOR' });
    expect(login.body?.data).toMatchObject({ LOGIN_NAME: 'migrator', ACCOUNT_NAME: 'fakeacct', CLIENT_APP_ID: expect.any(String) });
    const params = login.body?.data?.SESSION_PARAMETERS as Record<string, unknown>;
    expect(params.CLIENT_SESSION_KEEP_ALIVE).toBe(true);
    // The tag rides on each statement (QUERY_HISTORY shows it per statement), from the session's first one on.
    const first = fake.requests.find((r) => r.path.startsWith('/queries/v1/query-request'))!;
    expect(first.auth).toBe('Snowflake Token="SESSION-TOKEN"');
    expect(JSON.parse(String(first.body?.parameters?.QUERY_TAG))).toEqual({ tool: 'theseus', run: '1733130000.123456-abc123', command: 'backfill' });
  });

  test("once the executor labels the connection with a unit, each statement's QUERY_TAG names its table and window too", async () => {
    conn.label!('orders 2023-02: backfill');
    await conn.query('SELECT 1 AS ONE');
    const sent = fake.requests[fake.requests.length - 1];
    expect(JSON.parse(String(sent.body?.parameters?.QUERY_TAG))).toEqual({ tool: 'theseus', run: '1733130000.123456-abc123', command: 'backfill', unit: 'orders 2023-02: backfill' });
  });

  test('sets the session up before any statement: UTC, a short LOCK_TIMEOUT, fixed timestamp output', () => {
    expect(fake.statements().slice(0, SESSION_SETUP.length)).toEqual([...SESSION_SETUP]);
    expect(SESSION_SETUP).toEqual(expect.arrayContaining(["ALTER SESSION SET TIMEZONE = 'UTC'", `ALTER SESSION SET LOCK_TIMEOUT = ${LOCK_TIMEOUT_SECONDS}`]));
    expect(LOCK_TIMEOUT_SECONDS).toBeLessThanOrEqual(120);
  });

  test('sends binds as positional typed values; NUMBER comes back exact, timestamps as text in the session format', async () => {
    const rows = await conn.query('SELECT COUNT(*) N, HASH_AGG(ID) H, MAX(UPDATED_AT) TS FROM ORDERS WHERE ID > ? AND STATUS = ?', [41, 'shipped']);
    const sent = fake.requests[fake.requests.length - 1];
    expect(sent.body?.bindings).toEqual({ '1': { type: 'FIXED', value: '41' }, '2': { type: 'TEXT', value: 'shipped' } });
    // Upper-case (unquoted) result names are the lower-case aliases the core reads; the NUMBER(19,0) keeps every digit.
    expect(rows).toEqual([{ n: '42', h: '-4531316398012640581', ts: '2024-01-01 00:00:00.000000' }]);    // The ledger binds NULL (a first claim's expected run id) and booleans too.
    await conn.query('SELECT ?, ?', [null, true]);
    expect(fake.requests[fake.requests.length - 1].body?.bindings).toEqual({ '1': { type: 'TEXT', value: null }, '2': { type: 'BOOLEAN', value: 'true' } });
  });

  test('MERGE: its result row names what it inserted and updated; execute() returns their sum', async () => {
    const merge = 'MERGE INTO ORDERS AS t USING (SELECT 1 AS ID) AS s ON t.ID = s.ID WHEN MATCHED THEN UPDATE SET ID = s.ID WHEN NOT MATCHED THEN INSERT (ID) VALUES (s.ID)';
    expect(await conn.query(merge)).toEqual([{ 'number of rows inserted': '3', 'number of rows updated': '4' }]);
    expect(await conn.execute(merge)).toBe(7);
    expect(await conn.execute("UPDATE SLICES SET STATUS = 'running' WHERE STATUS = 'pending'")).toBe(1);
    expect(await conn.execute('CREATE SCHEMA IF NOT EXISTS "_migrate"')).toBe(0);
  });

  test("the counted slice reads inserted and updated from the MERGE row (dialect upsertResultColumns → the slice's tally)", async () => {
    const cols = snowflake.upsertResultColumns!;
    const unit: Unit = {
      title: 'orders 2024-01: backfill',
      atomic: false,
      steps: [{ intent: 'Merge, counting', kind: 'query', captureRow: true, captureAs: { [cols.inserted]: 'to_insert', [cols.updated]: 'upsert_updated' }, sql: 'MERGE INTO ORDERS AS t USING (SELECT 1 AS ID) AS s ON t.ID = s.ID WHEN NOT MATCHED THEN INSERT (ID) VALUES (s.ID)' }],
    };
    const vars: Vars = new Map([['legacy_rows', 9]]);
    await applyUnit(unit, { conn, dialect: snowflake, vars, toolVersion: 'test', log: () => undefined });
    // What the slice then records in its tally, bound: the MERGE's own counts.
    const tally = new LedgerWriter(snowflake, '_migrate', TEST_RUN).tallyBoundStep('orders', monthWindow(parseMonth('2024-01')));
    expect(tally.binds!.map((b) => b.value!(vars))).toEqual([3, 4]);
  });

  test('the load signals: running, queued and their sum on the session\'s warehouse, from SHOW WAREHOUSES', async () => {
    expect(snowflake.loadSignal!.names).toEqual(['active', 'running', 'queued']);
    expect(await snowflake.loadSignal!.read(conn)).toEqual({ active: 5, running: 3, queued: 2 });
    expect(fake.statements().slice(-2)).toEqual(['SELECT CURRENT_WAREHOUSE() AS warehouse', "SHOW WAREHOUSES LIKE 'WH'"]);
  });

  test('a key a live writer inserted during the slice rolls the slice back (the planned MERGE and check, on the SDK)', async () => {
    const racing = await startSnowflakeFake({ keysTwice: 1 });
    const c = await connectSnowflake({ ...spec(), access_url: racing.url }, { readOnly: false });
    try {
      const slice = plannedSlice();
      const unit: Unit = { ...slice, steps: slice.steps.filter((s) => /^MERGE INTO "DLT"|^SELECT count\(\*\) AS keys_twice/.test(s.sql)), onFailure: [] };
      expect(unit.steps).toHaveLength(2);
      const err = await rejection<TheseusError>(applyUnit(unit, { conn: c, dialect: snowflake, vars: new Map(), toolVersion: 'test', log: () => undefined }));
      expect(err.code).toBe('WINDOW_KEYS_TWICE');
      const sent = racing.statements().filter((q) => !/^ALTER SESSION/.test(q)).map((q) => q.split(/\s/)[0]);
      expect(sent).toEqual(['BEGIN', 'MERGE', 'SELECT', 'ROLLBACK']);
      // The executor labelled the connection with the unit: the MERGE's QUERY_TAG names the table and window.
      const merge = racing.requests.find((r) => /^MERGE/.test(r.body?.sqlText ?? ''))!;
      expect(JSON.parse(String(merge.body?.parameters?.QUERY_TAG)).unit).toBe(unit.title);
      expect(unit.title).toMatch(/^orders \d{4}-\d{2}: backfill$/);
    } finally {
      await c.close();
      await racing.close();
    }
  });

  test('a query Snowflake answers "in progress" (333333) is polled until its result arrives', async () => {
    const before = fake.requests.length;
    expect(await conn.query('SLOW SELECT 1 AS X')).toEqual([{ x: '1' }]);
    const polls = fake.requests.slice(before).map((r) => `${r.method} ${r.path.split('?')[0]}`);
    expect(polls.filter((p) => /^GET \/queries\/q-slow-\d+\/result$/.test(p))).toHaveLength(3);
  });

  test('an SQL compilation error reads as one clear line, and is not retried', async () => {
    const err = await rejection(conn.query('SYNTAX_ERROR'));
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^SQL compilation error: syntax error line 1 at position 0 unexpected 'SYNTAX_ERROR'\. \(Snowflake 001003, SQLSTATE 42000, query id q-err-\d+\)$/);
    expect([err.code, err.sqlState]).toEqual(['001003', '42000']);
    expect(transientKind(err)).toBeUndefined();
    // As the executor reports it: the first line of the message is the whole reason.
    expect(databaseError(err, 'orders 2024-01: backfill').message).toContain("unexpected 'SYNTAX_ERROR'");
  });

  test('a statement that gave up waiting for a lock is contention: retried', async () => {
    const err = await rejection(conn.execute("UPDATE LOCKED SLICES SET STATUS = 'running'"));
    expect(err.message).toMatch(/lock has not yet been released.*\(Snowflake 000625/);
    expect(transientKind(err)).toBe('contention');
    expect(transientKind(databaseError(err, 'claim'))).toBe('contention');
  });

  test('a request whose connection drops is resent by the SDK with the same request id, so the statement runs once', async () => {
    const before = fake.requests.length;
    expect(await conn.query('SELECT 1 AS DROP_ONCE')).toEqual([{ n: '42', h: '-4531316398012640581', ts: '2024-01-01 00:00:00.000000' }]);
    const sent = fake.requests.slice(before).map((r) => new URL(r.path, 'http://x').searchParams);
    expect(sent).toHaveLength(2);
    expect(sent[1].get('requestId')).toBe(sent[0].get('requestId'));
    expect(sent[1].get('retryCount')).toBe('1');
  });

  test('when the SDK gives up on a dropped connection (401001 after its own retries), the error is a lost connection: retried on a new session', () => {
    // What snowflake-sdk 3.3.0 rejects with once its resends are spent (seen against this fake after ~95 s; not waited for here).
    const exhausted = Object.assign(new Error('socket hang up'), { code: 401001 });
    const err = snowflakeError(exhausted);
    expect(err.message).toBe('socket hang up (Snowflake 401001)');
    expect(transientKind(databaseError(err, 'orders 2024-01: backfill'))).toBe('connection');
    expect(classifySnowflake({ code: '390112', message: 'Your session has expired. Please login again.' })).toBe('connection');
    expect(classifySnowflake({ code: '002003', message: "SQL compilation error: Object 'ORDERS' does not exist or not authorized." })).toBeUndefined();
  });

  test('the URL form means the same as the object form', async () => {
    const before = fake.requests.length;
    const c = await connectSnowflake(`snowflake://migrator:secret@fakeacct/DB/MIG?warehouse=WH&role=MIGRATOR&access_url=${encodeURIComponent(fake.url)}`, { readOnly: true });
    await c.close();
    const login = fake.requests.slice(before).find((r) => r.path.startsWith('/session/v1/login-request'))!;
    expect(new URL(login.path, 'http://x').searchParams.get('roleName')).toBe('MIGRATOR');
    expect(login.body?.data).toMatchObject({ LOGIN_NAME: 'migrator', ACCOUNT_NAME: 'fakeacct' });
  });

  test('refused credentials: CANNOT_CONNECT naming the account, never the password', async () => {
    const err = await rejection<TheseusError>(connectSnowflake({ ...spec(), password: 'wrong-password' }, { readOnly: false }));
    expect(err).toBeInstanceOf(TheseusError);
    expect(err.code).toBe('CANNOT_CONNECT');
    expect(err.message).toMatch(/Snowflake account fakeacct: Incorrect username or password/);
    expect(`${err.message} ${err.hint}`).not.toContain('wrong-password');
  });

  test('nothing tried to leave the machine (the SDK loaded without probing cloud metadata)', () => {
    expect(blockedAttempts()).toEqual([]);
  });
});
