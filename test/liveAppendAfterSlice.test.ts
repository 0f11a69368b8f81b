import { duckdb } from '../dialects/duckdb';
import type { Connection, Dialect } from '../dialects/types';
import { monthWindow, parseMonth } from '../src/backfill/windows';
import { TheseusError } from '../src/errors';
import { applyUnit } from '../src/exec/executor';
import { LedgerWriter } from '../src/ledger/writes';
import { planBackfill } from '../src/plan/backfill';
import type { SliceJob, Unit } from '../src/plan/types';
import { ordersTableConfig } from './helpers/tableConfig';
import { type ScratchDuckDb, introspectedContext, scratchDuckDb } from './helpers/scratchDuckDb';

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
    const plan = planBackfill(ctx, new LedgerWriter(racingEngine, '_migrate'), {
      windows: [monthWindow(parseMonth('2024-06'))],
      nextLoadId: () => SLICE_LOAD_ID,
      phase: 'backfilling',
      completes: false,
      isComplete: async () => false,
      validate: false,
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
    const plan = planBackfill(ctx, new LedgerWriter(duckdb, '_migrate'), { windows: [monthWindow(parseMonth('2024-06'))], nextLoadId: () => '1.5', phase: 'backfilling', completes: false, isComplete: async () => false, validate: false });
    expect(plan.jobs[0].settle).toBeUndefined();
  });
});
