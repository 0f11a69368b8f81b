import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runStitch } from '../src/commands/stitch';
import { type FakeTable, type SnowflakeFake, startSnowflakeFake } from './helpers/snowflakeFake';

/**
 * `migrate stitch --dry-run` on Snowflake, end to end: the config, the real
 * snowflake-sdk, introspection through INFORMATION_SCHEMA (answered by the
 * local fake from a small catalog), the planner and the printed plan. Proves
 * the command runs and writes nothing; the SQL itself is pinned by
 * snowflakeGolden.test.ts. (backfill's dry run reads the ledger's phase, which
 * the fake does not keep: that needs --catalog.)
 */
const catalog: FakeTable[] = [
  {
    schema: 'ERP',
    name: 'ORDERS',
    columns: [
      { name: 'ID', dataType: 'NUMBER', precision: 19, scale: 0, nullable: false },
      { name: 'CreatedAt', dataType: 'TIMESTAMP_NTZ', datetimePrecision: 6 },
      { name: 'UPDATED_AT', dataType: 'TIMESTAMP_NTZ', datetimePrecision: 6 },
      { name: 'ORDER_TOTAL', dataType: 'NUMBER', precision: 12, scale: 2 },
    ],
  },
  {
    schema: 'DLT',
    name: 'ORDERS',
    columns: [
      { name: 'ID', dataType: 'NUMBER', precision: 19, scale: 0, nullable: false },
      { name: 'CREATED_AT', dataType: 'TIMESTAMP_TZ', datetimePrecision: 6 },
      { name: 'UPDATED_AT', dataType: 'TIMESTAMP_TZ', datetimePrecision: 6 },
      { name: 'TOTAL', dataType: 'NUMBER', precision: 12, scale: 2 },
      { name: '_DLT_LOAD_ID', dataType: 'TEXT', nullable: false },
      { name: '_DLT_ID', dataType: 'TEXT', nullable: false },
    ],
  },
];

describe('migrate stitch --dry-run on Snowflake, through the real SDK and a local fake', () => {
  let fake: SnowflakeFake;
  let dir: string;
  beforeAll(async () => {
    fake = await startSnowflakeFake({ catalog });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'theseus-sf-'));
  });
  afterAll(async () => {
    await fake?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('prints the plan (COPY GRANTS view, NOT ATOMIC DDL) and sends the warehouse nothing but session setup and reads', async () => {
    const config = path.join(dir, 'migrate.yaml');
    // Lower-case names, as people write them: introspection finds ERP.ORDERS and DLT.ORDERS.
    fs.writeFileSync(
      config,
      `dialect: snowflake
connection:
  account: fakeacct
  username: migrator
  password: \${SF_PASSWORD}
  access_url: "${fake.url}"
  warehouse: WH
  database: DB
  schema: MIG
tables:
  orders:
    legacy: erp.orders
    target: dlt.orders
    view: DW.ORDERS_V
    key: id
    cursor: created_at
    updated_at: updated_at
    columns:
      total: { from: order_total }
`,
    );
    const printed: string[] = [];
    const logged: string[] = [];
    await runStitch({ config, dryRun: true, print: (t) => printed.push(t), log: (l) => logged.push(l), warn: (l) => logged.push(l), env: { SF_PASSWORD: 'secret', THESEUS_NOW: '1732262400.25' } });
    const plan = printed.join('');
    expect(plan).toContain('-- Theseus 0.1.0: migrate stitch (snowflake)');
    expect(plan).toContain('CREATE OR REPLACE VIEW "DW"."ORDERS_V" COPY GRANTS AS');
    expect(plan).toContain('FROM "ERP"."ORDERS"');
    expect(plan).toContain('"ORDER_TOTAL" AS "TOTAL"');
    expect(plan).toContain('-- NOT ATOMIC on snowflake: DDL commits implicitly');
    expect(plan).toContain('MERGE INTO "_migrate".table_identity AS l');
    expect(plan).not.toContain('secret');
    const sent = fake.statements();
    expect(sent.filter((s) => !/^(ALTER SESSION SET|SELECT)\b/.test(s))).toEqual([]);
    expect(sent.some((s) => /INFORMATION_SCHEMA\.COLUMNS/.test(s))).toBe(true);
  });
});
