import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from './helpers/warehouse';
import { analyzeBigQuery, analyzeBigQueryDryRun, bigqueryAnalyzerUnavailable, bigqueryCatalog } from './helpers/bigqueryAnalyzer';
import { describePlanAnalysis } from './helpers/planAnalysis';
import { UNDO_RUN, preimageTable, undoRecords } from './helpers/undoCatalog';
import { STAGING_COMMANDS, inspectStaging, stagingState, stagingTables } from './helpers/stagingCatalog';
import { readCatalogFile } from '../src/catalog/file';
import { bigqueryOperatorLock } from '../dialects/bigquery/operatorLock';
import { bigqueryLoadSignal } from '../dialects/bigquery/loadSignal';
import type { Connection } from '../dialects/types';
import { bigquery } from '../dialects/bigquery';
import { auditInsertFor } from './helpers/auditInsert';
import { oneLine } from './helpers/printedPlan';

/**
 * Every statement of every command's plan on BigQuery passes Google's ZetaSQL analyzer with BigQuery's language
 * features (issue 14, test 1): the commands plan from a catalog (`--dry-run --catalog`, no project, no
 * connection) through each phase of the lifecycle, and each printed statement is analyzed against that catalog.
 */
const PINNED = { THESEUS_NOW: '1732262400.25', BIGQUERY_PROJECT: 'demo-project' };
const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'demo', 'bigquery');
const DEMO = { stateSchema: 'migrate_state', location: 'EU' };

const col = (name: string, type: string, nullable = true) => ({ name, type, nullable });
const ORDERS_LEGACY = [col('id', 'INT64', false), col('created_at', 'DATETIME'), col('updated_at', 'DATETIME'), col('order_total', 'NUMERIC(12, 2)'), col('status', 'STRING')];
const ORDERS_TARGET = [col('id', 'INT64', false), col('created_at', 'TIMESTAMP'), col('updated_at', 'TIMESTAMP'), col('total', 'NUMERIC(12, 2)'), col('status', 'STRING'), col('_dlt_load_id', 'STRING', false), col('_dlt_id', 'STRING', false)];
const PAYMENTS_LEGACY = [col('account', 'STRING', false), col('seq', 'INT64', false), col('paid_ms', 'INT64'), col('amount', 'FLOAT64')];
const PAYMENTS_TARGET = [col('account', 'STRING', false), col('seq', 'INT64', false), col('paid_ms', 'INT64'), col('amount', 'FLOAT64'), col('_dlt_load_id', 'STRING', false), col('_dlt_id', 'STRING', false)];
// A DATE cursor on both sides (the window bounds must compare with a DATE); BYTES (verify writes them as hex: a text
// cast fails on bytes that are not UTF-8).
const EVENTS = [col('event_id', 'STRING', false), col('event_date', 'DATE'), col('kind', 'STRING'), col('payload', 'BYTES')];
const EVENTS_TARGET = [...EVENTS, col('_dlt_load_id', 'STRING', false), col('_dlt_id', 'STRING', false)];
const view = (columns: Array<{ name: string; type: string }>) => ({ kind: 'view', columns: [...columns.map((c) => col(c.name, c.type)), col('source_flag', 'STRING')], unique_keys: [] });

type Phase = 'new' | 'stitched' | 'backfilling' | 'backfilled' | 'cutover' | 'retired';

const MONTHS = ['2023-01', '2023-02', '2023-03'];

function catalogFor(phase: Phase): Record<string, unknown> {
  const stitched = phase !== 'new';
  const done = ['backfilled', 'cutover', 'retired'].includes(phase);
  const state = (id: string, legacy: string, target: string) => ({
    phase,
    identity: { legacy, target },
    archive_name: phase === 'retired' ? `${id}__retired_20241122` : null,
    snapshots: phase === 'retired' ? [`${id}__retired_20241122__snapshot`] : [],
    slices: phase === 'backfilling' ? [{ window: '2023-01', status: 'done' }, { window: '2023-02', status: 'failed', error: 'concurrent update' }] : done ? MONTHS.map((m) => ({ window: m, status: 'done' })) : [],
    validations: done ? MONTHS.map((m) => ({ window: m, status: 'validated' })) : [],
    // The runs to undo changed orders and payments; events has none.
    undo: id === 'events' ? [] : undoRecords(phase),
  });
  return {
    theseus_catalog: 1,
    dialect: 'bigquery',
    server: { location: 'EU' },
    tables: {
      'erp.orders': phase === 'retired' ? null : { kind: 'table', columns: ORDERS_LEGACY, unique_keys: [] },
      ...(phase === 'retired' ? { 'erp.orders__retired_20241122': { kind: 'table', columns: ORDERS_LEGACY, unique_keys: [] } } : {}),
      'dlt.orders': { kind: 'table', columns: ORDERS_TARGET, unique_keys: [] },
      'dw.orders_v': stitched ? view(ORDERS_TARGET) : null,
      'erp.payments': phase === 'retired' ? null : { kind: 'table', columns: PAYMENTS_LEGACY, unique_keys: [] },
      ...(phase === 'retired' ? { 'erp.payments__retired_20241122': { kind: 'table', columns: PAYMENTS_LEGACY, unique_keys: [] } } : {}),
      'dlt.payments': { kind: 'table', columns: PAYMENTS_TARGET, unique_keys: [] },
      'dw.payments_v': stitched ? view(PAYMENTS_TARGET) : null,
      'erp.events': phase === 'retired' ? null : { kind: 'table', columns: EVENTS, unique_keys: [] },
      ...(phase === 'retired' ? { 'erp.events__retired_20241122': { kind: 'table', columns: EVENTS, unique_keys: [] } } : {}),
      'dlt.events': { kind: 'table', columns: EVENTS_TARGET, unique_keys: [] },
      'dw.events_v': stitched ? view(EVENTS_TARGET) : null,
      ...stagingTables(phase, ORDERS_TARGET),
      ...(phase === 'backfilled' ? { '_migrate.orders__preimages': preimageTable('STRING', ORDERS_TARGET), '_migrate.payments__preimages': preimageTable('STRING', PAYMENTS_TARGET) } : {}),
    },
    state: phase === 'new' ? {} : { ...stagingState(phase, 'erp.orders', MONTHS), orders: state('orders', 'erp.orders', 'dlt.orders'), payments: state('payments', 'erp.payments', 'dlt.payments'), events: state('events', 'erp.events', 'dlt.events') },
    legacy_profile: {
      orders: { rows: 1200, null_cursor_rows: 3, null_key_rows: 0, first_day: '2023-01-15', last_day: '2023-03-02' },
      payments: { rows: 800, null_cursor_rows: 0, null_key_rows: 0, first_day: '2023-01-01', last_day: '2023-03-31' },
      events: { rows: 90, null_cursor_rows: 0, null_key_rows: 0, first_day: '2023-01-01', last_day: '2023-03-31' },
    },
    dlt: {
      orders: { loads_table: 'dlt._dlt_loads', latest_load_id: '1732000000.123456', schema_name: 'erp', version_hash: 'hash', hints: { table: 'orders', write_disposition: 'merge', merge_strategy: 'upsert', primary_key: ['id'], merge_key: [], children: [] } },
    },
  };
}

const CONFIG = `dialect: bigquery
connection:
  project: \${BIGQUERY_PROJECT}
  location: EU
  api_endpoint: "http://127.0.0.1:1"
tables:
  orders:
    legacy: erp.orders
    target: dlt.orders
    view: dw.orders_v
    key: id
    cursor: created_at
    updated_at: updated_at
    columns:
      total: { from: order_total }
  payments:
    legacy: erp.payments
    target: dlt.payments
    view: dw.payments_v
    key: [account, seq]
    cursor: paid_ms
    cursor_unit: ms
  events:
    legacy: erp.events
    target: dlt.events
    view: dw.events_v
    key: event_id
    cursor: event_date
    cursor_immutable: true
`;

const COMMANDS: Record<Phase, string[][]> = {
  new: [['stitch']],
  stitched: [...STAGING_COMMANDS.stitched, ['stitch'], ['backfill', '--all', '--include-null-cursor'], ['backfill', '--month', '2023-02', '--slice', 'week'], ['backfill', '--month', '2023-03', '--slice', 'day', '--no-validate'], ['verify'], ['status']],
  backfilling: [...STAGING_COMMANDS.backfilling, ['backfill', '--all', '--include-null-cursor'], ['backfill', '--month', '2023-01', '--rerun'], ['verify', '--month', '2023-01']],
  backfilled: [['verify'], ['verify', '--approve'], ['cutover'], ['undo', '--run', UNDO_RUN], ['prune', '--before', '2024-11-01']],
  cutover: [['rollback'], ['retire']],
  retired: [['retire', '--drop', '--confirm', 'erp.orders', '--table', 'orders'], ['retire', '--drop', '--drop-snapshot', '--confirm', 'erp.orders', '--table', 'orders'], ['status']],
};

describePlanAnalysis({
  engine: 'BigQuery',
  unavailable: bigqueryAnalyzerUnavailable(),
  config: CONFIG,
  commands: COMMANDS,
  catalogFor,
  env: PINNED,
  inspect: (r, phase, command) => {
    inspectStaging(r.stdout, phase, command);
    // The staging commands plan the orders table alone; the checks below are of every table's plan.
    if (command.includes('--table')) return;
    // verify's normalized columns: a FLOAT64 guarded for NaN and ±infinity (no NUMERIC holds them), BYTES as hex.
    const stdout = oneLine(r.stdout);
    if (command[0] === 'verify' || (command[0] === 'backfill' && !command.includes('--no-validate'))) {
      expect(stdout).toContain('CASE WHEN (IS_NAN(CAST(`amount` AS FLOAT64)) OR IS_INF(CAST(`amount` AS FLOAT64))) THEN CAST(`amount` AS STRING) ELSE');
      expect(stdout).toContain('TO_HEX(`payload`)');
    }
    // A slice is followed, once committed, by the check its snapshot could not make (live appends); it analyzes too.
    // events (cursor_immutable, a DATE cursor): each MERGE matches the target within its window, by DATE constants (a DATE-partitioned target prunes by them).
    if (command[0] === 'backfill') expect(stdout).toMatch(/ON t\.`event_id` = s\.`event_id` AND t\.`event_date` >= DATE '2023-\d\d-\d\d' AND t\.`event_date` < DATE '2023-\d\d-\d\d' WHEN /);
    if (command[0] === 'backfill') expect(stdout).toMatch(/-- == orders \S+: check after commit ==[\s\S]*DELETE FROM `dlt`\.`orders` AS t WHERE t\.`_dlt_load_id` = '/);
  },
  analyze: (planText, catalogFile) => analyzeBigQueryDryRun(planText, catalogFile, { stateSchema: '_migrate', location: 'EU' }),
  more: (files) => {
    it("the demo's migration on BigQuery (fixtures/demo/bigquery) plans offline, and its stitch passes the analyzer", async () => {
      const r = cli(['stitch', '--dry-run', '--catalog', path.join(FIXTURE, 'catalog.json'), '--config', path.join(FIXTURE, 'migrate.yaml')], PINNED);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('CREATE OR REPLACE VIEW `dw`.`all_orders` AS');
      expect((await analyzeBigQueryDryRun(r.stdout, path.join(FIXTURE, 'catalog.json'), DEMO)).length).toBeGreaterThan(0);
    });

    it('planted mistakes are rejected: a column the target lacks, STRING into NUMERIC, a UNION type mismatch, TIMESTAMP_ADD by MONTH', async () => {
      const catalog = () => bigqueryCatalog(readCatalogFile(path.join(FIXTURE, 'catalog.json')), DEMO);
      const planted = [
        ['MERGE INTO `dlt_schema`.`orders` AS t USING `legacy_schema`.`orders` AS s ON t.`id` = s.`idd` WHEN NOT MATCHED THEN INSERT ROW', /idd/],
        ['UPDATE `dlt_schema`.`orders` SET `total` = `status` WHERE TRUE', /cannot be assigned to total/],
        ['SELECT `id`, `total` FROM `dlt_schema`.`orders` UNION ALL SELECT `id`, `status` FROM `dlt_schema`.`orders`', /incompatible types/],
        ["SELECT count(*) FROM `dlt_schema`.`orders` WHERE `created_at` < TIMESTAMP_ADD(TIMESTAMP '2024-01-01 00:00:00+00:00', INTERVAL 1 MONTH)", /MONTH/],
        ['SELECT 1 FROM `dlt_schema`.`orders` UNION SELECT 2 FROM `dlt_schema`.`orders`', /UNION/],
      ] as const;
      for (const [sql, message] of planted) await expect(analyzeBigQuery([{ sql }], catalog())).rejects.toThrow(message);
    });

    it('the operator lock rows (owned by @@session_id), the run\'s session records and the load signal (INFORMATION_SCHEMA.JOBS) analyze too', async () => {
      const lock = bigqueryOperatorLock('`_migrate`');
      const statements = [
        ...lock.sessionSetup.map((sql) => ({ sql })),
        ...[lock.tryLock, lock.heldHere, lock.heldByAnyone, lock.lapsed!, lock.release, lock.sessions!.record, lock.sessions!.list, lock.sessions!.forget].map((sql) => ({ sql, binds: ['name'] })),
        { sql: lock.renew! },
      ];
      // The load signal's one query, captured from a connection that only records it.
      const seen: string[] = [];
      const signal = bigqueryLoadSignal('EU');
      expect(signal.names).toEqual(['active', 'running', 'pending', 'dml_pending']);
      // The reading query is itself one of the running jobs, and is not counted.
      expect(await signal.read({ query: async (sql: string) => (seen.push(sql), [{ running: 2, pending: 3, dml_pending: 1 }]) } as unknown as Connection)).toEqual({ active: 4, running: 1, pending: 3, dml_pending: 1 });
      const catalog = bigqueryCatalog(readCatalogFile(path.join(FIXTURE, 'catalog.json')), DEMO);
      expect(await analyzeBigQuery([...statements, ...seen.map((sql) => ({ sql }))], catalog)).toHaveLength(statements.length + 1);
    });

    it("the audit log's INSERT (the statements a run executed, written after each unit) analyzes", async () => {
      const catalog = path.join(files.dir(), 'audit.json');
      fs.writeFileSync(catalog, JSON.stringify(catalogFor('new'), null, 2));
      const r = cli(['stitch', '--dry-run', '--catalog', catalog, '--config', files.config()], PINNED);
      expect(r.stdout).toContain('CREATE TABLE IF NOT EXISTS `_migrate`.statement_log');
      const inserts = await auditInsertFor(bigquery, '_migrate');
      expect(inserts).toHaveLength(2);
      const plan = await analyzeBigQueryDryRun(r.stdout, catalog, { stateSchema: '_migrate', location: 'EU' });
      const withAudit = await analyzeBigQueryDryRun(`${r.stdout}\n-- the audit log\n${inserts[0]};\n-- prune it\n${inserts[1]};\n`, catalog, { stateSchema: '_migrate', location: 'EU' });
      expect(withAudit.length).toBe(plan.length + 2);
      expect(withAudit[withAudit.length - 2]).toMatch(/insert/i);
      expect(withAudit[withAudit.length - 1]).toMatch(/delete/i);
    });

    it('retire.snapshot_days gives the snapshot a lifetime (expiration_timestamp), and the statement analyzes', async () => {
      const withDays = path.join(files.dir(), 'with-days.yaml');
      fs.writeFileSync(withDays, `${CONFIG}retire:\n  snapshot_days: 30\n`);
      const catalog = path.join(files.dir(), 'cutover-days.json');
      fs.writeFileSync(catalog, JSON.stringify(catalogFor('cutover'), null, 2));
      const r = cli(['retire', '--dry-run', '--catalog', catalog, '--config', withDays], PINNED);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/CREATE SNAPSHOT TABLE IF NOT EXISTS `erp`\.`orders__retired_\d{8}__snapshot` CLONE `erp`\.`orders`\nOPTIONS \(expiration_timestamp = TIMESTAMP_ADD\(CURRENT_TIMESTAMP\(\), INTERVAL 30 DAY\)\);/);
      expect(r.stdout).toContain('it expires after 30 days');
      expect((await analyzeBigQueryDryRun(r.stdout, catalog, { stateSchema: '_migrate', location: 'EU' })).length).toBeGreaterThan(0);
      fs.writeFileSync(withDays, `${CONFIG}retire:\n  snapshot_days: 0\n`);
      expect(cli(['retire', '--dry-run', '--catalog', catalog, '--config', withDays], PINNED).stderr).toMatch(/retire\.snapshot_days is 0; it must be a whole number of days, at least 1/);
    });
  },
});
