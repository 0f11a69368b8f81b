import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from './helpers/warehouse';
import { analyzeDryRun, analyzerUnavailable } from './helpers/snowflakeAnalyzer';
import { describePlanAnalysis } from './helpers/planAnalysis';
import { auditInsertFor } from './helpers/auditInsert';
import { snowflake } from '../dialects/snowflake';
import { UNDO_RUN, preimageTable, undoRecords } from './helpers/undoCatalog';
import { STAGING_COMMANDS, inspectStaging, stagingState, stagingTables } from './helpers/stagingCatalog';

/**
 * Every statement of every command's plan on Snowflake passes the analyzer
 * (issue 13, test 1): the commands plan from a catalog (`--dry-run --catalog`,
 * no account, no connection) through each phase of the lifecycle, and each
 * printed statement is analyzed by Fivetran's ZetaSQL fork against that same
 * catalog, or, for the few shapes the fork cannot parse (COPY GRANTS, ALTER
 * SESSION, …), checked by the allowlist's second parser. The orders table
 * (partial first and last months, rows without a cursor), a composite-key
 * payments table with an integer epoch cursor in milliseconds, dlt's
 * `_dlt_loads` beside the target.
 */
const DATABASE = 'DB';
const SCHEMA = 'MIG';
const PINNED = { THESEUS_NOW: '1732262400.25', SF_PASSWORD: 'unused' };

const col = (name: string, type: string, nullable = true) => ({ name, type, nullable });
const ORDERS_LEGACY = [col('ID', 'NUMBER(19,0)', false), col('CREATED_AT', 'TIMESTAMP_NTZ(6)'), col('UPDATED_AT', 'TIMESTAMP_NTZ(6)'), col('ORDER_TOTAL', 'NUMBER(12,2)'), col('STATUS', 'VARCHAR(20)')];
const ORDERS_TARGET = [
  col('ID', 'NUMBER(19,0)', false),
  col('CREATED_AT', 'TIMESTAMP_TZ(6)'),
  col('UPDATED_AT', 'TIMESTAMP_TZ(6)'),
  col('TOTAL', 'NUMBER(12,2)'),
  col('STATUS', 'VARCHAR'),
  col('_DLT_LOAD_ID', 'VARCHAR', false),
  col('_DLT_ID', 'VARCHAR', false),
];
const PAYMENTS_LEGACY = [col('ACCOUNT', 'VARCHAR(12)', false), col('SEQ', 'NUMBER(10,0)', false), col('PAID_MS', 'NUMBER(19,0)'), col('AMOUNT', 'FLOAT')];
const PAYMENTS_TARGET = [col('ACCOUNT', 'VARCHAR', false), col('SEQ', 'NUMBER(19,0)', false), col('PAID_MS', 'NUMBER(19,0)'), col('AMOUNT', 'FLOAT'), col('_DLT_LOAD_ID', 'VARCHAR', false), col('_DLT_ID', 'VARCHAR', false)];
const LOADS = [col('LOAD_ID', 'VARCHAR', false), col('SCHEMA_NAME', 'VARCHAR'), col('STATUS', 'NUMBER(19,0)', false), col('INSERTED_AT', 'TIMESTAMP_TZ(6)', false), col('SCHEMA_VERSION_HASH', 'VARCHAR')];
/** The view as stitch creates it: the target's columns and source_flag (a name Theseus creates keeps its spelling). */
const view = (columns: Array<{ name: string }>) => ({ kind: 'view', columns: [...columns.map((c) => col(c.name, 'VARCHAR')), col('source_flag', 'VARCHAR')], unique_keys: [] });

type Phase = 'new' | 'stitched' | 'backfilling' | 'backfilled' | 'cutover' | 'retired';

const MONTHS = ['2023-01', '2023-02', '2023-03'];

function catalogFor(phase: Phase): Record<string, unknown> {
  const stitched = phase !== 'new';
  const state = (id: string, legacy: string, target: string) => ({
    phase,
    identity: { legacy, target },
    archive_name: phase === 'retired' ? `${id.toUpperCase()}__RETIRED_20241122` : null,
    snapshots: phase === 'retired' ? [`${id.toUpperCase()}__RETIRED_20241122__SNAPSHOT`] : [],
    slices:
      phase === 'backfilling'
        ? [{ window: '2023-01', status: 'done' }, { window: '2023-02', status: 'failed', error: 'lock wait timeout' }]
        : ['backfilled', 'cutover', 'retired'].includes(phase)
          ? MONTHS.map((m) => ({ window: m, status: 'done' }))
          : [],
    validations: ['backfilled', 'cutover', 'retired'].includes(phase) ? MONTHS.map((m) => ({ window: m, status: 'validated' })) : [],
    undo: undoRecords(phase),
  });
  return {
    theseus_catalog: 1,
    dialect: 'snowflake',
    tables: {
      'ERP.ORDERS': phase === 'retired' ? null : { kind: 'table', columns: ORDERS_LEGACY, unique_keys: [] },
      ...(phase === 'retired' ? { 'ERP.ORDERS__RETIRED_20241122': { kind: 'table', columns: ORDERS_LEGACY, unique_keys: [] } } : {}),
      'DLT.ORDERS': { kind: 'table', columns: ORDERS_TARGET, unique_keys: [] },
      'DW.ORDERS_V': stitched ? view(ORDERS_TARGET) : null,
      'ERP.PAYMENTS': phase === 'retired' ? null : { kind: 'table', columns: PAYMENTS_LEGACY, unique_keys: [] },
      ...(phase === 'retired' ? { 'ERP.PAYMENTS__RETIRED_20241122': { kind: 'table', columns: PAYMENTS_LEGACY, unique_keys: [] } } : {}),
      'DLT.PAYMENTS': { kind: 'table', columns: PAYMENTS_TARGET, unique_keys: [] },
      'DW.PAYMENTS_V': stitched ? view(PAYMENTS_TARGET) : null,
      ...stagingTables(phase, ORDERS_TARGET),
      ...(phase === 'backfilled' ? { '_migrate.orders__preimages': preimageTable('VARCHAR', ORDERS_TARGET), '_migrate.payments__preimages': preimageTable('VARCHAR', PAYMENTS_TARGET) } : {}),
    },
    state: phase === 'new' ? {} : { ...stagingState(phase, 'ERP.ORDERS', MONTHS), orders: state('orders', 'ERP.ORDERS', 'DLT.ORDERS'), payments: state('payments', 'ERP.PAYMENTS', 'DLT.PAYMENTS') },
    legacy_profile: {
      orders: { rows: 1200, null_cursor_rows: 3, null_key_rows: 0, first_day: '2023-01-15', last_day: '2023-03-02' },
      payments: { rows: 800, null_cursor_rows: 0, null_key_rows: 0, first_day: '2023-01-01', last_day: '2023-03-31' },
    },
    dlt: {
      orders: { loads_table: 'DLT._DLT_LOADS', latest_load_id: '1732000000.123456', schema_name: 'erp', version_hash: 'hash', hints: { table: 'orders', write_disposition: 'merge', merge_strategy: 'upsert', primary_key: ['id'], merge_key: [], children: [] } },
    },
  };
}

const CONFIG = `dialect: snowflake
connection:
  account: fakeacct
  username: migrator
  password: \${SF_PASSWORD}
  access_url: "http://127.0.0.1:1"
  database: ${DATABASE}
  schema: ${SCHEMA}
tables:
  orders:
    legacy: ERP.ORDERS
    target: DLT.ORDERS
    view: DW.ORDERS_V
    key: ID
    cursor: CREATED_AT
    updated_at: UPDATED_AT
    columns:
      TOTAL: { from: ORDER_TOTAL }
  payments:
    legacy: ERP.PAYMENTS
    target: DLT.PAYMENTS
    view: DW.PAYMENTS_V
    key: [ACCOUNT, SEQ]
    cursor: PAID_MS
    cursor_unit: ms
`;

const COMMANDS: Record<Phase, string[][]> = {
  new: [['stitch']],
  stitched: [...STAGING_COMMANDS.stitched, ['stitch'], ['backfill', '--all', '--include-null-cursor'], ['backfill', '--month', '2023-02', '--slice', 'week'], ['backfill', '--month', '2023-03', '--slice', 'day', '--no-validate'], ['verify'], ['status']],
  backfilling: [...STAGING_COMMANDS.backfilling, ['backfill', '--all', '--include-null-cursor', '--create-key-index'], ['backfill', '--month', '2023-01', '--rerun'], ['verify', '--month', '2023-01']],
  backfilled: [['verify'], ['verify', '--approve'], ['cutover'], ['undo', '--run', UNDO_RUN], ['prune', '--before', '2024-11-01']],
  cutover: [['rollback'], ['retire']],
  retired: [['retire', '--drop', '--confirm', 'ERP.ORDERS', '--table', 'orders'], ['retire', '--drop', '--drop-snapshot', '--confirm', 'ERP.ORDERS', '--table', 'orders'], ['status']],
};

describePlanAnalysis({
  engine: 'Snowflake',
  unavailable: analyzerUnavailable(),
  config: CONFIG,
  commands: COMMANDS,
  catalogFor,
  env: PINNED,
  inspect: (r, phase, command) => {
    inspectStaging(r.stdout, phase, command);
    if (command[0] === 'status') {
      if (phase === 'retired') expect(r.stdout).toContain("orders: legacy's zero-copy snapshot ORDERS__RETIRED_20241122__SNAPSHOT is kept (retire --drop --drop-snapshot drops it)");
      return;
    }
    // retire clones legacy first (zero-copy, recorded), and --drop keeps that snapshot unless --drop-snapshot.
    if (phase === 'cutover' && command[0] === 'retire') expect(r.stdout).toMatch(/CREATE TABLE IF NOT EXISTS "ERP"\."ORDERS__retired_\d{8}__snapshot" CLONE "ERP"\."ORDERS";/);
    if (phase === 'retired') expect(/DROP TABLE IF EXISTS "ERP"\."ORDERS__RETIRED_20241122__SNAPSHOT"/.test(r.stdout)).toBe(command.includes('--drop-snapshot'));
  },
  analyze: (planText, catalogFile) => analyzeDryRun(planText, catalogFile, { defaultDatabase: DATABASE, defaultSchema: SCHEMA, stateSchema: '_migrate' }),
  more: (files) => {
    it("the audit log's INSERT (the statements a run executed, written after each unit) analyzes", async () => {
      const catalog = path.join(files.dir(), 'audit.json');
      fs.writeFileSync(catalog, JSON.stringify(catalogFor('new'), null, 2));
      const r = cli(['stitch', '--dry-run', '--catalog', catalog, '--config', files.config()], PINNED);
      expect(r.stdout).toMatch(/CREATE TABLE IF NOT EXISTS "_migrate"\.statement_log/i);
      const inserts = await auditInsertFor(snowflake, '_migrate');
      expect(inserts).toHaveLength(2);
      const options = { defaultDatabase: DATABASE, defaultSchema: SCHEMA, stateSchema: '_migrate' };
      const plan = await analyzeDryRun(r.stdout, catalog, options);
      const withAudit = await analyzeDryRun(`${r.stdout}\n-- the audit log\n${inserts[0]};\n-- prune it\n${inserts[1]};\n`, catalog, options);
      expect(withAudit.length).toBe(plan.length + 2);
    });

    it("the demo's migration on Snowflake (fixtures/demo/snowflake) plans offline, and its stitch passes the analyzer", async () => {
      const fixture = path.join(__dirname, '..', '..', 'fixtures', 'demo', 'snowflake');
      const r = cli(['stitch', '--dry-run', '--catalog', path.join(fixture, 'catalog.json'), '--config', path.join(fixture, 'migrate.yaml')], PINNED);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('CREATE OR REPLACE VIEW "DW"."ALL_ORDERS" COPY GRANTS AS');
      const analyzed = await analyzeDryRun(r.stdout, path.join(fixture, 'catalog.json'), { defaultDatabase: DATABASE, defaultSchema: 'PUBLIC', stateSchema: 'MIGRATE_STATE' });
      expect(analyzed.length).toBeGreaterThan(0);
    });

    it('a mistake planted in a real plan is caught: a column the target lacks, in the slice MERGE', async () => {
      const catalog = path.join(files.dir(), 'planted.json');
      fs.writeFileSync(catalog, JSON.stringify(catalogFor('stitched'), null, 2));
      const r = cli(['backfill', '--month', '2023-02', '--table', 'orders', '--dry-run', '--catalog', catalog, '--config', files.config()], PINNED);
      expect(r.status).toBe(0);
      const planted = r.stdout.replace(/(MERGE INTO "DLT"\."ORDERS"[\s\S]*?)"TOTAL"/, '$1"TOTL"');
      expect(planted).not.toBe(r.stdout);
      await expect(analyzeDryRun(planted, catalog, { defaultDatabase: DATABASE, defaultSchema: SCHEMA, stateSchema: '_migrate' })).rejects.toThrow(/TOTL/);
    });

    it('retire.snapshot_days is refused: a Snowflake clone cannot be given a lifetime', () => {
      const withDays = path.join(files.dir(), 'with-days.yaml');
      fs.writeFileSync(withDays, `${CONFIG}retire:\n  snapshot_days: 30\n`);
      const catalog = path.join(files.dir(), 'cutover-days.json');
      fs.writeFileSync(catalog, JSON.stringify(catalogFor('cutover'), null, 2));
      const r = cli(['retire', '--dry-run', '--catalog', catalog, '--config', withDays], PINNED);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('error [CONFIG_INVALID]: retire.snapshot_days: snowflake cannot give the snapshot retire takes a lifetime');
    });
  },
});
