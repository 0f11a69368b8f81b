import { duckdb } from '../../dialects/duckdb';
import { ordersTableConfig } from '../helpers/tableConfig';
import { mysql, castTarget, mysqlStringLiteral } from '../../dialects/mysql';
import { postgres, postgresWithoutMerge } from '../../dialects/postgres';
import type { Dialect, TableInfo } from '../../dialects/types';
import { mergeSql } from '../../src/plan/backfill';
import { type BackfillPlan, planBackfill } from '../../src/plan/backfill';
import { LedgerWriter } from '../../src/ledger/writes';
import type { TableContext } from '../../src/plan/tableContext';
import { buildTableContext } from '../../src/plan/buildContext';
import { keyIndexUnit } from '../../src/plan/upsertStyle';
import { monthWindow, parseMonth } from '../../src/backfill/windows';
import { TEST_RUN } from '../helpers/testRun';

/**
 * The SQL each engine gets for one slice, generated offline (no driver, no
 * network): which upsert shape, and the details that make it correct.
 */
const table = ordersTableConfig({ updatedAt: 'updated_at' });

function context(dialect: Dialect, targetKeyed: boolean): TableContext {
  const legacy: TableInfo = {
    ref: table.legacy,
    kind: 'table',
    columns: [
      { name: 'Id', type: 'bigint', nullable: false },
      { name: 'CreatedAt', type: 'timestamp', nullable: true },
      { name: 'UpdatedAt', type: 'timestamp', nullable: true },
      { name: 'Status', type: 'varchar(20)', nullable: true },
    ],
    uniqueKeys: [['Id']],
  };
  const target: TableInfo = {
    ref: table.target,
    kind: 'table',
    columns: [
      { name: 'id', type: 'bigint', nullable: false },
      { name: 'created_at', type: 'timestamp', nullable: true },
      { name: 'updated_at', type: 'timestamp', nullable: true },
      { name: 'status', type: 'varchar(20)', nullable: true },
      { name: '_dlt_load_id', type: 'varchar(64)', nullable: false },
      { name: '_dlt_id', type: 'varchar(64)', nullable: false },
    ],
    uniqueKeys: targetKeyed ? [['id']] : [],
  };
  return buildTableContext({ table, dialect, legacy, target, dlt: { loadIds: [] }, stateSchema: '_migrate' });
}

const june = monthWindow(parseMonth('2024-06'));
/** The one window's merge unit of a backfill plan. */
const sliceOf = (plan: BackfillPlan) => plan.jobs[0].slice;

describe('the upsert each engine gets for a slice', () => {
  it('DuckDB: MERGE, newer wins and only when something differs', () => {
    const sql = mergeSql(context(duckdb, false), june, '1.5');
    expect(sql).toMatch(/^MERGE INTO "dlt"\."orders" AS t/);
    expect(sql).toContain('WHEN MATCHED AND (t."updated_at" IS NULL OR s."updated_at" >= t."updated_at") AND (t."created_at" IS DISTINCT FROM s."created_at"');
    expect(sql).toContain(`"CreatedAt" >= TIMESTAMP '2024-06-01 00:00:00' AND "CreatedAt" < TIMESTAMP '2024-07-01 00:00:00'`);
  });

  it('PostgreSQL 15+, no unique index on the key: MERGE, after locking out the target\'s writers', () => {
    const ctx = context(postgres, false);
    expect(ctx.upsert).toBe('merge');
    const work = sliceOf(planBackfill(ctx, new LedgerWriter(postgres, '_migrate', TEST_RUN), { windows: [june], nextLoadId: () => '1.5', phase: 'backfilling', completes: false, isComplete: async () => false, validate: true }));
    expect(work.steps[0].sql).toBe('LOCK TABLE "dlt"."orders" IN SHARE ROW EXCLUSIVE MODE');
    expect(work.steps.map((step) => step.sql).filter((sql) => /^MERGE INTO/.test(sql))).toHaveLength(1);
  });

  it("the view's census (no key twice) runs after a MERGE backfill only where the target declares no unique key on it", () => {
    const census = (ctx: TableContext) =>
      planBackfill(ctx, new LedgerWriter(ctx.dialect, '_migrate', TEST_RUN), { windows: [june], nextLoadId: () => '1.5', phase: 'backfilling', completes: false, isComplete: async () => false, validate: true })
        .after.flatMap((u) => u.steps)
        .some((step) => /keyed_rows/.test(step.sql));
    expect(context(duckdb, true).upsert).toBe('merge');
    expect(census(context(duckdb, true))).toBe(false);
    expect(census(context(duckdb, false))).toBe(true);
    expect(census(context(postgres, true))).toBe(false); // ON CONFLICT through the key's index
    expect(census(context(postgres, false))).toBe(true); // MERGE into a target without one
  });

  it('PostgreSQL 15+, key indexed: INSERT … ON CONFLICT (safe with live inserts), no table lock', () => {
    const ctx = context(postgres, true);
    expect(ctx.upsert).toBe('on_conflict');
    const work = sliceOf(planBackfill(ctx, new LedgerWriter(postgres, '_migrate', TEST_RUN), { windows: [june], nextLoadId: () => '1.5', phase: 'backfilling', completes: false, isComplete: async () => false, validate: true }));
    expect(work.steps.map((step) => step.sql).join('\n')).not.toContain('LOCK TABLE');
    const sql = mergeSql(ctx, june, '1.5');
    expect(sql).toMatch(/^INSERT INTO "dlt"\."orders" AS t \("id", "created_at", "updated_at", "status", "_dlt_load_id", "_dlt_id"\)/);
    expect(sql).toContain('ON CONFLICT ("id") DO UPDATE SET "created_at" = excluded."created_at"');
    expect(sql).toContain('WHERE (t."updated_at" IS NULL OR excluded."updated_at" >= t."updated_at") AND (t."created_at" IS DISTINCT FROM excluded."created_at"');
  });

  it('PostgreSQL 12–14: ON CONFLICT, and a refusal naming the index when the key has none', () => {
    const ctx = context(postgresWithoutMerge, false);
    expect(ctx.upsert).toBe('on_conflict');
    expect(() => keyIndexUnit(ctx, false)).toThrow(/needs a unique index on the key \(id\) of target dlt\.orders; it has none/);
    expect(keyIndexUnit(ctx, true)!.steps[0].sql).toBe('CREATE UNIQUE INDEX "orders__theseus_key" ON "dlt"."orders" ("id")');
    expect(keyIndexUnit(context(postgresWithoutMerge, true), false)).toBeUndefined();
  });

  it('MySQL/MariaDB: ON DUPLICATE KEY UPDATE with the load id first and updated_at last', () => {
    const sql = mergeSql(context(mysql, true), june, '1.5');
    expect(sql).toMatch(/^INSERT INTO `dlt`\.`orders` \(`id`, `created_at`, `updated_at`, `status`, `_dlt_load_id`, `_dlt_id`\)\nSELECT /);
    const assignments = sql.slice(sql.indexOf('ON DUPLICATE KEY UPDATE')).split('\n').slice(1).map((l) => l.trim().split(' ')[0]);
    expect(assignments).toEqual(['`_dlt_load_id`', '`created_at`', '`status`', '`updated_at`']);
    expect(sql).toContain('`status` = IF((`dlt`.`orders`.`updated_at` IS NULL OR VALUES(`updated_at`) >= `dlt`.`orders`.`updated_at`), VALUES(`status`), `dlt`.`orders`.`status`)');
    expect(sql).toContain('NOT (`dlt`.`orders`.`status` <=> VALUES(`status`))');
    expect(sql).not.toContain('NULLS LAST');
  });
});

describe('MySQL literals and casts', () => {
  it('a string holding a backslash is a hex literal, so NO_BACKSLASH_ESCAPES cannot change its meaning', () => {
    expect(mysqlStringLiteral("it's")).toBe("'it''s'");
    expect(mysqlStringLiteral('a\\b')).toBe("_utf8mb4 X'615c62'");
  });

  it.each([
    ['int(10) unsigned', 'UNSIGNED'],
    ['bigint', 'SIGNED'],
    ['decimal(12, 2)', 'DECIMAL(12,2)'],
    ['datetime(6)', 'DATETIME(6)'],
    ['timestamp', 'DATETIME'],
    ['varchar(40)', 'CHAR(40)'],
    ['double', 'DOUBLE'],
    ['json', 'CHAR'],
  ])('CAST target for %s is %s', (type, expected) => {
    expect(castTarget(type)).toBe(expected);
  });
});
