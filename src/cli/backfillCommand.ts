import type { Argv } from 'yargs';
import type { RawControls } from '../backfill/controls';
import { jsonReporter, textReporter } from '../backfill/progress';
import { StopSignal } from '../backfill/stopSignal';
import { type BackfillOptions, runBackfill } from '../commands/backfill';
import type { CommandOptions } from '../commands/session';

/**
 * The run controls as flags; each has a key of the same name under `backfill:`
 * in the config. Numbers are read as text: resolveControls validates them
 * like the config's, quoting what was typed (`--limit abc`, not `--limit NaN`).
 */
export function backfillFlags<T>(y: Argv<T>) {
  return y
    .option('month', { type: 'string', describe: 'one month, YYYY-MM' })
    .option('from', { type: 'string', describe: 'first month, YYYY-MM (with --to)' })
    .option('to', { type: 'string', describe: 'last month, YYYY-MM, included' })
    .option('all', { type: 'boolean', describe: 'every window of legacy; skips windows already done' })
    .option('include-null-cursor', { type: 'boolean', default: false, describe: 'also load rows whose cursor is NULL, as a slice of their own' })
    .option('create-key-index', { type: 'boolean', default: false, describe: 'PostgreSQL 12-14, MySQL/MariaDB: create the unique index on the target key that the upsert needs, if missing' })
    .option('allow-empty', { type: 'boolean', default: false, describe: 'with --month/--from/--to: also run months outside legacy\'s cursor range (windows with no legacy row)' })
    .option('plan', { type: 'boolean', default: false, describe: 'preflight only: windows, legacy rows per window, NULL and duplicate keys, estimated duration; changes nothing' })
    .option('slice', { type: 'string', choices: ['month', 'week', 'day', 'key'], describe: 'window size (default month; ISO weeks start on Monday, UTC), or key: chunks of the key, for a table without a usable cursor' })
    .option('chunk-rows', { type: 'string', describe: 'with --slice key: about this many legacy rows per chunk (default 100000)' })
    .option('chunk', { type: 'string', describe: 'with slice: key: run this one chunk (its number, as migrate status lists them)' })
    .option('newest-first', { type: 'boolean', describe: 'run the newest window first' })
    .option('limit', { type: 'string', describe: 'run at most N slices, then stop cleanly; the next run goes on from there' })
    .option('rerun', { type: 'boolean', describe: 'run windows again even if the ledger has them as done (repairs); unchanged legacy → 0 rows changed' })
    .option('max-parallel', { type: 'string', describe: 'slices at once, each on its own connection (default 1)' })
    .option('min-interval', { type: 'string', describe: 'at least this long between two slice starts, e.g. 5s' })
    .option('max-load', { type: 'string', describe: 'wait before a slice while the source is busier than this, e.g. active=20 (PostgreSQL: active sessions; MySQL: Threads_running; Snowflake: running, queued, or active for both)' })
    .option('critical-load', { type: 'string', describe: 'stop cleanly (exit 6, resumable) when the source is busier than this, e.g. active=50' })
    .option('recheck-every', { type: 'string', describe: 'how often a throttled or paused run looks again (default 2s)' })
    .option('pause-file', { type: 'string', describe: 'no new slice starts while this file exists' })
    .option('on-error', { type: 'string', choices: ['continue', 'stop'], describe: 'after a slice fails for good: go on with the others, or stop (default)' })
    .option('retries', { type: 'string', describe: 'attempts after a transient error (deadlock, lock timeout, lost connection); default 3' })
    .option('retry-delay', { type: 'string', describe: 'first retry delay, doubling each time (default 1s)' })
    .option('validate', { type: 'boolean', describe: 'check each window right after merging it and mark it validated, as verify does (default; --no-validate leaves that to migrate verify, which cutover then needs)' })
    .option('keep-preimages', { type: 'boolean', describe: 'keep the rows each slice replaces and the keys it inserts, so migrate undo can take the run back (default; --no-keep-preimages skips it)' })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON object per event on stdout, for orchestrators' })
    .example('$0 backfill --all', 'every month not done yet')
    .example('$0 backfill --all --max-load active=20 --critical-load active=50 --pause-file /tmp/pause', 'protect a busy source')
    .example('$0 backfill --all --plan', 'what it would do, per window')
    .example('$0 backfill --all --dry-run', 'print every statement --all would run');
}

type BackfillArgv = ReturnType<typeof backfillFlags> extends Argv<infer A> ? A : never;

function controlsFrom(argv: BackfillArgv): RawControls {
  return {
    slice: argv.slice,
    chunk_rows: argv['chunk-rows'],
    newest_first: argv['newest-first'],
    limit: argv.limit,
    rerun: argv.rerun,
    max_parallel: argv['max-parallel'],
    min_interval: argv['min-interval'],
    max_load: argv['max-load'],
    critical_load: argv['critical-load'],
    recheck_every: argv['recheck-every'],
    pause_file: argv['pause-file'],
    on_error: argv['on-error'],
    retries: argv.retries,
    retry_delay: argv['retry-delay'],
    keep_preimages: argv['keep-preimages'],
    validate: argv.validate,
  };
}

/**
 * Ctrl-C or SIGTERM: start no new slice, let the running ones commit or roll
 * back and be recorded, then exit 128+signal with how to resume. A second
 * signal exits at once; the server rolls back the open slice.
 */
function stopOnSignals(stop: StopSignal, say: (line: string) => void): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const code = name === 'SIGINT' ? 130 : 143;
    const handler = () => {
      if (stop.stopped) process.exit(code);
      say(`stopping: ${name} received; the running slice finishes and is recorded (send ${name} again to abort it: it rolls back)`);
      stop.stop(`${name} received`, false, code);
    };
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  return () => handlers.forEach((off) => off());
}

/** The backfill's own flags beside the run controls: where its slices write. */
export function strategyFlag<T>(y: Argv<T>) {
  return y
    .option('strategy', { type: 'string', choices: ['direct', 'staging'], describe: "where the slices write: the target (direct), or a staging table migrate promote moves in later (staging); default: each table's strategy:, else direct" })
    .example('$0 backfill --all --strategy staging', 'stage every window; the live target is not touched')
    .example('$0 promote --all', 'then move the staged windows into the target');
}

export async function backfillCommand(argv: BackfillArgv & { strategy?: string; quiet?: boolean }, common: CommandOptions, promote = false): Promise<void> {
  const sqlOnStdout = Boolean(common.dryRun && !common.out);
  const err = (text: string) => process.stderr.write(text);
  const reporter = argv.json
    ? jsonReporter((text) => process.stdout.write(text), argv.quiet ? () => undefined : err)
    : argv.quiet
      ? textReporter(() => undefined, false)
      : textReporter((text) => (sqlOnStdout ? process.stderr : process.stdout).write(text), Boolean(process.stdout.isTTY) && !sqlOnStdout && !argv.plan);
  const stop = new StopSignal();
  const release = stopOnSignals(stop, (line) => reporter.line(line));
  const options: BackfillOptions = {
    ...common,
    log: (line) => reporter.line(line),
    month: argv.month,
    from: argv.from,
    to: argv.to,
    all: argv.all,
    includeNullCursor: argv['include-null-cursor'],
    createKeyIndex: argv['create-key-index'],
    planOnly: argv.plan,
    allowEmpty: argv['allow-empty'],
    chunk: argv.chunk,
    controls: controlsFrom(argv),
    reporter,
    stop,
    ...(argv.strategy ? { strategy: argv.strategy as 'direct' | 'staging' } : {}),
    ...(promote ? { promote } : {}),
  };
  try {
    await runBackfill(options);
  } finally {
    release();
    reporter.close();
  }
}
