import { writeConfig } from './config';
import type { BenchDatabase } from './database';
import { targetDdl } from './generate';
import { runCliOk } from './measure';
import type { Report } from './report';

/**
 * Step h: the staging strategy against a direct backfill (issue 17). Into fresh empty targets, back to back: a direct
 * backfill --all; then a staging backfill --all (legacy into the staging table) and a promote --all (the staging
 * table into the target). Reported: promote / direct (what moving the staged windows in costs, each validated
 * against legacy as a direct slice is) and staging + promote / direct (the whole staged path). No goal is set.
 */
export async function measureStagingCost(db: BenchDatabase, report: Report, dir: string): Promise<void> {
  const direct = await backfillInto(db, report, dir, 'orders_direct', async (config) => ({ backfill: (await runCliOk(['backfill', '--all', '-c', config])).seconds }));
  const staged = await backfillInto(db, report, dir, 'orders_staged', async (config) => ({
    stage: (await runCliOk(['backfill', '--all', '--strategy', 'staging', '-c', config])).seconds,
    promote: (await runCliOk(['promote', '--all', '-c', config])).seconds,
  }));
  report.add('direct_backfill_s', 'direct backfill --all, empty target', direct.backfill, 's');
  report.add('staging_backfill_s', 'staging backfill --all (into the staging table)', staged.stage, 's');
  report.add('promote_s', 'promote --all (staging table into the empty target)', staged.promote, 's');
  report.add('promote_vs_direct', 'promote / direct backfill', staged.promote / direct.backfill, 'x');
  report.add('staging_path_vs_direct', '(staging backfill + promote) / direct backfill', (staged.stage + staged.promote) / direct.backfill, 'x');
}

async function backfillInto<T>(db: BenchDatabase, report: Report, dir: string, id: string, body: (config: string) => Promise<T>): Promise<T> {
  const target = `dlt_schema.${id}`;
  await db.use((c) => c.execute(targetDdl(target, db.engine)));
  const config = writeConfig(dir, `migrate-${id}.yaml`, db.engine, db.connection, [{ id, legacy: 'legacy_schema.orders', target, view: `analytics.${id}` }]);
  await runCliOk(['stitch', '-c', config]);
  report.say(`${id}: backfill …`);
  const result = await body(config);
  await db.use(async (c) => {
    await c.execute(`DROP VIEW analytics.${id}`);
    await c.execute(`DROP TABLE ${target}`);
    for (const extra of [`${id}__preimages`, `${id}__backfill`]) await c.execute(`DROP TABLE _migrate.${extra}`).catch(() => undefined);
  });
  return result;
}
