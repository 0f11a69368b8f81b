import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeConfig, type TableSpec } from './config';
import { createDatabase } from './database';
import { createLegacy, createSchemas, targetDdl } from './generate';
import { runCliOk } from './measure';
import type { Report } from './report';
import type { BenchSettings, EngineName } from './settings';

/**
 * Step e: planning cost, not data volume. Many tables of many months with a
 * row per month: `backfill --all --dry-run` plans every window of every table
 * and prints it, which a DBA review of a real migration does. It runs in a
 * database of its own, so the main one's ledger is not mixed with 50 tables.
 */
export async function measureDryRunScale(engine: EngineName, settings: BenchSettings, dir: string, report: Report): Promise<void> {
  const { dryTables: count, dryMonths: months } = settings;
  const db = await createDatabase(engine, 'theseus_bench_dry', dir, settings);
  try {
    const tables: TableSpec[] = [];
    await db.use(async (c) => {
      await createSchemas(c);
      for (let n = 1; n <= count; n++) {
        const name = `orders_${String(n).padStart(3, '0')}`;
        await createLegacy(c, engine, 'legacy_schema', name, months, months); // one row per month
        await c.execute(targetDdl(`dlt_schema.${name}`, engine));
        tables.push({ id: name, legacy: `legacy_schema.${name}`, target: `dlt_schema.${name}`, view: `analytics.${name}` });
      }
    });
    const config = writeConfig(dir, 'migrate-dry.yaml', engine, db.connection, tables);
    const stitch = await runCliOk(['stitch', '-c', config]);
    report.add('dry_stitch_s', `stitch ${count} tables`, stitch.seconds, 's');

    // migrate prints no timing of its own, so Node's start-up and module loading are measured apart, for context.
    const startup = await runCliOk(['--help']);
    report.add('cli_startup_s', 'CLI start-up (migrate --help)', startup.seconds, 's');

    const out = path.join(dir, 'dry-run.sql');
    fs.rmSync(out, { force: true });
    const run = await runCliOk(['backfill', '--all', '--dry-run', '--out', out, '-c', config]);
    report.add('dry_run_s', `dry run ${count}x${months} windows`, run.seconds, 's', { op: '<', limit: 1 });

    // Writes name the target (dlt_schema); the ledger's own INSERTs name _migrate and are not counted. Each window
    // has two: the fresh window's plain INSERT and the upsert, each guarded by the state the slice records.
    const sql = fs.readFileSync(out, 'utf8');
    const writes = sql.split('\n').filter((line) => /^(MERGE INTO|INSERT INTO)\s+[`"]?dlt_schema[`"]?\./i.test(line)).length;
    const expected = 2 * count * months;
    report.add('dry_run_upserts', `writes into the targets in --out (expect ${expected})`, writes, 'statements');
    report.add('dry_run_out_bytes', 'size of --out', Buffer.byteLength(sql), 'bytes');
    if (writes === 0) throw new Error(`the dry run's --out (${out}) holds no upsert into dlt_schema`);
    if (writes !== expected) report.note('dry_run_upserts', `expected ${expected}`);
  } finally {
    await db.drop();
  }
}
