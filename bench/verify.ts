import type { BenchDatabase } from './database';
import { writeConfig } from './config';
import { targetDdl } from './generate';
import { runCliOk, timed } from './measure';
import type { Report } from './report';

/**
 * The least a checksum of both tables can cost: each row's compared columns through the engine's fastest hash,
 * summed, with no normalization (PostgreSQL hashes the row as a record; MariaDB CRC32s the joined text; DuckDB's
 * hash() takes the columns themselves).
 */
const COLUMNS = 'id, customer_id, created_at, updated_at, total, status, note';
const NATIVE_HASH_PASS: Record<BenchDatabase['engine'], (table: string) => string> = {
  postgres: (table) => `SELECT count(*), sum(hash_record_extended(ROW(${COLUMNS}), 0)) FROM ${table}`,
  mysql: (table) => `SELECT count(*), SUM(CRC32(CONCAT_WS('|', ${COLUMNS}))) FROM ${table}`,
  duckdb: (table) => `SELECT count(*), sum(hash(${COLUMNS})) FROM ${table}`,
};

/**
 * Step e: `migrate verify` over the fully backfilled table, with nothing
 * different, against the floor of reading both tables at all: a plain
 * count(*) of each (best of 3). verify is run as an operator runs it, a child
 * process, so Node's start-up is in its figure.
 */
export async function measureVerify(db: BenchDatabase, report: Report, config: string): Promise<void> {
  const counts = await db.use(async (c) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const { seconds } = await timed(async () => {
        await c.query('SELECT count(*) AS n FROM legacy_schema.orders');
        await c.query('SELECT count(*) AS n FROM dlt_schema.orders');
      });
      best = Math.min(best, seconds);
    }
    return best;
  });
  report.add('count_both_s', 'count(*) of legacy + target (best of 3)', counts, 's');
  const hashed = await db.use(async (c) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const { seconds } = await timed(async () => {
        for (const table of ['legacy_schema.orders', 'dlt_schema.orders']) await c.query(NATIVE_HASH_PASS[db.engine](table));
      });
      best = Math.min(best, seconds);
    }
    return best;
  });
  report.add('native_hash_both_s', "one pass of the engine's own hash over both tables (best of 3)", hashed, 's');
  report.say('verify …');
  const run = await runCliOk(['verify', '-c', config]);
  report.add('verify_s', 'verify, nothing different', run.seconds, 's');
  report.add('verify_vs_hash_pass', 'verify / native hash pass', run.seconds / hashed, 'x', { op: '<=', limit: 1.25 });
  // DuckDB answers count(*) from its metadata: no baseline there (issue 15).
  report.add('verify_ratio', 'verify / count(*) of both', run.seconds / counts, 'x', db.engine === 'duckdb' ? undefined : { op: '<=', limit: 8 });
  if (!/verified: every legacy row is in the target/.test(run.stdout)) throw new Error(`verify did not report the table verified:\n${run.stdout}`);
}

/**
 * Step f: what validating each window as it is merged costs. The same
 * backfill into a second empty target with --no-validate; the ratio is the
 * validated backfill (step b) over this one.
 */
export async function measureValidationCost(db: BenchDatabase, report: Report, dir: string, validatedSeconds: number, baselineSeconds: number): Promise<void> {
  const target = 'dlt_schema.orders_unvalidated';
  await db.use((c) => c.execute(targetDdl(target, db.engine)));
  const config = writeConfig(dir, 'migrate-unvalidated.yaml', db.engine, db.connection, [
    { id: 'orders_unvalidated', legacy: 'legacy_schema.orders', target, view: 'analytics.orders_unvalidated' },
  ]);
  await runCliOk(['stitch', '-c', config]);
  report.say('backfill --all --no-validate (into a second target) …');
  const run = await runCliOk(['backfill', '--all', '--no-validate', '-c', config]);
  report.add('backfill_unvalidated_s', 'backfill --all --no-validate', run.seconds, 's');
  report.add('validation_cost_ratio', 'backfill / backfill --no-validate', validatedSeconds / run.seconds, 'x');
  report.add('unvalidated_ratio', 'backfill --no-validate / baseline', run.seconds / baselineSeconds, 'x', { op: '<=', limit: 1.25 });
  // The second copy is not needed afterwards; the dry run at scale comes next and needs the disk.
  await db.use(async (c) => {
    await c.execute('DROP VIEW analytics.orders_unvalidated');
    await c.execute(`DROP TABLE ${target}`);
  });
}
