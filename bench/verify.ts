import type { BenchDatabase } from './database';
import { writeConfig } from './config';
import { targetDdl } from './generate';
import { runCliOk, timed } from './measure';
import type { Report } from './report';

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
  report.say('verify …');
  const run = await runCliOk(['verify', '-c', config]);
  report.add('verify_s', 'verify, nothing different', run.seconds, 's');
  report.add('verify_ratio', 'verify / count(*) of both', run.seconds / counts, 'x', { op: '<=', limit: 5 });
  if (!/verified: every legacy row is in the target/.test(run.stdout)) throw new Error(`verify did not report the table verified:\n${run.stdout}`);
}

/**
 * Step f: what validating each window as it is merged costs. The same
 * backfill into a second empty target with --no-validate; the ratio is the
 * validated backfill (step b) over this one.
 */
export async function measureValidationCost(db: BenchDatabase, report: Report, dir: string, validatedSeconds: number): Promise<void> {
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
  // The second copy is not needed afterwards; the dry run at scale comes next and needs the disk.
  await db.use(async (c) => {
    await c.execute('DROP VIEW analytics.orders_unvalidated');
    await c.execute(`DROP TABLE ${target}`);
  });
}
