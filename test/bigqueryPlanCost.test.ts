import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatBytes, ON_DEMAND_USD_PER_TIB } from '../src/backfill/preflight';
import { type BigQueryFake, type ScriptedAnswer, startBigQueryFake } from './helpers/bigqueryFake';
import { startCli } from './helpers/processes';
import { cleanup, tempDir } from './helpers/warehouse';

/**
 * `migrate backfill --plan` on BigQuery, end to end: the CLI, through @google-cloud/bigquery, against the local
 * recording server (test/helpers/bigqueryFake.ts), which answers the command's reads from a small scripted
 * warehouse (a stitched orders table, 1,200 legacy rows over three months) and each dry run with what the
 * statement would read (a MERGE 3 GiB, anything else 10 MiB). The plan must print each window's bytes as the sum of
 * its statements' dry runs, the total and its on-demand price, and the cap each slice runs under, and must run
 * nothing but reads and dry runs.
 */
const COLUMNS: Array<[string, string]> = [['column_name', 'STRING'], ['data_type', 'STRING'], ['is_nullable', 'STRING']];
const TABLES: Array<[string, string]> = [['table_name', 'STRING'], ['table_type', 'STRING']];
const WINDOW_ROWS = { '2024-01': '400', '2024-02': '500', '2024-03': '300' };

const WAREHOUSE: ScriptedAnswer[] = [
  { match: /`dw`\.INFORMATION_SCHEMA\.TABLES[\s\S]*-- binds: orders_v$/, fields: TABLES, rows: [['orders_v', 'VIEW']] },
  { match: /`(erp|dlt)`\.INFORMATION_SCHEMA\.TABLES[\s\S]*-- binds: orders$/, fields: TABLES, rows: [['orders', 'BASE TABLE']] },
  // The state schema's ledger tables exist (a stitched table), and hold nothing for this table but its phase.
  { match: /`_migrate`\.INFORMATION_SCHEMA\.TABLES/, fields: TABLES, rows: [['ledger', 'BASE TABLE']] },
  { match: /INFORMATION_SCHEMA\.TABLES/, fields: TABLES, rows: [] },
  { match: /INFORMATION_SCHEMA\.SCHEMATA/, fields: [['present', 'INT64']], rows: [['1']] },
  { match: /`erp`\.INFORMATION_SCHEMA\.COLUMNS/, fields: COLUMNS, rows: [['id', 'INT64', 'NO'], ['created_at', 'TIMESTAMP', 'YES'], ['status', 'STRING', 'YES']] },
  {
    match: /`dlt`\.INFORMATION_SCHEMA\.COLUMNS/,
    fields: COLUMNS,
    rows: [['id', 'INT64', 'NO'], ['created_at', 'TIMESTAMP', 'YES'], ['status', 'STRING', 'YES'], ['_dlt_load_id', 'STRING', 'NO'], ['_dlt_id', 'STRING', 'NO']],
  },
  { match: /FROM `_migrate`\.table_phases/, fields: [['phase', 'STRING'], ['archive_name', 'STRING']], rows: [['stitched', null]] },
  { match: /FROM `_migrate`\.\w+ WHERE/, fields: [['none', 'STRING']], rows: [] },
  {
    match: /AS total_rows/,
    fields: [['total_rows', 'INT64'], ['null_cursor_rows', 'INT64'], ['null_key_rows', 'INT64'], ['min_cursor', 'TIMESTAMP'], ['max_cursor', 'TIMESTAMP']],
    // 2024-01-01 and 2024-03-31 (UTC), in microseconds.
    rows: [['1200', '0', '0', '1704067200000000', '1711843200000000']],
  },
  { match: /AS duplicate_keys/, fields: [['duplicate_keys', 'INT64'], ['rows_with_duplicate_keys', 'INT64'], ['tied_keys', 'INT64']], rows: [['0', '0', '0']] },
  { match: /AS window_key, count\(\*\) AS legacy_rows/, fields: [['window_key', 'STRING'], ['legacy_rows', 'INT64']], rows: Object.entries(WINDOW_ROWS) },
];

describe('backfill --plan on BigQuery, through the SDK against the local fake', () => {
  let fake: BigQueryFake;
  let dir: string;
  let config: string;
  beforeAll(async () => {
    fake = await startBigQueryFake({ answers: WAREHOUSE });
    dir = tempDir('theseus-bq-plan-');
    config = path.join(dir, 'migrate.yaml');
    const table = `tables:
  orders:
    legacy: erp.orders
    target: dlt.orders
    view: dw.orders_v
    key: id
    cursor: created_at
`;
    fs.writeFileSync(config, `dialect: bigquery\nconnection:\n  project: proj\n  location: EU\n  api_endpoint: "${fake.url}"\n  access_token: test-token\n${table}`);
    fs.writeFileSync(path.join(dir, 'capped.yaml'), `${fs.readFileSync(config, 'utf8')}backfill:\n  max_bytes_billed: 50 GiB\n`);
  });
  afterAll(async () => {
    await fake?.close();
    cleanup(dir);
  });

  const plan = async (file: string) => {
    const before = fake.requests.length;
    const run = startCli(['backfill', '--all', '--plan', '--config', file]);
    const { code } = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr(), jobs: fake.requests.slice(before).filter((r) => r.method === 'POST' && r.body?.configuration?.query) };
  };

  it("prints each window's bytes as the sum of its statements' dry runs, the total and its price, and the cap; it runs only reads and dry runs", async () => {
    const r = await plan(config);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const dryRuns = r.jobs.filter((j) => j.body.configuration.dryRun === true);
    const run = r.jobs.filter((j) => j.body.configuration.dryRun !== true).map((j) => String(j.body.configuration.query.query));
    // Nothing that writes ran for real: every statement run was a read (and the session's zone and end).
    expect(run.filter((q) => !/^(SELECT|WITH|CALL BQ\.ABORT_SESSION|SET @@time_zone)\b/.test(q))).toEqual([]);
    // Per window: one MERGE (3 GiB) and its other statements (10 MiB each), as the fake answered their dry runs.
    const merges = dryRuns.filter((j) => /^MERGE INTO `dlt`\.`orders`/.test(j.body.configuration.query.query));
    expect(merges).toHaveLength(3);
    const perWindow = dryRuns.length / 3;
    expect(Number.isInteger(perWindow)).toBe(true);
    const windowBytes = 3 * 1024 ** 3 + (perWindow - 1) * 10 * 1024 ** 2;
    const lines = r.stdout.split('\n');
    expect(lines).toContain('orders: 3 windows to run, 1,200 legacy rows');
    for (const [window, rows] of Object.entries(WINDOW_ROWS)) {
      expect(lines).toContain(`  ${window.padEnd(12)} ${`${rows} rows`.padStart(17)}   ${formatBytes(windowBytes).padStart(10)} read`);
    }
    const total = 3 * windowBytes;
    expect(lines).toContain(
      `  bytes: ${formatBytes(total)} read in all (dry runs of each slice's statements), about $${((total / 1024 ** 4) * ON_DEMAND_USD_PER_TIB).toFixed(2)} at $${ON_DEMAND_USD_PER_TIB} per TiB on demand; capacity pricing bills slots instead`,
    );
    expect(lines).toContain("  cap: each slice's MERGE is refused unbilled above 1.2 times its own dry run (set backfill.max_bytes_billed for a fixed cap)");
    // The dry runs carry the run's labels like any job, so even the estimate shows in INFORMATION_SCHEMA.JOBS.
    expect(merges[0].body.configuration.labels).toMatchObject({ tool: 'theseus', command: 'backfill' });
  });

  it('with backfill.max_bytes_billed, the plan names that cap', async () => {
    const r = await plan(path.join(dir, 'capped.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  cap: each slice's MERGE is refused unbilled above 50.0 GiB (backfill.max_bytes_billed)");
  });
});
