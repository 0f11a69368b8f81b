import type { BenchDatabase } from './database';
import { ORDER_COLUMNS, targetDdl } from './generate';
import { timed } from './measure';
import type { Report } from './report';
import type { EngineName } from './settings';

/**
 * The anchor the issue holds Theseus to: what users write instead, a loop of monthly upserts (newer wins on
 * updated_at) into a target shaped like the dlt table, with no validation, no ledger and no checks. Theseus's
 * validated backfill (step b) is compared with it: it should cost no more.
 */
const PAYLOAD = ORDER_COLUMNS.split(', ').filter((c) => c !== 'id');

function monthlyUpsert(engine: EngineName, table: string, from: string, to: string, loadId: string): string {
  const md5 = engine === 'postgres' ? 'md5(id::text)' : engine === 'mysql' ? 'MD5(CAST(id AS CHAR))' : 'md5(CAST(id AS VARCHAR))';
  const select = `INSERT INTO ${table} (${ORDER_COLUMNS}, _dlt_load_id, _dlt_id)
SELECT ${ORDER_COLUMNS}, '${loadId}', ${md5} FROM legacy_schema.orders
WHERE created_at >= TIMESTAMP '${from}' AND created_at < TIMESTAMP '${to}'`;
  if (engine === 'mysql') {
    // Newer wins: updated_at is assigned last, so each IF still sees the row's old updated_at. The target's columns
    // are named with the table: the SELECT's columns have the same names.
    const own = (c: string) => `${table}.${c}`;
    const newer = `VALUES(updated_at) >= ${own('updated_at')} OR ${own('updated_at')} IS NULL`;
    const assign = (c: string) => `${own(c)} = IF(${newer}, VALUES(${c}), ${own(c)})`;
    return `${select}
ON DUPLICATE KEY UPDATE ${[...PAYLOAD.filter((c) => c !== 'updated_at'), 'updated_at'].map(assign).join(', ')}`;
  }
  const name = table.split('.').pop();
  return `${select}
ON CONFLICT (id) DO UPDATE SET ${PAYLOAD.map((c) => `${c} = excluded.${c}`).join(', ')}
WHERE ${name}.updated_at IS NULL OR excluded.updated_at >= ${name}.updated_at`;
}

/** Month k (0-based) after 2021-01 as a timestamp literal's text. */
const monthStart = (k: number) => new Date(Date.UTC(2021, k, 1)).toISOString().slice(0, 19).replace('T', ' ');

export async function measureMergeLoop(db: BenchDatabase, report: Report, months: number, validatedSeconds: number): Promise<void> {
  const table = 'dlt_schema.orders_loop';
  const loadId = (Date.now() / 1000).toFixed(6);
  report.say(`hand-written loop of ${months} monthly upserts …`);
  const seconds = await db.use(async (c) => {
    await c.execute(`DROP TABLE IF EXISTS ${table}`);
    await c.execute(targetDdl(table, db.engine));
    const { seconds } = await timed(async () => {
      for (let k = 0; k < months; k++) await c.execute(monthlyUpsert(db.engine, table, monthStart(k), monthStart(k + 1), loadId));
    });
    await c.execute(`DROP TABLE ${table}`);
    return seconds;
  });
  report.add('merge_loop_s', 'monthly upsert loop, no validation', seconds, 's');
  report.add('backfill_vs_loop', 'validated backfill / upsert loop', validatedSeconds / seconds, 'x', { op: '<=', limit: 1 });
}
