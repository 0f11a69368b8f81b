import * as path from 'node:path';
import { buildDemo } from '../demo/buildDemo';
import { runBackfill } from './backfill';
import { runCutover } from './cutover';
import { runVerify } from './verify';
import type { CommandOptions } from './session';
import { formatStatus, runStatus } from './status';
import { runStitch } from './stitch';
import { assertionError } from '../errors';
import { count } from '../plural';
import { connectDuckDb } from '../../dialects/duckdb/driver';

export interface DemoOptions {
  dir: string;
  /** Legacy rows to generate (text as typed after --rows is accepted). */
  rows: number | string;
  /** Overwrite a migrate.yaml in `dir` that is not the demo's own. */
  force?: boolean;
  log?: (line: string) => void;
}

/**
 * migrate demo: builds a DuckDB warehouse and walks the Definition of Done
 * with the same commands an operator runs, printing the view after each step:
 * ('legacy', N) → legacy + dlt → unchanged after a re-run → ('dlt', N).
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const files = await buildDemo(options.dir, options.rows, { force: options.force });
  log(`Built ${files.database}: legacy_schema.orders with ${count(files.rows, 'row')}, empty dlt_schema.orders.`);
  log(`Config: ${files.config}\n`);
  const base: CommandOptions = { config: files.config, log: (l) => log(`  ${l}`), warn: (l) => log(`  warning: ${l}`) };
  const distribution = async () => JSON.stringify((await runStatus(base))[0].distribution);

  log('1. migrate stitch: the view shows legacy alone');
  await runStitch(base);

  log('\n2. migrate backfill --month 2023-06: the view shows legacy + dlt');
  await runBackfill({ ...base, month: '2023-06' });
  const afterFirst = await distribution();

  log('\n3. migrate backfill --month 2023-06 again: nothing changes');
  await runBackfill({ ...base, month: '2023-06' });
  const afterRerun = await distribution();
  if (afterFirst !== afterRerun) throw assertionError('DEMO_RERUN_CHANGED', `re-running a month changed the view: ${afterFirst} → ${afterRerun}`);
  log('  the distribution is the same as after step 2');

  log('\n4. migrate backfill --all --include-null-cursor: every other month, and the rows with no CreatedAt');
  await runBackfill({ ...base, all: true, includeNullCursor: true, log: quietMonths(log) });

  log("\n   dlt's _dlt_loads now lists each slice that changed rows as a completed load, so dlt's readers and dbt staging see them:");
  for (const line of await dltLoads(files.database)) log(`  ${line}`);

  log('\n5. migrate verify --markdown change-note.md: every window checked again, a change note written');
  const note = path.join(options.dir, 'change-note.md');
  const verified = await runVerify({ ...base, markdown: note });
  const windows = verified.tables[0].windows;
  log(`  ${count(windows.length, 'window')}, ${count(windows.reduce((a, w) => a + w.legacyRows, 0), 'legacy row')}: ${verified.ok ? 'every one in the target with the same values' : 'DIFFERENCES'}; change note in ${note}`);

  log('\n6. migrate cutover: every window is validated, so the view is repointed: it shows dlt alone');
  await runCutover(base);

  log('\n7. migrate status');
  log(formatStatus(await runStatus(base)).replace(/^/gm, '  '));
  log(`\nDone. Explore it: npx theseus-migrate status --config ${files.config}`);
}

/** During --all, print the per-month lines but not 24 distributions. */
function quietMonths(log: (line: string) => void) {
  return (line: string) => {
    if (!/: view after \d{4}-\d{2}:/.test(line)) log(`  ${line}`);
  };
}

/**
 * The demo's `_dlt_loads` after the backfill, and what the staging model of dlt's generated dbt packages
 * selects: rows whose load is completed (status 0) and not yet processed (processed already: the pipeline's
 * earlier load, 1733011200.123456 in fixtures/demo/setup.sql).
 */
async function dltLoads(database: string): Promise<string[]> {
  const conn = await connectDuckDb(database, { readOnly: true });
  try {
    const loads = await conn.query('SELECT load_id, schema_name, status FROM dlt_schema._dlt_loads ORDER BY load_id');
    const [staged] = await conn.query(
      `SELECT count(*) AS n FROM dlt_schema.orders
        WHERE _dlt_load_id IN (SELECT load_id FROM dlt_schema._dlt_loads WHERE status = 0 AND load_id <> '1733011200.123456')`,
    );
    // One load per slice that changed rows: the pipeline's own load first, then the backfill's, summarized.
    const [pipeline, ...backfill] = loads.map((l) => `load ${String(l.load_id)}  schema ${String(l.schema_name)}  status ${String(l.status)}`);
    return [
      `${pipeline}   (the pipeline's, processed by dbt already)`,
      ...(backfill.length > 2 ? [backfill[0], `… ${count(backfill.length - 2, 'more load')}, one per slice that changed rows …`, backfill[backfill.length - 1]] : backfill),
      `dbt staging (completed loads not yet processed) selects ${count(Number(staged?.n ?? 0), 'row')} of dlt_schema.orders`,
    ];
  } finally {
    await conn.close();
  }
}
