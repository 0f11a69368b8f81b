import { DUCKDB_MEMORY_MB } from './config';
import type { BenchDatabase } from './database';
import { CliFailure, runCli, runCliOk } from './measure';
import type { Report } from './report';

/**
 * Steps b and c: the full backfill as an operator runs it (a child process,
 * Node start-up included, peak RSS sampled), then a re-run of every window,
 * which must change nothing and should cost well under the first run.
 */
export async function measureBackfill(db: BenchDatabase, report: Report, config: string, rows: number, baselineSeconds: number): Promise<number> {
  await runCliOk(['stitch', '-c', config]);
  // For comparison, the RSS of a command that only reads (status scans the view): Node, the CLI and the
  // driver, which for DuckDB is the whole embedded engine with its buffers. What backfill adds is above it.
  const floor = await runCliOk(['status', '-c', config], { sampleRss: true });
  report.add('status_peak_rss_mb', 'status peak RSS (reads only)', floor.peakRssMb, 'MB');
  report.say('backfill --all …');
  const run = await runCliOk(['backfill', '--all', '-c', config], { sampleRss: true });
  report.add('backfill_s', 'backfill --all', run.seconds, 's');
  report.add('backfill_ratio', 'backfill / baseline', run.seconds / baselineSeconds, 'x', { op: '<=', limit: db.engine === 'duckdb' ? 2 : 1.5 });
  // On a server the process holds only rows in flight; DuckDB's buffers live in it, bounded by duckdb.memory_limit.
  report.add('backfill_peak_rss_mb', 'backfill peak RSS', run.peakRssMb, 'MB', { op: db.engine === 'duckdb' ? '<=' : '<', limit: db.engine === 'duckdb' ? DUCKDB_MEMORY_MB + 150 : 200 });
  // A fast backfill that loads too little would be no result at all.
  const loaded = await db.use(async (c) => Number((await c.query('SELECT count(*) AS n FROM dlt_schema.orders'))[0].n));
  if (loaded !== rows) throw new Error(`after backfill --all the target has ${loaded} rows, expected ${rows}`);
  return run.seconds;
}

const latestBackfillRun = (db: BenchDatabase) =>
  db.use(async (c) => {
    const rows = await c.query("SELECT run_id FROM _migrate.runs WHERE command = 'backfill' ORDER BY started_at DESC, run_id DESC LIMIT 1");
    return rows.length ? String(rows[0].run_id) : undefined;
  });

export async function measureRerun(db: BenchDatabase, report: Report, config: string, firstSeconds: number): Promise<void> {
  const before = await latestBackfillRun(db);
  report.say('backfill --all --rerun …');
  const run = await runCli(['backfill', '--all', '--rerun', '-c', config]);
  if (run.code !== 0 && /unknown argument.*rerun/i.test(run.stderr)) {
    const reason = '--rerun not available';
    report.skip('rerun_s', 'backfill --all --rerun', 's', reason);
    report.skip('rerun_ratio', 'rerun / first backfill', 'x', reason, { op: '<=', limit: 0.6 });
    report.skip('rerun_rows_changed', 'rows changed by rerun', 'rows', reason, { op: '<=', limit: 0 });
    return;
  }
  if (run.code !== 0) throw new CliFailure(run);
  report.add('rerun_s', 'backfill --all --rerun', run.seconds, 's');
  report.add('rerun_ratio', 'rerun / first backfill', run.seconds / firstSeconds, 'x', { op: '<=', limit: 0.5 });
  // The ledger, not stdout, says what the re-run changed: each slice it ran carries its run id.
  const runId = await latestBackfillRun(db);
  if (!runId || runId === before) throw new Error('the rerun left no run of its own in _migrate.runs');
  const [ledger] = await db.use((c) =>
    c.query(`SELECT count(*) AS slices, sum(rows_inserted + rows_updated) AS changed FROM _migrate.slices WHERE run_id = ${db.engine === 'mysql' ? '?' : '$1'}`, [runId]),
  );
  report.add('rerun_rows_changed', 'rows changed by rerun', Number(ledger.changed ?? 0), 'rows', { op: '<=', limit: 0 });
  report.add('rerun_slices', 'slices the rerun ran', Number(ledger.slices), 'slices');
  if (Number(ledger.slices) === 0) report.note('rerun_rows_changed', `run ${runId} recorded no slices: nothing was re-run`);
}
