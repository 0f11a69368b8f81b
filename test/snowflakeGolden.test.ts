import * as fs from 'node:fs';
import { ordersTableConfig } from './helpers/tableConfig';
import * as path from 'node:path';
import { snowflake } from '../dialects/snowflake';
import { introspectSnowflake } from '../dialects/snowflake/introspect';
import type { Connection, Row, TableInfo } from '../dialects/types';
import { monthWindow, parseMonth } from '../src/backfill/windows';
import { LedgerWriter } from '../src/ledger/writes';
import { packageRoot } from '../src/packageRoot';
import { planBackfill } from '../src/plan/backfill';
import { planStitch } from '../src/plan/stitch';
import type { TableContext } from '../src/plan/tableContext';
import { buildTableContext } from '../src/plan/buildContext';
import { dayTotalsSql, verifySpec } from '../src/plan/verify';
import { TEST_RUN } from './helpers/testRun';

/**
 * Golden SQL for Snowflake: the key statements rendered through the real
 * planners and templates, offline, compared byte for byte with
 * fixtures/golden/snowflake/*.sql. They pin what an analyzer cannot see
 * (quoted names are case-sensitive in Snowflake, and the analyzer ignores
 * quote case) and the shapes it cannot parse (COPY GRANTS). After a deliberate
 * change, review the diff and rewrite them with UPDATE_GOLDEN=1.
 */
const GOLDEN = path.join(packageRoot(), 'fixtures', 'golden', 'snowflake');

function expectGolden(name: string, sql: string): void {
  const file = path.join(GOLDEN, `${name}.sql`);
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, `${sql}\n`);
  expect(`${sql}\n`).toBe(fs.readFileSync(file, 'utf8'));
}

/** As a config writes it: lower case, which Snowflake resolves to the upper-case names below. */
const table = ordersTableConfig({ view: { schema: 'DW', name: 'ORDERS' }, updatedAt: 'updated_at' });

/** The tables as INFORMATION_SCHEMA describes them: legacy has one quoted mixed-case column, dlt upper-cases everything. */
const legacy: TableInfo = {
  ref: { schema: 'ERP', name: 'ORDERS' },
  kind: 'table',
  columns: [
    { name: 'ID', type: 'NUMBER(38,0)', nullable: false },
    { name: 'CreatedAt', type: 'TIMESTAMP_NTZ', nullable: true },
    { name: 'UPDATED_AT', type: 'TIMESTAMP_NTZ', nullable: true },
    { name: 'STATUS', type: 'VARCHAR(20)', nullable: true },
  ],
  uniqueKeys: [],
};
const target: TableInfo = {
  ref: { schema: 'DLT', name: 'ORDERS' },
  kind: 'table',
  columns: [
    { name: 'ID', type: 'NUMBER(19,0)', nullable: false },
    { name: 'CREATED_AT', type: 'TIMESTAMP_TZ', nullable: true },
    { name: 'UPDATED_AT', type: 'TIMESTAMP_TZ', nullable: true },
    { name: 'STATUS', type: 'VARCHAR', nullable: true },
    { name: '_DLT_LOAD_ID', type: 'VARCHAR', nullable: false },
    { name: '_DLT_ID', type: 'VARCHAR', nullable: false },
  ],
  uniqueKeys: [],
};

const context = (): TableContext => buildTableContext({ table, dialect: snowflake, legacy, target, dlt: { loadIds: [] }, stateSchema: '_migrate' });

const ledger = new LedgerWriter(snowflake, '_migrate', TEST_RUN);
const june = monthWindow(parseMonth('2024-06'));
const sliceJob = () =>
  planBackfill(context(), ledger, { windows: [june], nextLoadId: () => '1717200000.5', phase: 'backfilling', completes: false, isComplete: async () => false, validate: true }).jobs[0];

describe('Snowflake golden SQL', () => {
  test('stitch: CREATE OR REPLACE VIEW … COPY GRANTS, the target winning over legacy', () => {
    const unit = planStitch(context(), ledger, 'new');
    // The view's schema is created first where the config names one (CREATE SCHEMA IF NOT EXISTS "DW").
    expect(unit.steps[0].sql).toBe('CREATE SCHEMA IF NOT EXISTS "DW"');
    expectGolden('stitched_view', unit.steps[1].sql);
    // DDL commits on its own on Snowflake: the unit says so in the dry run and runs without BEGIN/COMMIT.
    expect(unit.atomic).toBe(false);
    expect(unit.nonAtomic).toMatch(/^NOT ATOMIC on snowflake/);
  });

  test('a slice: one MERGE from a source de-duplicated by key, newer wins, counted by its own result row', () => {
    const step = sliceJob().slice.steps.find((s) => /^MERGE INTO/.test(s.sql))!;
    expect(step.kind).toBe('query');
    expect(step.captureAs).toEqual({ 'number of rows inserted': 'to_insert', 'number of rows updated': 'upsert_updated' });
    expectGolden('slice_merge', step.sql);
  });

  test('a slice checks in its own transaction that no key of the window is in the target twice', () => {
    const step = sliceJob().slice.steps.find((s) => /AS keys_twice/.test(s.sql))!;
    expect(step.expect).toBe('keys_twice = 0');
    expectGolden('window_keys_twice', step.sql);
    expect(() => step.check!([{ keys_twice: '2' }], new Map())).toThrow(/holds 2 keys of this window twice/);
  });

  test('a slice holds no LOCK TABLE (Snowflake has none) and no unit mixes DDL into its transaction', () => {
    const steps = sliceJob().slice.steps.map((s) => s.sql);
    expect(steps.some((s) => /\bLOCK\b/i.test(s))).toBe(false);
    expect(steps.some((s) => /^(CREATE|ALTER|DROP)\b/i.test(s))).toBe(false);
  });

  test('the ledger claim: a compare-and-set UPDATE that must change exactly one row', () => {
    const job = sliceJob();
    expectGolden('ledger_slice_claim', job.claim(job.planned).steps.find((step) => /^UPDATE/.test(step.sql))!.sql);
  });

  test('the ledger writes that would be ON CONFLICT elsewhere are MERGEs (primary keys are not enforced)', () => {
    expectGolden('ledger_slices_register', ledger.registerWindowsStep('orders', [june, monthWindow(parseMonth('2024-07'))]).sql);
    expectGolden('ledger_set_phase', ledger.setPhaseStep('orders', 'stitched').sql);
    const loadSteps = ledger.dltLoadSteps('orders', june, { loads: { ref: { schema: 'DLT', name: '_DLT_LOADS' }, q: '"DLT"."_DLT_LOADS"' }, loadId: '1717200000.5' });
    const claim = loadSteps[0];
    // dlt's Snowflake naming upper-cases its tables and their columns alike: the register quotes them so.
    expect(loadSteps[3].sql).toMatch(/^INSERT INTO "DLT"\."_DLT_LOADS" \("LOAD_ID", "SCHEMA_NAME", "STATUS", "INSERTED_AT", "SCHEMA_VERSION_HASH"\)/);
    expectGolden('ledger_load_claim', claim.sql);
    expect(ledger.lockHolderWriteSql()).toMatch(/^MERGE INTO "_migrate"\.locks AS l\nUSING \(SELECT \? AS table_name, \? AS run_id, \? AS command, \? AS operator\) AS s/);
  });

  test("verify's fast pass: HASH_AGG over the normalized columns per day, the rows without a key grouped apart with checksum 0", () => {
    const spec = verifySpec(context());
    expectGolden('verify_day_totals_legacy', dayTotalsSql(spec, 'legacy'));
    const target = dayTotalsSql(spec, 'target');
    expectGolden('verify_day_totals_target', target);
    // No md5 per row: the engine's aggregate reads the normalized columns themselves.
    expect(target).not.toMatch(/MD5/);
  });

  test('quoting: names exactly as stored, quotes doubled, case kept', () => {
    expect(snowflake.quoteIdent('OrderId')).toBe('"OrderId"');
    expect(snowflake.quoteIdent('ORDERS')).toBe('"ORDERS"');
    expect(snowflake.quoteIdent('say "hi"')).toBe('"say ""hi"""');
    expect(snowflake.qualify({ schema: 'Erp', name: 'Orders' })).toBe('"Erp"."Orders"');
    expect(snowflake.stringLiteral("O'Brien")).toBe("'O''Brien'");
    // Snowflake reads backslash escapes in single quotes: verify's NULL mark \N must stay two characters, not N.
    expect(snowflake.stringLiteral('\\N')).toBe("'\\\\N'");
    expect(snowflake.stringLiteral('C:\\tmp')).toBe("'C:\\\\tmp'");
  });

  test('window bounds match the cursor type: TIMESTAMP_TZ at +00:00 for an instant, TIMESTAMP_NTZ wall time otherwise', () => {
    const start = new Date(Date.UTC(2024, 5, 1));
    expect(snowflake.timestampLiteral(start, true)).toBe("TO_TIMESTAMP_TZ('2024-06-01 00:00:00.000 +00:00', 'YYYY-MM-DD HH24:MI:SS.FF3 TZH:TZM')");
    expect(snowflake.timestampLiteral(start, false)).toBe("TO_TIMESTAMP_NTZ('2024-06-01 00:00:00.000', 'YYYY-MM-DD HH24:MI:SS.FF3')");
    expect(snowflake.isZonedTimestamp('TIMESTAMP_TZ')).toBe(true);
    expect(snowflake.isZonedTimestamp('TIMESTAMP_LTZ(6)')).toBe(true);
    expect(snowflake.isZonedTimestamp('TIMESTAMP_NTZ')).toBe(false);
    expect(snowflake.isZonedTimestamp('TIMESTAMP')).toBe(false);
    expect(snowflake.wallTimeToInstant('x', 'Europe/Berlin')).toBe("TO_TIMESTAMP_TZ(DATE_PART(EPOCH_MICROSECOND, CONVERT_TIMEZONE('Europe/Berlin', 'UTC', x)), 6)");
    expect(snowflake.instantToWallTime('x', 'Europe/Berlin')).toBe("CAST(CONVERT_TIMEZONE('Europe/Berlin', x) AS TIMESTAMP_NTZ)");
  });

  test('type names: synonyms are the same type', () => {
    expect(snowflake.sameType('INT', 'NUMBER(38,0)')).toBe(true);
    expect(snowflake.sameType('NUMBER', 'DECIMAL(38, 0)')).toBe(true);
    expect(snowflake.sameType('TEXT', 'VARCHAR(16777216)')).toBe(true);
    expect(snowflake.sameType('TIMESTAMP', 'TIMESTAMP_NTZ(9)')).toBe(true);
    expect(snowflake.sameType('TIMESTAMP_TZ', 'TIMESTAMP_NTZ')).toBe(false);
    expect(snowflake.sameType('VARCHAR(20)', 'VARCHAR')).toBe(false);
  });
});

describe('Snowflake introspection', () => {
  /** INFORMATION_SCHEMA as a stub: the statements are answered from canned rows, the binds recorded. */
  function stub(tables: Row[], columns: Row[]): Connection & { binds: unknown[][] } {
    const binds: unknown[][] = [];
    return {
      binds,
      async query(sql: string, params?: unknown[]) {
        binds.push(params ?? []);
        return /INFORMATION_SCHEMA\.TABLES/.test(sql) ? tables : columns;
      },
      execute: async () => 0,
      close: async () => undefined,
    } as Connection & { binds: unknown[][] };
  }
  const columns: Row[] = [
    { column_name: 'ID', data_type: 'NUMBER', is_nullable: 'NO', char_length: null, numeric_precision: '38', numeric_scale: '0', datetime_precision: null },
    { column_name: 'CreatedAt', data_type: 'TIMESTAMP_NTZ', is_nullable: 'YES', char_length: null, numeric_precision: null, numeric_scale: null, datetime_precision: '9' },
    { column_name: 'AMOUNT', data_type: 'NUMBER', is_nullable: 'YES', char_length: null, numeric_precision: '12', numeric_scale: '2', datetime_precision: null },
    { column_name: 'NOTE', data_type: 'TEXT', is_nullable: 'YES', char_length: '16777216', numeric_precision: null, numeric_scale: null, datetime_precision: null },
    { column_name: 'CODE', data_type: 'TEXT', is_nullable: 'YES', char_length: '3', numeric_precision: null, numeric_scale: null, datetime_precision: null },
    { column_name: 'SEEN', data_type: 'TIMESTAMP_TZ', is_nullable: 'YES', char_length: null, numeric_precision: null, numeric_scale: null, datetime_precision: '6' },
  ];

  test("a config's `orders` finds ORDERS, with names and types as stored, and no (unenforced) keys", async () => {
    const conn = stub([{ schema_name: 'ERP', table_name: 'ORDERS', table_type: 'BASE TABLE' }], columns);
    const info = await introspectSnowflake(conn, { schema: 'erp', name: 'orders' });
    expect(conn.binds[0]).toEqual(['orders', 'erp']);
    expect(conn.binds[1]).toEqual(['ERP', 'ORDERS']);
    expect(info).toEqual({
      ref: { schema: 'ERP', name: 'ORDERS' },
      kind: 'table',
      columns: [
        { name: 'ID', type: 'NUMBER(38,0)', nullable: false },
        { name: 'CreatedAt', type: 'TIMESTAMP_NTZ', nullable: true },
        { name: 'AMOUNT', type: 'NUMBER(12,2)', nullable: true },
        { name: 'NOTE', type: 'VARCHAR', nullable: true },
        { name: 'CODE', type: 'VARCHAR(3)', nullable: true },
        { name: 'SEEN', type: 'TIMESTAMP_TZ(6)', nullable: true },
      ],
      uniqueKeys: [],
    });
  });

  test('a quoted lower-case table is taken when the config spells it so; otherwise the upper-case one, as Snowflake resolves', async () => {
    const both = [
      { schema_name: 'ERP', table_name: 'ORDERS', table_type: 'BASE TABLE' },
      { schema_name: 'ERP', table_name: 'orders', table_type: 'VIEW' },
    ];
    expect((await introspectSnowflake(stub(both, []), { schema: 'ERP', name: 'orders' }))?.ref.name).toBe('orders');
    expect((await introspectSnowflake(stub(both, []), { schema: 'ERP', name: 'Orders' }))?.ref.name).toBe('ORDERS');
    expect(await introspectSnowflake(stub([], []), { name: 'missing' })).toBeUndefined();
  });
});
