import * as fs from 'node:fs';
import * as path from 'node:path';
import { bigquery } from '../dialects/bigquery';
import type { TableInfo } from '../dialects/types';
import { monthWindow, parseMonth } from '../src/backfill/windows';
import { LedgerWriter } from '../src/ledger/writes';
import { packageRoot } from '../src/packageRoot';
import { planBackfill } from '../src/plan/backfill';
import { buildTableContext } from '../src/plan/buildContext';
import { planStitch } from '../src/plan/stitch';
import type { TableContext } from '../src/plan/tableContext';
import { dayTotalsSql, verifySpec } from '../src/plan/verify';
import { ordersTableConfig } from './helpers/tableConfig';
import { TEST_RUN } from './helpers/testRun';

/**
 * Golden SQL for BigQuery: the key statements rendered through the real planners and templates, offline,
 * compared byte for byte with fixtures/golden/bigquery/*.sql. They pin what the analyzer does not judge:
 * quoting (backticks, names as stored), the literals' kinds, and the shapes chosen for BigQuery. After a
 * deliberate change, review the diff and rewrite them with UPDATE_GOLDEN=1.
 */
const GOLDEN = path.join(packageRoot(), 'fixtures', 'golden', 'bigquery');

function expectGolden(name: string, sql: string): void {
  const file = path.join(GOLDEN, `${name}.sql`);
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, `${sql}\n`);
  expect(`${sql}\n`).toBe(fs.readFileSync(file, 'utf8'));
}

const table = ordersTableConfig({ legacy: { schema: 'erp', name: 'Orders' }, target: { schema: 'dlt', name: 'orders' }, view: { schema: 'dw', name: 'orders_v' }, updatedAt: 'updated_at' });
const legacy: TableInfo = {
  ref: { schema: 'erp', name: 'Orders' },
  kind: 'table',
  columns: [
    { name: 'id', type: 'INT64', nullable: false },
    { name: 'created_at', type: 'DATETIME', nullable: true },
    { name: 'updated_at', type: 'DATETIME', nullable: true },
    { name: 'status', type: 'STRING', nullable: true },
  ],
  uniqueKeys: [],
};
const target: TableInfo = {
  ref: { schema: 'dlt', name: 'orders' },
  kind: 'table',
  columns: [
    { name: 'id', type: 'INT64', nullable: false },
    { name: 'created_at', type: 'TIMESTAMP', nullable: true },
    { name: 'updated_at', type: 'TIMESTAMP', nullable: true },
    { name: 'status', type: 'STRING', nullable: true },
    { name: '_dlt_load_id', type: 'STRING', nullable: false },
    { name: '_dlt_id', type: 'STRING', nullable: false },
  ],
  uniqueKeys: [],
};
const context = (): TableContext => buildTableContext({ table, dialect: bigquery, legacy, target, dlt: { loadIds: [] }, stateSchema: '_migrate' });
const ledger = new LedgerWriter(bigquery, '_migrate', TEST_RUN);
const june = monthWindow(parseMonth('2024-06'));
const sliceJob = () => planBackfill(context(), ledger, { windows: [june], nextLoadId: () => '1717200000.5', phase: 'backfilling', completes: false, isComplete: async () => false, validate: true }).jobs[0];

describe('BigQuery golden SQL', () => {
  test('stitch: CREATE OR REPLACE VIEW, legacy DATETIME read as UTC TIMESTAMP, names in backticks as stored', () => {
    const unit = planStitch(context(), ledger, 'new');
    expect(unit.steps[0].sql).toBe('CREATE SCHEMA IF NOT EXISTS `dw`');
    expectGolden('stitched_view', unit.steps[1].sql);
    expect(unit.atomic).toBe(false);
    expect(unit.nonAtomic).toMatch(/^NOT ATOMIC on bigquery/);
  });

  test('a slice: one MERGE from a source de-duplicated by key, newer wins, its counts from dmlStats', () => {
    const step = sliceJob().slice.steps.find((s) => /^MERGE INTO `dlt`/.test(s.sql))!;
    expect(step.captureAs).toEqual({ inserted_row_count: 'to_insert', updated_row_count: 'upsert_updated' });
    expectGolden('slice_merge', step.sql);
    // The window bounds are DATETIME literals on legacy's DATETIME cursor: no TIMESTAMP_ADD by MONTH anywhere.
    expect(step.sql).toContain("DATETIME '2024-06-01 00:00:00'");
    expect(step.sql).not.toMatch(/TIMESTAMP_ADD/);
  });

  test('the ledger: windows registered by a MERGE over an array of structs (no VALUES in FROM), keys NOT ENFORCED', () => {
    expectGolden('ledger_slices_register', ledger.registerWindowsStep('orders', [june, monthWindow(parseMonth('2024-07'))]).sql);
    const ddl = ledger.ensureStateUnit().steps.map((s) => s.sql).join('\n');
    expect(ddl).toContain('PRIMARY KEY (table_name, window_key) NOT ENFORCED');
    expect(ddl).not.toMatch(/NOT NULL PRIMARY KEY/);
  });

  test("verify's fast pass: FARM_FINGERPRINT's XOR and modular sum per day, the rows without a key grouped apart", () => {
    expectGolden('verify_day_totals_target', dayTotalsSql(verifySpec(context()), 'target'));
  });

  test('quoting and literals: backticks with escapes, GoogleSQL strings with backslash escapes and no raw newline', () => {
    expect(bigquery.quoteIdent('Orders')).toBe('`Orders`');
    expect(bigquery.quoteIdent('a`b')).toBe('`a\\`b`');
    expect(bigquery.qualify({ schema: 'erp', name: 'Orders' })).toBe('`erp`.`Orders`');
    expect(bigquery.stringLiteral("O'Brien")).toBe("'O\\'Brien'");
    expect(bigquery.stringLiteral('\\N')).toBe("'\\\\N'");
    expect(bigquery.stringLiteral('a\nb')).toBe("'a\\nb'");
    const start = new Date(Date.UTC(2024, 5, 1));
    expect(bigquery.timestampLiteral(start, true)).toBe("TIMESTAMP '2024-06-01 00:00:00+00:00'");
    expect(bigquery.timestampLiteral(start, false)).toBe("DATETIME '2024-06-01 00:00:00'");
    expect(bigquery.wallTimeToInstant('x', 'Europe/Berlin')).toBe("TIMESTAMP(x, 'Europe/Berlin')");
    expect(bigquery.sameType('INT64', 'INTEGER')).toBe(true);
    expect(bigquery.sameType('NUMERIC', 'DECIMAL(38, 9)')).toBe(true);
    expect(bigquery.isZonedTimestamp('TIMESTAMP')).toBe(true);
    expect(bigquery.isZonedTimestamp('DATETIME')).toBe(false);
  });
});
