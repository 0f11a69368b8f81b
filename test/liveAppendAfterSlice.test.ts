import { duckdb } from '../dialects/duckdb';
import type { Connection, Dialect } from '../dialects/types';
import { monthWindow, parseMonth } from '../src/backfill/windows';
import { TheseusError } from '../src/errors';
import { DEFAULT_CONTROLS } from '../src/backfill/controls';
import type { BackfillEvent, Reporter } from '../src/backfill/progress';
import { runSlices } from '../src/backfill/scheduler';
import { StopSignal } from '../src/backfill/stopSignal';
import { createRunContext } from '../src/exec/runContext';
import { applyUnit } from '../src/exec/executor';
import { LedgerWriter } from '../src/ledger/writes';
import { planBackfill } from '../src/plan/backfill';
import type { SliceJob, Unit, Vars } from '../src/plan/types';
import { ordersTableConfig } from './helpers/tableConfig';
import { type ScratchDuckDb, introspectedContext, scratchDuckDb } from './helpers/scratchDuckDb';
import { TEST_RUN } from './helpers/testRun';

/**
 * A live writer's append that the slice could not see. On BigQuery the slice's transaction reads a snapshot taken
 * when it began, so a key a dlt append load (or a streaming insert) adds meanwhile is invisible to its MERGE and to
 * its own keys-twice check: after COMMIT the target holds the key twice. The check after commit (plan/backfill.ts
 * settleUnit) removes the slice's row of such a key (live data wins) and checks again. Run on a real engine: DuckDB
 * standing in for an engine where live inserts race the MERGE (concurrentSlices, no writer lock), with the append
 * made between the slice's commit and the check, which is where BigQuery's snapshot puts it.
 */
const racingEngine: Dialect = Object.freeze({ ...duckdb, capabilities: Object.freeze({ ...duckdb.capabilities, concurrentSlices: true, mergeLocksOutWriters: false }) });
const SLICE_LOAD_ID = '1733130000.5';

describe('a key a live writer appended while the slice ran (hidden from its transaction)', () => {
  let db: ScratchDuckDb;
  let conn: Connection;
  let job: SliceJob;
  const run = (unit: Unit, log: string[] = []) => applyUnit(unit, { conn, dialect: racingEngine, vars: new Map(), toolVersion: 'test', log: (l) => log.push(l) });
  const target = async () => (await conn.query('SELECT id, _dlt_load_id AS load_id FROM dlt.orders ORDER BY id, _dlt_load_id')).map((r) => `${r.id}:${r.load_id}`);

  beforeAll(async () => {
    db = await scratchDuckDb('theseus-live-append-', [
      'CREATE TABLE erp.orders (id INTEGER, created_at TIMESTAMP)',
      // No primary key: nothing in the engine stops a key arriving twice (BigQuery enforces none).
      'CREATE TABLE dlt.orders (id BIGINT, created_at TIMESTAMP, _dlt_load_id VARCHAR NOT NULL, _dlt_id VARCHAR NOT NULL)',
      "INSERT INTO erp.orders VALUES (1, TIMESTAMP '2024-06-02 10:00:00'), (2, TIMESTAMP '2024-06-03 10:00:00'), (3, TIMESTAMP '2024-06-04 10:00:00')",
    ]);
    conn = db.conn;
    const ctx = await introspectedContext(conn, racingEngine, ordersTableConfig());
    const plan = planBackfill(ctx, new LedgerWriter(racingEngine, '_migrate', TEST_RUN), {
      windows: [monthWindow(parseMonth('2024-06'))],
      nextLoadId: () => SLICE_LOAD_ID,
      phase: 'backfilling',
      completes: false,
      isComplete: async () => false,
      validate: false,
      keepPreimages: false,
    });
    job = plan.jobs[0];
  });
  afterAll(async () => db?.close());

  it('the planner adds the check after commit where live inserts race the MERGE, and not where the engine rules them out', () => {
    expect(job.settle?.title).toBe('orders 2024-06: check after commit');
    expect(job.settle?.atomic).toBe(false);
    expect(job.settle?.steps.map((s) => s.kind)).toEqual(['exec', 'query']);
    expect(job.settle?.steps[0].sql).toContain(`WHERE t."_dlt_load_id" = '${SLICE_LOAD_ID}'`);
  });

  it("after commit, the slice's row of a key the writer appended goes and the writer's stays; a key held twice by rows not the slice's is reported", async () => {
    // The slice's MERGE (its ledger steps need the state schema; the MERGE is what matters here).
    const merge = job.slice.steps.find((s) => /^MERGE INTO/.test(s.sql))!;
    await run({ title: 'orders 2024-06: backfill', atomic: true, steps: [merge] });
    expect(await target()).toEqual([`1:${SLICE_LOAD_ID}`, `2:${SLICE_LOAD_ID}`, `3:${SLICE_LOAD_ID}`]);
    // The writer's append that the slice's snapshot did not show: key 2, in a load of its own.
    await conn.execute("INSERT INTO dlt.orders VALUES (2, TIMESTAMP '2024-06-03 11:00:00', '1733130099.1', 'live-2')");
    const log: string[] = [];
    await run(job.settle!, log);
    expect(await target()).toEqual([`1:${SLICE_LOAD_ID}`, '2:1733130099.1', `3:${SLICE_LOAD_ID}`]);
    expect(log).toEqual(["orders 2024-06: a live writer loaded 1 key of this window while the slice ran; the writer's row was kept and the slice's removed (live data wins)"]);
    // Run again: nothing of the slice's is twice any more.
    const again: string[] = [];
    await run(job.settle!, again);
    expect(again).toEqual([]);
    // The writer appends key 2 once more: two rows, neither the slice's, so not the slice's to remove.
    await conn.execute("INSERT INTO dlt.orders VALUES (2, TIMESTAMP '2024-06-03 12:00:00', '1733130100.1', 'live-3')");
    const err = (await run(job.settle!).catch((e: unknown) => e)) as TheseusError;
    expect(err).toBeInstanceOf(TheseusError);
    expect(err.code).toBe('WINDOW_KEYS_TWICE');
    expect(err.message).toBe('orders 2024-06: the slice committed, and the target holds 1 key of this window twice in rows the slice did not write (or that carry no load id to tell)');
    expect(await target()).toEqual([`1:${SLICE_LOAD_ID}`, '2:1733130099.1', '2:1733130100.1', `3:${SLICE_LOAD_ID}`]);
  });

  it('on DuckDB itself (one writing process) no such check is planned', async () => {
    const ctx = await introspectedContext(conn, duckdb, ordersTableConfig());
    const plan = planBackfill(ctx, new LedgerWriter(duckdb, '_migrate', TEST_RUN), { windows: [monthWindow(parseMonth('2024-06'))], nextLoadId: () => '1.5', phase: 'backfilling', completes: false, isComplete: async () => false, validate: false, keepPreimages: false });
    expect(plan.jobs[0].settle).toBeUndefined();
  });

  describe('through the scheduler, with the ledger: the check after commit is retried on its own and never claims the window again', () => {
    const events: BackfillEvent[] = [];
    const runJob = async (failDelete: (attempt: number) => Error | undefined) => {
      // A fresh target and ledger (the tests above left key 2 twice on purpose).
      await conn.execute('DELETE FROM dlt.orders');
      await conn.execute('DROP SCHEMA IF EXISTS "_migrate" CASCADE');
      const run = createRunContext('backfill', [], {});
      const ledger = new LedgerWriter(racingEngine, '_migrate', run);
      const ctx = await introspectedContext(conn, racingEngine, ordersTableConfig());
      const plan = planBackfill(ctx, ledger, { windows: [monthWindow(parseMonth('2024-06'))], nextLoadId: () => SLICE_LOAD_ID, phase: 'backfilling', completes: false, isComplete: async () => false, validate: false, keepPreimages: false });
      const vars: Vars = new Map();
      for (const unit of [ledger.ensureStateUnit(), ...plan.units]) await applyUnit(unit, { conn, dialect: racingEngine, vars, toolVersion: 'test', log: () => undefined });
      const sent: string[] = [];
      let deletes = 0;
      // The real DuckDB, with a fault where BigQuery would raise one: its DELETE meeting a live writer's DML.
      const flaky: Connection = {
        query: async (sql, params, kinds) => (sent.push(sql), conn.query(sql, params, kinds)),
        execute: async (sql, params, kinds) => {
          sent.push(sql);
          if (/^-- After the slice committed|^DELETE FROM "dlt"\."orders" AS t/m.test(sql)) {
            const fault = failDelete(deletes++);
            if (fault) throw fault;
          }
          return conn.execute(sql, params, kinds);
        },
        close: async () => undefined,
      };
      events.length = 0;
      const reporter: Reporter = { emit: (e) => events.push(e), line: () => undefined, close: () => undefined };
      const input = { controls: { ...DEFAULT_CONTROLS, retryDelayMs: 1 }, dialect: racingEngine, ledger, reporter, stop: new StopSignal(), runId: run.runId, redoDone: true, runAlive: async () => false, markInterrupted: async () => undefined };
      const error = await runSlices(plan.jobs, { conn: flaky, dialect: racingEngine, vars, toolVersion: 'test', log: () => undefined }, input).then(() => undefined, (e: unknown) => e as TheseusError);
      const [slice] = await conn.query(`SELECT status FROM "_migrate".slices WHERE table_name = 'orders' AND window_key = '2024-06'`);
      return { error, deletes, claims: sent.filter((q) => /UPDATE "_migrate"\.slices\s+SET status = 'running'/.test(q.replace(/^--.*\n/gm, ''))).length, merges: sent.filter((q) => /^MERGE INTO/m.test(q.replace(/^--.*\n/gm, ''))).length, status: String(slice.status) };
    };
    const contention = () => Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });

    it('a contention error on its DELETE: retried alone, the window merged and claimed once', async () => {
      const r = await runJob((attempt) => (attempt === 0 ? contention() : undefined));
      expect(r).toMatchObject({ error: undefined, deletes: 2, claims: 1, merges: 1, status: 'done' });
      expect(events.filter((e) => e.event === 'slice_retry')).toHaveLength(1);
    });

    it('a check that keeps failing: the window stays done, the run fails naming the check, and nothing is merged again', async () => {
      const r = await runJob(() => new Error('boom'));
      expect(r).toMatchObject({ deletes: 1, claims: 1, merges: 1, status: 'done' });
      expect(r.error?.code).toBe('CHECK_AFTER_COMMIT_FAILED');
      expect(r.error?.message).toMatch(/^orders 2024-06: the slice committed, but its check after commit failed: .*Remove this slice's row .*: boom$/);
      expect(r.error?.hint).toMatch(/^the window stays done; .*migrate verify --table orders/);
      expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['slice_done', 'slice_failed']));
    });
  });
});
