import * as path from 'node:path';
import { duckdb } from '../dialects/duckdb';
import type { Connection } from '../dialects/types';
import { monthWindow, parseMonth } from '../src/backfill/windows';
import { loadConfig } from '../src/config/load';
import type { TableConfig } from '../src/config/types';
import { TheseusError } from '../src/errors';
import { applyUnit } from '../src/exec/executor';
import { LedgerWriter } from '../src/ledger/writes';
import { planBackfill } from '../src/plan/backfill';
import type { Unit } from '../src/plan/types';
import { ordersTableConfig } from './helpers/tableConfig';
import { type ScratchDuckDb, introspectedContext, scratchDuckDb } from './helpers/scratchDuckDb';
import { cleanup, cli, tempDir, writeConfig } from './helpers/warehouse';
import { type Sandbox, testEngines } from './helpers/engines';
import { TIME_TYPES, openTableSandbox, writeTableConfig } from './helpers/tableSandbox';
import { TEST_RUN } from './helpers/testRun';

/**
 * `cursor_immutable: true`: the operator's word that a row's cursor never changes, so each slice's MERGE matches
 * the target within its window alone (which lets BigQuery read only the window's partitions; see
 * bigqueryPruning.test.ts for the bytes). On a real engine (DuckDB): the MERGE's ON carries the window on the
 * target's cursor, a re-run still changes nothing, and a key the target holds under another window's cursor,
 * which the word said cannot happen, rolls the slice back instead of being inserted twice.
 */
describe('cursor_immutable: each MERGE matches the target within its window', () => {
  let db: ScratchDuckDb;
  let conn: Connection;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('theseus-immutable-config-');
    db = await scratchDuckDb('theseus-immutable-', [
      'CREATE TABLE erp.orders (id INTEGER, created_at TIMESTAMP, status VARCHAR)',
      'CREATE TABLE dlt.orders (id BIGINT, created_at TIMESTAMP, status VARCHAR, _dlt_load_id VARCHAR NOT NULL, _dlt_id VARCHAR NOT NULL)',
      "INSERT INTO erp.orders VALUES (1, TIMESTAMP '2024-06-02 10:00:00', 'paid'), (2, TIMESTAMP '2024-06-03 10:00:00', 'new')",
      // Key 1 already in the target, in its window, with an older status.
      "INSERT INTO dlt.orders VALUES (1, TIMESTAMP '2024-06-02 10:00:00', 'new', '1700000000.1', 'a')",
    ]);
    conn = db.conn;
  });
  afterAll(async () => {
    await db?.close();
    cleanup(dir);
  });

  const sliceOf = async (table: TableConfig): Promise<Unit> => {
    const ctx = await introspectedContext(conn, duckdb, table);
    const plan = planBackfill(ctx, new LedgerWriter(duckdb, '_migrate', TEST_RUN), { windows: [monthWindow(parseMonth('2024-06'))], nextLoadId: () => '1733130000.5', phase: 'backfilling', completes: false, isComplete: async () => false, validate: false });
    const slice = plan.jobs[0].slice;
    // The upsert and its checks, without the ledger's steps (no state schema here).
    return { ...slice, steps: slice.steps.filter((s) => /^MERGE INTO|AS keys_twice/.test(s.sql)), onFailure: [] };
  };
  const rows = async () => (await conn.query('SELECT id, created_at, status FROM dlt.orders ORDER BY id, created_at')).map((r) => `${r.id} ${String(r.created_at).slice(0, 10)} ${r.status}`);

  it('the config takes it as true or false only', () => {
    const file = writeConfig(dir, `dialect: duckdb\nconnection: ${path.join(dir, 'w.duckdb')}\ntables:\n  orders:\n    legacy: erp.orders\n    target: dlt.orders\n    view: dw.orders\n    key: id\n    cursor: created_at\n    cursor_immutable: true\n`);
    expect(loadConfig(file, {}).tables[0].cursorImmutable).toBe(true);
    const bad = writeConfig(dir, `dialect: duckdb\nconnection: x.duckdb\ntables:\n  orders:\n    legacy: erp.orders\n    target: dlt.orders\n    view: dw.orders\n    key: id\n    cursor: created_at\n    cursor_immutable: yes please\n`, 'bad.yaml');
    expect(() => loadConfig(bad, {})).toThrow(/cursor_immutable is "yes please"/);
  });

  it("the MERGE's ON carries the window on the target's cursor; it updates and inserts as before, and a re-run changes nothing", async () => {
    const unit = await sliceOf(ordersTableConfig({ cursorImmutable: true }));
    const merge = unit.steps.find((s) => /^MERGE INTO/.test(s.sql))!.sql;
    expect(merge).toMatch(/\nON t\."id" = s\."id" AND t\."created_at" >= TIMESTAMP '2024-06-01 00:00:00' AND t\."created_at" < TIMESTAMP '2024-07-01 00:00:00'\n/);
    expect(unit.steps.map((s) => s.intent)).toContain("Assert: no key of the window is in the target twice (cursor_immutable: the target held it under another window's cursor)");
    // Without the word, the ON is the key alone and DuckDB (one writing process) needs no keys-twice check.
    const plain = await sliceOf(ordersTableConfig());
    expect(plain.steps.find((s) => /^MERGE INTO/.test(s.sql))!.sql).toMatch(/\nON t\."id" = s\."id"\n/);
    expect(plain.steps.some((s) => /AS keys_twice/.test(s.sql))).toBe(false);

    const run = () => applyUnit(unit, { conn, dialect: duckdb, vars: new Map(), toolVersion: 'test', log: () => undefined });
    await run();
    expect(await rows()).toEqual(['1 2024-06-02 paid', '2 2024-06-03 new']);
    await run();
    expect(await rows()).toEqual(['1 2024-06-02 paid', '2 2024-06-03 new']);
  });

  it('a key the target holds under another window\'s cursor rolls the slice back, naming cursor_immutable', async () => {
    // The promise broken: key 2's row in the target moved to July.
    await conn.execute("UPDATE dlt.orders SET created_at = TIMESTAMP '2024-07-09 10:00:00' WHERE id = 2");
    await conn.execute("UPDATE erp.orders SET status = 'shipped' WHERE id = 1");
    const unit = await sliceOf(ordersTableConfig({ cursorImmutable: true }));
    const err = (await applyUnit(unit, { conn, dialect: duckdb, vars: new Map(), toolVersion: 'test', log: () => undefined }).catch((e: unknown) => e)) as TheseusError;
    expect(err).toBeInstanceOf(TheseusError);
    expect(err.code).toBe('WINDOW_KEYS_TWICE');
    expect(err.message).toMatch(/the target had it under a cursor outside this window, which cursor_immutable: true says cannot happen/);
    expect(err.hint).toMatch(/remove cursor_immutable/);
    // Rolled back: key 1 not updated, key 2 not inserted again.
    expect(await rows()).toEqual(['1 2024-06-02 paid', '2 2024-07-09 new']);
  });
});

/** Where slices upsert through the key's unique index (ON CONFLICT, ON DUPLICATE KEY UPDATE), there is no match to narrow: the word is ignored, and the run says so. */
describe.each(testEngines().filter((e) => e !== 'duckdb'))('cursor_immutable without a MERGE on %s', (engine) => {
  let s: Sandbox;
  beforeAll(async () => {
    s = await openTableSandbox(engine);
  });
  afterAll(async () => s?.drop());

  it('backfill warns that it has no effect, and runs as without it', async () => {
    const t = TIME_TYPES[engine];
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'orders')} (id BIGINT PRIMARY KEY, created_at ${t.naive})`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'orders')} (id BIGINT NOT NULL PRIMARY KEY, created_at ${t.zoned})`);
    await s.exec(`INSERT INTO ${s.q('legacy_schema', 'orders')} VALUES (1, '2024-06-02 10:00:00')`);
    const file = writeTableConfig(s, 'orders', 'created_at', '    cursor_immutable: true\n');
    expect(cli(['stitch', '--config', file]).status).toBe(0);
    const r = cli(['backfill', '--all', '--config', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/orders: cursor_immutable has no effect here: its slices upsert with INSERT … ON (CONFLICT|DUPLICATE KEY UPDATE)/);
  });
});

