import type { BenchDatabase } from './database';
import { writeConfig } from './config';
import { ORDER_COLUMNS, targetDdl } from './generate';
import { runCliOk, timed } from './measure';
import type { Report } from './report';
import { monthKey } from './settings';

/**
 * Step d: what users pay for the stitched view mid-migration. With half the
 * months backfilled, the view must hide each legacy row whose key is already
 * in the target; a plain UNION ALL of the two tables (which counts those rows
 * twice) is the cost of reading both sides, the floor the view is held to.
 */
const AGGREGATE = 'count(*), sum(total), max(status), max(note), max(updated_at)';

export async function measureViewScan(db: BenchDatabase, report: Report, dir: string, months: number): Promise<void> {
  const target = 'dlt_schema.orders_half';
  await db.use((c) => c.execute(targetDdl(target, db.engine)));
  // A config of its own, so the main config's `backfill --all` never touches this table.
  const config = writeConfig(dir, 'migrate-half.yaml', db.engine, db.connection, [
    { id: 'orders_half', legacy: 'legacy_schema.orders', target, view: 'analytics.orders_half' },
  ]);
  const lastMonth = monthKey(Math.max(1, Math.floor(months / 2)) - 1);
  await runCliOk(['stitch', '-c', config]);
  report.say(`backfill --from 2021-01 --to ${lastMonth} -t orders_half …`);
  await runCliOk(['backfill', '--from', '2021-01', '--to', lastMonth, '-t', 'orders_half', '-c', config]);

  const viewSql = `SELECT ${AGGREGATE} FROM analytics.orders_half`;
  const unionSql = `SELECT ${AGGREGATE} FROM (
    SELECT ${ORDER_COLUMNS} FROM legacy_schema.orders UNION ALL SELECT ${ORDER_COLUMNS} FROM ${target}) AS u`;
  const { view, union, halfRows } = await db.use(async (c) => {
    const halfRows = Number((await c.query(`SELECT count(*) AS n FROM ${target}`))[0].n);
    // Interleaved, best of 3 each: both see the same cache and the same machine noise.
    let view = Infinity;
    let union = Infinity;
    for (let i = 0; i < 3; i++) {
      view = Math.min(view, (await timed(() => c.query(viewSql))).seconds);
      union = Math.min(union, (await timed(() => c.query(unionSql))).seconds);
    }
    return { view, union, halfRows };
  });
  report.add('half_backfilled_rows', `rows backfilled (to ${lastMonth})`, halfRows, 'rows');
  report.add('view_scan_s', 'stitched view scan (best of 3)', view, 's');
  report.add('union_scan_s', 'plain UNION ALL scan (best of 3)', union, 's');
  report.add('view_scan_ratio', 'view / UNION ALL', view / union, 'x', { op: '<=', limit: 1.3 });
}
