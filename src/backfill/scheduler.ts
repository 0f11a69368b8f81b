import type { Connection, Dialect } from '../../dialects/types';
import { TheseusError, databaseError } from '../errors';
import { applyUnit, type ExecuteOptions, withTrace } from '../exec/executor';
import type { LedgerWriter } from '../ledger/writes';
import type { SliceJob, Vars } from '../plan/types';
import type { BackfillControls } from './controls';
import { SliceGates, type LoadReader } from './gates';
import type { Reporter } from './progress';
import { sliceCounts } from './sliceCounts';
import type { StopSignal } from './stopSignal';
import { isConnectionLoss, transientKind } from './transient';
import { count } from '../plural';

export interface SchedulerInput {
  controls: BackfillControls;
  dialect: Dialect;
  ledger: LedgerWriter;
  reporter: Reporter;
  stop: StopSignal;
  runId: string;
  /** The command running the slices (backfill, promote), as the summary names it. */
  command?: string;
  /** Slices the ledger has as done run again (--rerun, or months named on the command line). */
  redoDone: boolean;
  /** A connection of its own for one more worker; absent where slices share the session's (DuckDB). */
  openConnection?: () => Promise<Connection>;
  /** Does that run still hold its run lock (so its 'running' slices are really running)? */
  runAlive(runId: string): Promise<boolean>;
  /** Records a run whose process is gone as interrupted in the run log (a claim takes over its windows only then). */
  markInterrupted(runId: string): Promise<void>;
}

interface Worker {
  conn: Connection;
  /** Its own connection, to close at the end (a lost one replaces itself: see reconnectingConnection). */
  owned: boolean;
}

interface Outcome {
  failures: Array<{ job: SliceJob; error: unknown }>;
  done: number;
}

/** A refusal (exit 3: the operator lock was lost) is no failure of the slice: nothing is retried, the run stops. */
const isRefusal = (err: unknown) => err instanceof TheseusError && err.errorClass === 'precondition';

/** The connection stayed lost through every retry: the server is away, and the next run resumes from the ledger. */
function lostConnectionError(job: SliceJob, err: unknown, retries: number): TheseusError {
  return new TheseusError(
    'database',
    'CANNOT_CONNECT',
    `${job.tableId} ${job.window.key}: lost the connection to the server${retries ? `, and ${retries} ${retries === 1 ? 'retry' : 'retries'} could not get it back` : ''}: ${err instanceof TheseusError && err.code === 'CANNOT_CONNECT' ? err.message : errorText(err)}`,
    'the open slice was rolled back by the server and the ledger is consistent: run the same command again once the server is reachable (a slice left running by this run is taken over and redone)',
    { cause: err },
  );
}

/** The check after commit could not run through every retry: the slice's data stands, and what it would have removed may be there twice. */
function unsettledError(job: SliceJob, err: unknown): TheseusError {
  return new TheseusError(
    'database',
    'CHECK_AFTER_COMMIT_FAILED',
    `${job.tableId} ${job.window.key}: the slice committed, but its check after commit failed: ${errorText(err)}`,
    `the window stays done; a key a live writer loaded while the slice ran may be in the target twice: \`migrate verify --table ${job.tableId}\` and the view's census find it`,
    { cause: err },
  );
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

  const parallel = sliceWorkers(controls.maxParallel, input.dialect, Boolean(input.openConnection), jobs.length);
  const workerCount = parallel.count;
  if (parallel.note) reporter.line(parallel.note);
  const signal = input.dialect.loadSignal;
  const load: LoadReader | undefined = signal && {
    // Our own workers' statements count as load on the server; they are not the load the throttle is about.
    read: async () => {
      const values = await signal.read(exec.untraced ?? exec.conn);
      return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, signal.countsOwnSlices.includes(name) ? Math.max(0, v - busy) : v]));
    },
  };
  const gates = new SliceGates(controls, stop, reporter, load);

  const claim = async (job: SliceJob, worker: Worker, vars: Vars): Promise<string | undefined> => {
    const sql = input.ledger.readSliceSql();
    const [row] = await worker.conn.query(sql, [job.tableId, job.window.key]).catch((err: unknown) => {
      throw err instanceof TheseusError ? err : databaseError(err, `${job.tableId} ${job.window.key}: read the slice's ledger row before claiming it`, sql);
    });
    const status = row ? String(row.status) : 'missing';
    const holder = row?.run_id == null ? null : String(row.run_id);
    if (status === 'missing') return 'it has no ledger row';
    if (status === 'done' && !input.redoDone) return `run ${holder} has done it`;
    if (status === 'running' && holder !== input.runId && holder !== null) {
      if (await input.runAlive(holder)) return `run ${holder} is running it`;
      // The claim takes the window over only from a run the log no longer has as running.
      await input.markInterrupted(holder);
    }
    await applyUnit(job.claim({ status, runId: holder }), { ...exec, conn: withTrace(exec, worker.conn), untraced: worker.conn, vars });
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
        if (!(await retryLostConnection(queue[0], () => gates.waitForTurn()))) return undefined;
        const job = queue.shift()!;
        const vars: Vars = new Map(exec.vars);
        const skipped = await retryLostConnection(job, () => claim(job, worker, vars));
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

  /** Waits before the next attempt (the delay doubling each time), saying why. */
  const backoff = async (job: SliceJob, attempt: number, err: unknown): Promise<void> => {
    const delay = controls.retryDelayMs * 2 ** attempt;
    reporter.emit({ event: 'slice_retry', table: job.tableId, window: job.window.key, attempt: attempt + 1, of: controls.retries, delay_seconds: delay / 1000, error: errorText(err) });
    await stop.sleep(delay);
  };

  /**
   * Runs `body` again, with the slices' backoff, while it fails in a way worth another attempt; gives up with
   * `givenUp`'s error after --retries (or at a stop). The reconnecting connection opens a fresh one when the
   * connection was what failed.
   */
  const retrying = async <T>(job: SliceJob, body: () => Promise<T>, worthAnother: (err: unknown) => boolean, givenUp: (err: unknown, attempt: number) => unknown): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await body();
      } catch (err) {
        if (!worthAnother(err)) throw err;
        if (attempt >= controls.retries || stop.stopped) throw givenUp(err, attempt);
        await backoff(job, attempt, err);
      }
    }
  };

  /** After a transient error (contention, a lost connection): the check after commit, which only removes rows. */
  const retryTransient = <T>(job: SliceJob, body: () => Promise<T>) => retrying(job, body, (err) => transientKind(err) !== undefined, (err) => err);

  /** While the connection is lost: a step between slices (the gates' load read, a claim). */
  const retryLostConnection = <T>(job: SliceJob, body: () => Promise<T>) => retrying(job, body, isConnectionLoss, (err, attempt) => lostConnectionError(job, err, attempt));

  /**
   * One slice, with its retries: a transient error rolls the slice back on the
   * server; after the delay the slice is claimed again (on a fresh connection
   * when it was the connection that failed) and redone. A refusal (the
   * operator lock was lost) stops the run at once.
   */
  const runOne = async (worker: Worker, job: SliceJob, firstVars: Vars): Promise<void> => {
    let vars = firstVars;
    let claimAgain = false;
    for (let attempt = 0; ; ) {
      const t0 = Date.now();
      try {
        if (claimAgain) {
          vars = new Map(exec.vars);
          const skipped = await claim(job, worker, vars);
          if (skipped !== undefined) return skip(job, skipped);
          claimAgain = false;
        }
        busy++;
        try {
          await applyUnit(job.slice, { ...exec, conn: withTrace(exec, worker.conn), untraced: worker.conn, vars });
        } finally {
          busy--;
        }
        const c = sliceCounts(vars);
        const seconds = (Date.now() - t0) / 1000;
        outcome.done++;
        Object.assign(totals, { legacyRows: totals.legacyRows + c.legacyRows, inserted: totals.inserted + c.inserted, updated: totals.updated + c.updated, sliceSeconds: totals.sliceSeconds + seconds });
        // How the slice wrote, where its fast path decided it (plan/windowState.ts): fresh, in_sync or differs.
        const state = vars.get('window_state');
        reporter.emit({ event: 'slice_done', table: job.tableId, window: job.window.key, legacy_rows: c.legacyRows, inserted: c.inserted, updated: c.updated, seconds, done: outcome.done, total, ...(typeof state === 'string' ? { window_state: state } : {}) });
        if (outcome.done === 1 || outcome.done % 10 === 0) {
          const perSlice = totals.sliceSeconds / outcome.done;
          const left = controls.limit !== undefined ? Math.min(queue.length, controls.limit - claimed) : queue.length;
          if (left > 0) reporter.emit({ event: 'estimate', remaining_slices: left, remaining_seconds: (left * perSlice) / workerCount, seconds_per_slice: perSlice });
        }
        // Committed: from here on the slice is done whatever happens, and a failure is the check's alone (never a
        // reason to claim the window again, which the ledger has as done). It is retried on its own: it only
        // removes the slice's rows of keys held twice, so running it twice changes nothing.
        if (job.settle) {
          const settled = await retryTransient(job, () => applyUnit(job.settle!, { ...exec, conn: withTrace(exec, worker.conn), untraced: worker.conn, vars })).then(
            () => undefined,
            (err: unknown) => {
              if (isRefusal(err)) throw err;
              return err instanceof TheseusError && err.code === 'WINDOW_KEYS_TWICE' ? err : unsettledError(job, err);
            },
          );
          if (settled) {
            outcome.failures.push({ job, error: settled });
            reporter.emit({ event: 'slice_failed', table: job.tableId, window: job.window.key, error: errorText(settled) });
            if (controls.onError === 'stop') stop.stop(`${job.tableId} ${job.window.key}: its check after commit failed (--on-error stop)`);
          }
        }
        return;
      } catch (err) {
        if (isRefusal(err)) {
          stop.stop(`${job.tableId} ${job.window.key}: ${errorText(err)}`);
          throw err;
        }
        const kind = transientKind(err);
        if (kind && attempt < controls.retries && !stop.stopped) {
          await backoff(job, attempt, err);
          attempt++;
          claimAgain = true;
          continue;
        }
        const failure = kind === 'connection' ? lostConnectionError(job, err, attempt) : err;
        outcome.failures.push({ job, error: failure });
        reporter.emit({ event: 'slice_failed', table: job.tableId, window: job.window.key, error: errorText(failure) });
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
    ...(input.command ? { command: input.command } : {}),
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

/**
 * How many slices run at once: what --max-parallel asks, no more than there are slices, one where slices cannot
 * have connections of their own (DuckDB), and no more than the engine lets work at once (BigQuery: one).
 * With a note when the request is not what runs.
 */
export function sliceWorkers(requested: number, dialect: Dialect, ownConnections: boolean, slices: number): { count: number; note?: string } {
  if (!ownConnections) {
    return { count: 1, note: requested > 1 ? `note: ${dialect.name} runs one slice at a time (it parallelizes each statement itself); --max-parallel ${requested} is ignored` : undefined };
  }
  const cap = dialect.capabilities.maxConcurrentSlices;
  const workers = Math.min(requested, cap?.slices ?? Infinity, Math.max(1, slices));
  const note = cap && requested > cap.slices ? `note: ${dialect.name} runs ${count(cap.slices, 'slice')} at a time (${cap.why}); --max-parallel ${requested} is capped` : undefined;
  return { count: workers, note };
}

