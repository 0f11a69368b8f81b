import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliPath } from '../src/packageRoot';
import { measureBackfill, measureRerun } from './backfill';
import { measureBaseline } from './baseline';
import { writeConfig } from './config';
import { type BenchDatabase, createDatabase } from './database';
import { measureDryRunScale } from './dryRunScale';
import { measureMergeLoop } from './mergeLoop';
import { createOrdersDataset } from './generate';
import { REPO_ROOT, timed } from './measure';
import { Report, summaryTable } from './report';
import { type BenchSettings, type EngineName, readSettings } from './settings';
import { measureViewScan } from './viewScan';
import { measureValidationCost, measureVerify } from './verify';
import { measurePreimageCost } from './preimages';
import { measureStagingCost } from './staging';

/**
 * `npm run bench`: for each engine, generate the orders, measure the copy
 * baseline, backfill, rerun, verify, mixed-phase view scan, what validating
 * as it goes costs the backfill, what keeping pre-images for undo costs it, the staging strategy's
 * backfill and promote against a direct backfill, and the dry run at scale,
 * and write bench/results/<date>-<engine>.json. A missed target is reported,
 * not fatal; a step that errors ends that engine's run and the exit code is 1.
 *
 * Environment: BENCH_ENGINES (postgres,mysql,duckdb; mariadb is mysql), BENCH_ROWS (5000000),
 * BENCH_MONTHS (60), BENCH_DRY_TABLES (50), BENCH_DRY_MONTHS (120),
 * BENCH_POSTGRES_URL (postgres://root@127.0.0.1:5432/postgres; the bench
 * creates and drops its databases theseus_bench and theseus_bench_dry there), BENCH_MYSQL_URL
 * (mysql://root@127.0.0.1:3306; MariaDB, whose sequence engine generates the rows; there a schema is a
 * database, so legacy_schema, dlt_schema, analytics and _migrate are the server's, dropped before and after),
 * BENCH_DUCKDB_MEMORY_MB (512), BENCH_ONLY=staging (the staging step alone).
 */
async function benchEngine(engine: EngineName, settings: BenchSettings): Promise<Report> {
  const report = new Report(engine, settings);
  // A fixed folder per engine, emptied first, so an interrupted run's files never pile up.
  const dir = path.join(os.tmpdir(), `theseus-bench-${engine}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  let db: BenchDatabase | undefined;
  try {
    db = await createDatabase(engine, 'theseus_bench', dir, settings);
    report.machine.engine_version = await db.serverVersion();
    report.say(`${report.machine.engine_version}; ${settings.rows.toLocaleString('en-US')} rows over ${settings.months} months`);
    const load = os.loadavg()[0];
    if (load > os.cpus().length / 2) report.say(`warning: load average ${load.toFixed(2)} on ${os.cpus().length} cores: other work will skew these figures`);

    const generated = await timed(() => db!.use((c) => createOrdersDataset(c, engine, settings.rows, settings.months)));
    report.add('generate_s', 'generate legacy + target', generated.seconds, 's');
    const config = writeConfig(dir, 'migrate.yaml', engine, db.connection, [
      { id: 'orders', legacy: 'legacy_schema.orders', target: 'dlt_schema.orders', view: 'analytics.orders' },
    ]);

    // BENCH_ONLY=staging: the staging step alone (after generating the rows), to measure it again without the rest.
    if (process.env.BENCH_ONLY === 'staging') await measureStagingCost(db, report, dir);
    else await measureAll(db, report, dir, config, settings);
  } catch (err) {
    report.error = err instanceof Error ? err.message : String(err);
    report.say(`ERROR: ${report.error}`);
  } finally {
    await db?.drop().catch((err: Error) => report.say(`could not drop the bench database: ${err.message}`));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report.say(`results: ${path.relative(REPO_ROOT, report.write())}`);
  return report;
}

/** Every step of the bench, in order (bench/*.ts), once the rows are generated. */
async function measureAll(db: BenchDatabase, report: Report, dir: string, config: string, settings: BenchSettings): Promise<void> {
  const engine = report.engine;
  const baseline = await measureBaseline(db, report, settings.rows);
  const first = await measureBackfill(db, report, config, settings.rows, baseline);
  await measureMergeLoop(db, report, settings.months, first);
  await measureRerun(db, report, config, first);
  await measureVerify(db, report, config);
  await measureViewScan(db, report, dir, settings.months);
  await measureValidationCost(db, report, dir, first, baseline);
  await measurePreimageCost(db, report, dir);
  await measureStagingCost(db, report, dir);
  await measureDryRunScale(engine, settings, dir, report);
}

async function main(): Promise<void> {
  const settings = readSettings();
  if (!fs.existsSync(cliPath())) throw new Error(`${cliPath()} is missing: run \`npm run build\` first`);
  const reports: Report[] = [];
  for (const engine of settings.engines) reports.push(await benchEngine(engine, settings));
  process.stdout.write(`\n${summaryTable(reports)}\n`);
  if (reports.some((r) => r.error !== undefined)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
