import type { BenchDatabase } from './database';
import { ORDER_COLUMNS, targetDdl } from './generate';
import { timed } from './measure';
import type { Report } from './report';

/**
 * Step a: the engine's own copy limit. One INSERT … SELECT of all of legacy
 * into a table shaped like the target (same columns, same primary key, dlt's
 * columns computed the way backfill computes them) is the least work any
 * backfill can do; backfill's time is judged against it.
 */
export async function measureBaseline(db: BenchDatabase, report: Report, rows: number): Promise<number> {
  const copy = 'dlt_schema.orders_copy';
  const loadId = (Date.now() / 1000).toFixed(6); // dlt's load id: epoch seconds with a fraction
  const md5 = db.engine === 'postgres' ? 'md5(id::text)' : db.engine === 'mysql' ? 'MD5(CAST(id AS CHAR))' : 'md5(CAST(id AS VARCHAR))';
  const seconds = await db.use(async (conn) => {
    await conn.execute(`DROP TABLE IF EXISTS ${copy}`);
    await conn.execute(targetDdl(copy, db.engine));
    // Read legacy once first, so the copy and the backfill after it both start from a warm cache.
    await conn.query('SELECT count(*), sum(total) FROM legacy_schema.orders');
    const { seconds, value: copied } = await timed(() =>
      conn.execute(
        `INSERT INTO ${copy} (${ORDER_COLUMNS}, _dlt_load_id, _dlt_id)
         SELECT ${ORDER_COLUMNS}, '${loadId}', ${md5} FROM legacy_schema.orders`,
      ),
    );
    if (copied !== rows) throw new Error(`baseline copied ${copied} rows, expected ${rows}`);
    await conn.execute(`DROP TABLE ${copy}`);
    return seconds;
  });
  report.add('baseline_s', 'baseline INSERT…SELECT', seconds, 's');
  return seconds;
}
