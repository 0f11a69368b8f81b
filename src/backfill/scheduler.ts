import type { Connection, Dialect } from '../../dialects/types';
import { TheseusError } from '../errors';
import { applyUnit, type ExecuteOptions, withTrace } from '../exec/executor';
import type { LedgerWriter } from '../ledger/writes';
import type { SliceJob, Vars } from '../plan/types';
import type { BackfillControls } from './controls';
import { SliceGates, type LoadReader } from './gates';
import type { Reporter } from './progress';
import { sliceCounts } from './sliceCounts';
import type { StopSignal } from './stopSignal';
import { transientKind } from './transient';
import { count } from '../plural';

export interface SchedulerInput {
  controls: BackfillControls;
  dialect: Dialect;
  ledger: LedgerWriter;
  reporter: Reporter;
  stop: StopSignal;
  runId: string;
  /** Slices the ledger has as done run again (--rerun, or months named on the command line). */
  redoDone: boolean;
  /** A connection of its own for one more worker; absent where slices share the session's (DuckDB). */
  openConnection?: () => Promise<Connection>;
  /** Does that run still hold its run lock (so its 'running' slices are really running)? */
  runAlive(runId: string): Promise<boolean>;
}

interface Worker {
  conn: Connection;
  /** Its own connection, to close (and to replace after a connection error). */
  owned: boolean;
}

interface Outcome {
  failures: Array<{ job: SliceJob; error: unknown }>;
  done: number;
}

const errorText = (err: unknown) => (err instanceof TheseusError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err));

/**
 * Runs slice jobs: up to --max-parallel workers, each on its own connection,
 * taking windows in order. Starting a slice is serialized: the gates (pause
 * file, load, interval, --limit) are passed and the slice claimed in the
 * ledger by compare-and-set, one worker at a time; merging runs in parallel.
 * A stop request (signal, critical load, a failure under --on-error stop)
 * starts no new slice and lets running ones finish. Throws at the end if any
 * slice failed or the run stopped before its work was done.
 */
export async function runSlices(jobs: SliceJob[], exec: ExecuteOptions, input: SchedulerInput): Promise<void> {
  const { controls, reporter, stop } = input;
  const queue = [...jobs];
  const total = jobs.length;
  const started = Date.now();
  const outcome: Outcome = { failures: [], done: 0 };
  const totals = { legacyRows: 0, inserted: 0, updated: 0, skipped: 0, sliceSeconds: 0 };
  let claimed = 0;
  let busy = 0;

  const workerCount = input.openConnection ? Math.min(controls.maxParallel, Math.max(1, jobs.length)) : 1;
  if (controls.maxParallel > 1 && !input.openConnection) {
    reporter.line(`note: ${input.dialect.name} runs one slice at a time (it parallelizes each statement itself); --max-parallel ${controls.maxParallel} is ignored`);
  }
  const signal = input.dialect.loadSignal;
  const load: LoadReader | undefined = signal && {
    name: signal.names[0],
    // Our own workers' statements count as load on the server; they are not the load the throttle is about.
    read: async () => Math.max(0, (await signal.read(exec.untraced ?? exec.conn)) - busy),
  };
  const gates = new SliceGates(controls, stop, reporter, load);

  const claim = async (job: SliceJob, worker: Worker, vars: Vars): Promise<string | undefined> => {
    const [row] = await worker.conn.query(input.ledger.readSliceSql(), [job.tableId, job.window.key]);
    const status = row ? String(row.status) : 'missing';
    const holder = row?.run_id == null ? null : String(row.run_id);
    if (status === 'missing') return 'it has no ledger row';
    if (status === 'done' && !input.redoDone) return `run ${holder} has done it`;
    if (status === 'running' && holder !== input.runId && holder !== null && (await input.runAlive(holder))) return `run ${holder} is running it`;
    vars.set('expected_status', status);
    vars.set('expected_run_id', holder);
    await applyUnit(job.claim, { ...exec, conn: withTrace(exec, worker.conn), vars });
    return Number(vars.get('claimed')) === 1 ? undefined : 'another worker took it first';
  };

  const skip = (job: SliceJob, reason: string) => {
    totals.skipped++;
    reporter.emit({ event: 'slice_skipped', table: job.tableId, window: job.window.key, reason });
  };

  // Starting slices is one at a time: gates, --limit and the claim see a consistent count.
  let turn: Promise<unknown> = Promise.resolve();
  const nextJob = (worker: Worker): Promise<{ job: SliceJob; vars: Vars } | undefined> => {
    const mine = turn.then(async () => {
      while (queue.length > 0) {
        if (stop.stopped) return undefined;
        if (controls.limit !== undefined && claimed >= controls.limit) return undefined;
        if (!(await gates.waitForTurn())) return undefined;
        const job = queue.shift()!;
        const vars: Vars = new Map(exec.vars);
        const skipped = await claim(job, worker, vars);
        if (skipped === undefined) {
          claimed++;
          gates.started();
          return { job, vars };
        }
        skip(job, skipped);
      }
      return undefined;
    });
    turn = mine.catch(() => undefined);
    return mine;
  };

  const runOne = async (worker: Worker, job: SliceJob, firstVars: Vars): Promise<void> => {
    let vars = firstVars;
    for (let attempt = 0; ; attempt++) {
      const t0 = Date.now();
      busy++;
      try {
        await applyUnit(job.slice, { ...exec, conn: withTrace(exec, worker.conn), vars });
        busy--;
        const c = sliceCounts(vars);
        const seconds = (Date.now() - t0) / 1000;
        outcome.done++;
        Object.assign(totals, { legacyRows: totals.legacyRows + c.legacyRows, inserted: totals.inserted + c.inserted, updated: totals.updated + c.updated, sliceSeconds: totals.sliceSeconds + seconds });
        reporter.emit({ event: 'slice_done', table: job.tableId, window: job.window.key, legacy_rows: c.legacyRows, inserted: c.inserted, updated: c.updated, seconds, done: outcome.done, total });
        if (outcome.done === 1 || outcome.done % 10 === 0) {
          const perSlice = totals.sliceSeconds / outcome.done;
          const left = controls.limit !== undefined ? Math.min(queue.length, controls.limit - claimed) : queue.length;
          if (left > 0) reporter.emit({ event: 'estimate', remaining_slices: left, remaining_seconds: (left * perSlice) / workerCount, seconds_per_slice: perSlice });
        }
        return;
      } catch (err) {
        busy--;
        const kind = transientKind(err);
        if (kind && attempt < controls.retries && !stop.stopped) {
          const delay = controls.retryDelayMs * 2 ** attempt;
          reporter.emit({ event: 'slice_retry', table: job.tableId, window: job.window.key, attempt: attempt + 1, of: controls.retries, delay_seconds: delay / 1000, error: errorText(err) });
          await stop.sleep(delay);
          if (kind === 'connection' && worker.owned && input.openConnection) {
            await worker.conn.close().catch(() => undefined);
            worker.conn = await input.openConnection();
          }
          vars = new Map(exec.vars);
          const skipped = await claim(job, worker, vars).catch((e: unknown) => `could not claim it again: ${errorText(e)}`);
          if (skipped === undefined) continue;
          skip(job, skipped);
          return;
        }
        outcome.failures.push({ job, error: err });
        reporter.emit({ event: 'slice_failed', table: job.tableId, window: job.window.key, error: errorText(err) });
        if (controls.onError === 'stop') stop.stop(`${job.tableId} ${job.window.key} failed (--on-error stop)`);
        return;
      }
    }
  };

  const work = async (worker: Worker): Promise<void> => {
    try {
      for (let next = await nextJob(worker); next; next = await nextJob(worker)) await runOne(worker, next.job, next.vars);
    } finally {
      if (worker.owned) await worker.conn.close().catch(() => undefined);
    }
  };

  const workers: Worker[] = [];
  try {
    for (let i = 0; i < workerCount; i++) workers.push(input.openConnection ? { conn: await input.openConnection(), owned: true } : { conn: exec.untraced ?? exec.conn, owned: false });
  } catch (err) {
    for (const w of workers) if (w.owned) await w.conn.close().catch(() => undefined);
    throw err;
  }
  const results = await Promise.allSettled(workers.map(work));

  const stoppedEarly = stop.stopped && queue.length > 0 ? stop.reason : undefined;
  reporter.emit({
    event: 'summary',
    slices_done: outcome.done,
    slices_failed: outcome.failures.length,
    slices_skipped: totals.skipped,
    legacy_rows: totals.legacyRows,
    inserted: totals.inserted,
    updated: totals.updated,
    seconds: (Date.now() - started) / 1000,
    ...(stoppedEarly ? { stopped: stoppedEarly } : {}),
  });
  const crashed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (crashed) throw crashed.reason;
  if (outcome.failures.length === 1) throw outcome.failures[0].error;
  if (outcome.failures.length > 1) {
    const first = outcome.failures[0].error;
    const names = outcome.failures.map((f) => `${f.job.tableId} ${f.job.window.key}`).join(', ');
    const err = new TheseusError(first instanceof TheseusError ? first.errorClass : 'database', 'SLICES_FAILED', `${count(outcome.failures.length, 'slice')} failed: ${names}; the first: ${errorText(first)}`, '`migrate status` lists each error; fix the cause and run the same command again: failed slices are retried, done ones skipped');
    throw err;
  }
  if (stoppedEarly) {
    const err = new TheseusError('stopped', stop.critical ? 'CRITICAL_LOAD' : 'STOPPED', `stopped: ${stoppedEarly}; ${count(outcome.done, 'slice')} done in this run, ${queue.length} not started`, 'the ledger is consistent: run the same command again to resume (done slices are skipped)');
    err.exitCodeOverride = stop.exitCode;
    throw err;
  }
}
