import { bigquery } from '../dialects/bigquery';
import { bytesBilledCap, connectBigQuery, jobLabels, labelValue } from '../dialects/bigquery/driver';
import { bigquerySettings } from '../dialects/bigquery/connectionSettings';
import type { Connection } from '../dialects/types';
import { transientKind } from '../src/backfill/transient';
import { applyUnit } from '../src/exec/executor';
import type { Unit, Vars } from '../src/plan/types';
import { TheseusError } from '../src/errors';
import { type BigQueryFake, startBigQueryFake } from './helpers/bigqueryFake';
import { formatBytes, sliceBytes } from '../src/backfill/preflight';
import { monthWindow, parseMonth } from '../src/backfill/windows';
import { LedgerWriter } from '../src/ledger/writes';
import { planBackfill } from '../src/plan/backfill';
import { buildTableContext } from '../src/plan/buildContext';
import { ordersTableConfig } from './helpers/tableConfig';
import { TEST_RUN } from './helpers/testRun';

/**
 * The BigQuery driver contract (issue 14, test 3): the real @google-cloud/bigquery client against a local
 * recording server (test/helpers/bigqueryFake.ts), with a fixed access token. What the driver sends (the
 * session, labels, positional parameters with types, the token) and how it maps what comes back (exact
 * integers and decimals, timestamps as text, dmlStats as the MERGE's row, errors as transient or not).
 */
describe('BigQuery driver against a local fake of the REST API', () => {
  let fake: BigQueryFake;
  let conn: Connection;
  const spec = () => ({ project: 'proj', location: 'EU', dataset: 'ds', access_token: 'token-123', api_endpoint: fake.url });
  beforeAll(async () => {
    fake = await startBigQueryFake();
    conn = await connectBigQuery(spec(), { readOnly: false, runId: '20261202T120000Z-ab12', command: 'backfill' });
  });
  afterAll(async () => {
    await conn?.close();
    await fake?.close();
  });
  /** What a promise rejected with (the test fails if it resolved). */
  const failure = async (p: Promise<unknown>): Promise<Error> => {
    try {
      await p;
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected a rejection');
  };
  const lastJob = () => fake.requests.filter((r) => r.method === 'POST').at(-1)!.body;

  test('opens a session with its first statement and runs every later one in it, with the token it was given', () => {
    const [first, ...rest] = fake.requests.filter((r) => r.method === 'POST');
    // The first job opens the session and pins its zone to UTC (a project's default_time_zone would move DATETIME casts).
    expect(first.body.configuration.query).toMatchObject({ query: "SET @@time_zone = 'UTC'", createSession: true, useLegacySql: false });
    expect(first.body.jobReference).toMatchObject({ projectId: 'proj', location: 'EU' });
    expect(first.body.jobReference.jobId).toMatch(/^theseus_/);
    expect(fake.requests.every((r) => r.auth === 'Bearer token-123')).toBe(true);
    expect(rest).toEqual([]);
    expect(conn.facts).toEqual({ project: 'proj', location: 'EU', dataset: 'ds' });
  });

  test('labels every job with the tool, run and command, and once labelled with a unit, its table and window', async () => {
    await conn.query('SELECT 1 AS ok');
    expect(lastJob().configuration.labels).toEqual({ tool: 'theseus', command: 'backfill', run_id: '20261202t120000z-ab12' });
    expect(lastJob().configuration.query.connectionProperties).toEqual([{ key: 'session_id', value: 'session-1' }]);
    expect(lastJob().configuration.query.createSession).toBeUndefined();
    conn.label!('orders 2023-02: backfill');
    await conn.query('SELECT 1 AS ok');
    expect(lastJob().configuration.labels).toEqual({ tool: 'theseus', command: 'backfill', run_id: '20261202t120000z-ab12', table: 'orders', window: '2023-02' });
    expect(jobLabels({ readOnly: false }, 'Orders.V2 2023-W05: backfill')).toEqual({ tool: 'theseus', table: 'orders_v2', window: '2023-w05' });
    expect(labelValue('x'.repeat(80))).toHaveLength(63);
  });

  test('sends binds as positional parameters with their types, NULL included', async () => {
    await conn.query('SELECT 1 AS ok', ['run-1', 42, null]);
    const q = lastJob().configuration.query;
    expect(q.parameterMode).toBe('positional');
    expect(q.queryParameters).toEqual([
      { parameterType: { type: 'STRING' }, parameterValue: { value: 'run-1' } },
      { parameterType: { type: 'INT64' }, parameterValue: { value: 42 } },
      { parameterType: { type: 'STRING' }, parameterValue: { value: null } },
    ]);
  });

  test("a NULL bound to a count is typed INT64 (the plan's bind kind, through the executor): a NULL typed STRING cannot go into an INT64 column", async () => {
    const unit: Unit = {
      title: 'orders 2024-06: backfill',
      atomic: false,
      steps: [{ intent: 'Mark done', kind: 'exec', sql: 'UPDATE `_migrate`.slices SET rows_inserted = ?, run_id = ? WHERE TRUE', binds: [{ name: 'rows_inserted', value: () => null }, { name: 'run_id', value: () => null }] }],
    };
    await applyUnit(unit, { conn, dialect: bigquery, vars: new Map(), toolVersion: 'test', log: () => undefined });
    expect(lastJob().configuration.query.queryParameters.map((p: { parameterType: { type: string } }) => p.parameterType.type)).toEqual(['INT64', 'STRING']);
  });

  test('INT64 beyond 2^53 and NUMERIC come back exact, TIMESTAMP and DATETIME as text', async () => {
    const [row] = await conn.query('SELECT TOTALS');
    expect(row).toEqual({ n: '42', checksum: '-1541654101129638711', amount: '12345678901234567890.123456789', ts: '2024-01-01T00:00:00.000Z', dt: '2024-01-01T10:30:00.123456' });
  });

  test("a MERGE answers query() with its dmlStats and execute() with the rows it changed; the counted slice records them in its tally", async () => {
    expect(await conn.query('MERGE INTO ds.orders AS t USING ds.legacy AS s ON t.id = s.id WHEN NOT MATCHED THEN INSERT ROW')).toEqual([{ inserted_row_count: '3', updated_row_count: '4', deleted_row_count: '0' }]);
    expect(await conn.execute('MERGE INTO ds.orders AS t USING ds.legacy AS s ON t.id = s.id WHEN NOT MATCHED THEN INSERT ROW')).toBe(7);
    expect(await conn.execute("UPDATE ds.slices SET status = 'running' WHERE TRUE")).toBe(1);
    const cols = bigquery.upsertResultColumns!;
    const unit: Unit = { title: 'orders 2024-01: backfill', atomic: false, steps: [{ intent: 'Merge, counting', kind: 'query', captureRow: true, captureAs: { [cols.inserted]: 'to_insert', [cols.updated]: 'upsert_updated' }, sql: 'MERGE INTO ds.orders AS t USING ds.legacy AS s ON t.id = s.id WHEN NOT MATCHED THEN INSERT ROW' }] };
    const vars: Vars = new Map([['legacy_rows', 9]]);
    await applyUnit(unit, { conn, dialect: bigquery, vars, toolVersion: 'test', log: () => undefined });
    // What the slice then records in its tally, bound: the MERGE's own counts.
    const tally = new LedgerWriter(bigquery, '_migrate', TEST_RUN).tallyBoundStep('orders', monthWindow(parseMonth('2024-01')));
    expect(tally.binds!.map((b) => b.value!(vars))).toEqual([3, 4]);
  });

  test('a MERGE is dry-run first and runs with maximumBytesBilled at 1.2 times its estimate; over it, it fails unbilled, saying why', async () => {
    await conn.execute('MERGE INTO ds.orders AS t USING ds.legacy AS s ON t.id = s.id WHEN NOT MATCHED THEN INSERT ROW');
    const [dry, real] = fake.requests.filter((r) => r.method === 'POST').slice(-2).map((r) => r.body.configuration);
    expect(dry.dryRun).toBe(true);
    expect(real.dryRun).toBeUndefined();
    expect(real.query.maximumBytesBilled).toBe(bytesBilledCap(3 * 1024 ** 3, 2));
    expect(bytesBilledCap(3 * 1024 ** 3, 2)).toBe(String(Math.ceil(3 * 1024 ** 3 * 1.2)));
    // Never under what BigQuery bills at least: 10 MiB per table referenced (a slice's MERGE reads two).
    expect(bytesBilledCap(1000, 2)).toBe(String(20 * 1024 ** 2));
    expect(bytesBilledCap(1000)).toBe(String(10 * 1024 ** 2));
    await conn.execute("UPDATE ds.slices SET status = 'done' WHERE TRUE");
    expect(lastJob().configuration.query.maximumBytesBilled).toBeUndefined();
    const over = await failure(conn.execute('MERGE OVERBILL'));
    expect(over.message).toMatch(/^Query exceeded limit for bytes billed: \d+\. .*its cap \(backfill\.max_bytes_billed, or else 1\.2 times .*nothing was billed; check backfill --plan, then run it again/);
    expect(transientKind(over)).toBeUndefined();
  });

  test('backfill.max_bytes_billed: each MERGE runs with that cap instead, and no dry run before it', async () => {
    const capped = await connectBigQuery(spec(), { readOnly: false, runId: 'r', command: 'backfill', maxBytesBilled: 50 * 2 ** 30 });
    try {
      const before = fake.requests.length;
      await capped.execute('MERGE INTO ds.orders AS t USING ds.legacy AS s ON t.id = s.id WHEN NOT MATCHED THEN INSERT ROW');
      const inserted = fake.requests.slice(before).filter((r) => r.method === 'POST').map((r) => r.body.configuration);
      expect(inserted.map((c) => ({ dryRun: c.dryRun, cap: c.query.maximumBytesBilled }))).toEqual([{ dryRun: undefined, cap: String(50 * 2 ** 30) }]);
    } finally {
      await capped.close();
    }
  });

  test('a job that is not done yet is polled until it is', async () => {
    expect(await conn.query('SELECT SLOW')).toEqual([{ ok: '1' }]);
    const polls = fake.requests.filter((r) => r.method === 'GET' && /\/queries\//.test(r.path));
    expect(polls.length).toBeGreaterThanOrEqual(3);
  });

  test('errors: a syntax error is one clear line and permanent; a concurrent update is contention; a 5xx a lost connection', async () => {
    const syntax = await failure(conn.query('SELECT SYNTAX_ERROR'));
    expect(syntax.message).toMatch(/^Syntax error: Unexpected identifier "SYNTAX_ERROR" at \[1:1\] \(BigQuery invalidQuery/);
    expect(transientKind(syntax)).toBeUndefined();
    const concurrent = await failure(conn.execute('UPDATE CONCURRENT'));
    expect(transientKind(concurrent)).toBe('contention');
    const streaming = await failure(conn.execute('MERGE STREAMING'));
    expect(streaming.message).toMatch(/streaming buffer.*cannot be merged until BigQuery moves them out of its streaming buffer/);
    expect(transientKind(streaming)).toBeUndefined();
    const backend = await failure(conn.query('SELECT BACKEND'));
    expect(transientKind(backend)).toBe('connection');
    expect(conn.lost!()).toBe(true);
  });

  test("backfill --plan's cost: each slice's statements dry-run (free, no job), the bytes they would read summed per window", async () => {
    const info = (schema: string, time: string) => ({
      ref: { schema, name: 'orders' },
      kind: 'table' as const,
      columns: [{ name: 'id', type: 'INT64', nullable: false }, { name: 'created_at', type: time, nullable: true }, { name: 'status', type: 'STRING', nullable: true }],
      uniqueKeys: [],
    });
    const ctx = buildTableContext({ table: ordersTableConfig({ legacy: { schema: 'erp', name: 'orders' }, target: { schema: 'dlt', name: 'orders' } }), dialect: bigquery, legacy: info('erp', 'DATETIME'), target: info('dlt', 'TIMESTAMP'), dlt: { loadIds: [] }, stateSchema: '_migrate' });
    const [job] = planBackfill(ctx, new LedgerWriter(bigquery, '_migrate', TEST_RUN), { windows: [monthWindow(parseMonth('2024-06'))], nextLoadId: () => '1717200000.5', phase: 'backfilling', completes: false, isComplete: async () => false, validate: true }).jobs;
    const before = fake.requests.length;
    const bytes = await sliceBytes(conn, job);
    const dryRuns = fake.requests.slice(before).filter((r) => r.method === 'POST');
    expect(dryRuns.length).toBeGreaterThan(1);
    expect(dryRuns.every((r) => r.body.configuration.dryRun === true)).toBe(true);
    // The MERGE (3 GiB) and every other statement without run-time binds (10 MiB each), as the fake answers them.
    const merges = dryRuns.filter((r) => /^MERGE INTO `dlt`/.test(r.body.configuration.query.query)).length;
    expect(merges).toBe(1);
    expect(bytes).toBe(3 * 1024 ** 3 + (dryRuns.length - 1) * 10 * 1024 ** 2);
    // The slice's statements, and the check after commit (live appends its snapshot could not see).
    expect([...job.slice.steps, ...job.settle!.steps].filter((s) => !s.binds?.length).length).toBe(dryRuns.length);
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GiB');
  });

  test('closing ends the session at once', async () => {
    const c = await connectBigQuery(spec(), { readOnly: true });
    await c.close();
    expect(fake.queries().at(-1)).toBe('CALL BQ.ABORT_SESSION()');
    expect(fake.requests.filter((r) => r.method === 'POST').at(-1)!.body.configuration.query.connectionProperties).toEqual([{ key: 'session_id', value: expect.stringMatching(/^session-\d+$/) }]);
  });

  test('settings: the URL and the object mean the same; a missing location, unknown keys and two credentials are refused; the token is masked', () => {
    expect(bigquerySettings('bigquery://proj/EU/ds')).toEqual(bigquerySettings({ project: 'proj', location: 'EU', dataset: 'ds' }));
    expect(() => bigquerySettings({ project: 'proj' })).toThrow(/names no location/);
    expect(() => bigquerySettings({ project: 'proj', location: 'EU', projekt: 'x' })).toThrow(/does not understand: projekt/);
    expect(() => bigquerySettings({ project: 'proj', location: 'EU', key_filename: 'k.json', access_token: 'secret-token' })).toThrow(/both key_filename and access_token/);
    expect(() => bigquerySettings('bigquery://user:secret-token@proj/EU')).toThrow(/holds credentials/);
    try {
      bigquerySettings('bigquery://user:secret-token@proj/EU');
    } catch (e) {
      expect((e as TheseusError).message).not.toContain('secret-token');
    }
  });

  test('refused credentials or an unreachable endpoint: CANNOT_CONNECT naming the project', async () => {
    const err = (await failure(connectBigQuery({ project: 'other', location: 'EU', access_token: 't', api_endpoint: fake.url }, { readOnly: true }))) as TheseusError;
    expect(err).toBeInstanceOf(TheseusError);
    expect(err.code).toBe('CANNOT_CONNECT');
    expect(err.message).toMatch(/^cannot connect to BigQuery project other \(EU\)/);
  });
});
