import { writeConfig } from './config';
import type { BenchDatabase } from './database';
import { targetDdl } from './generate';
import { runCliOk } from './measure';
import type { Report } from './report';

/**
 * Step g: what keeping pre-images for migrate undo costs the backfill (issue 16). The same backfill into fresh
 * targets with and without backfill.keep_preimages: empty (the goal, ≤ 10%: nothing is replaced, and fresh windows
 * keep nothing one by one), and holding an older version of 10% of the keys (each slice then copies the rows it
 * replaces and lists the keys it inserts). Each pair runs back to back, so load on the machine skews both alike.
 */
export async function measurePreimageCost(db: BenchDatabase, report: Report, dir: string): Promise<void> {
  const empty = await pair(db, report, dir, 'empty', false);
  report.add('preimage_cost_empty', 'pre-images: backfill / --no-keep-preimages, empty target', empty, 'x', { op: '<=', limit: 1.1 });
  const tenth = await pair(db, report, dir, 'tenth', true);
  report.add('preimage_cost_10pct', 'pre-images: backfill / --no-keep-preimages, 10% of keys pre-existing (older)', tenth, 'x');
}

/** Backfills two fresh targets, without pre-images then with; returns with / without. */
async function pair(db: BenchDatabase, report: Report, dir: string, name: string, seedTenth: boolean): Promise<number> {
  const seconds: Record<'off' | 'on', number> = { off: 0, on: 0 };
  for (const mode of ['off', 'on'] as const) {
    const id = `orders_pre_${name}_${mode}`;
    const target = `dlt_schema.${id}`;
    await db.use(async (c) => {
      await c.execute(targetDdl(target, db.engine));
      // An older version of every 10th key: the backfill replaces each.
      if (seedTenth) {
        await c.execute(`INSERT INTO ${target} (id, customer_id, created_at, updated_at, total, status, note, _dlt_load_id, _dlt_id)
SELECT id, customer_id, created_at, created_at - INTERVAL '1' DAY, total + 1, status, note, '1600000000.1', 'seed' FROM legacy_schema.orders WHERE id % 10 = 0`);
      }
    });
    const config = writeConfig(dir, `migrate-${id}.yaml`, db.engine, db.connection, [{ id, legacy: 'legacy_schema.orders', target, view: `analytics.${id}` }]);
    await runCliOk(['stitch', '-c', config]);
    report.say(`backfill --all ${mode === 'off' ? '--no-keep-preimages ' : ''}(target ${name === 'empty' ? 'empty' : 'holding 10% of the keys'}) …`);
    const run = await runCliOk(['backfill', '--all', ...(mode === 'off' ? ['--no-keep-preimages'] : []), '-c', config]);
    seconds[mode] = run.seconds;
    report.add(`backfill_pre_${name}_${mode}_s`, `backfill, target ${name}, pre-images ${mode}`, run.seconds, 's');
    await db.use(async (c) => {
      await c.execute(`DROP VIEW analytics.${id}`);
      await c.execute(`DROP TABLE ${target}`);
      await c.execute(`DROP TABLE _migrate.${id}__preimages`).catch(() => undefined);
    });
  }
  return seconds.on / seconds.off;
}
