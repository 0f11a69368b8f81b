import { withProgressFile } from '../backfill/progressFile';
import { keepsPreimages, preimageTableRef, preimageTableUnit } from '../plan/preimages';
import { type BackfillControls, type RawControls, resolveControls } from '../backfill/controls';
import { ON_DEMAND_USD_PER_TIB, duplicateKeys, formatBytes, measuredRate, rowsPerWindow, sliceBytes } from '../backfill/preflight';
import { legacyCoverageOf, profileWindows, uncoveredMonths, type LegacyProfile } from '../backfill/profile';
import { formatDuration, type Reporter, textReporter } from '../backfill/progress';
import { runSlices } from '../backfill/scheduler';
import { assertRowsAccounted } from '../backfill/accounting';
import { loadIdSequence, nextLoadId } from '../dlt/loadId';
import { StopSignal } from '../backfill/stopSignal';
import { NULL_CURSOR_KEY, type Window, monthWindows, parseWindowKey } from '../backfill/windows';
import { type MonthRange, monthRange, refuseMonthsOutsideLegacy } from './monthRange';
import { usageError } from '../errors';
import type { SliceRecord } from '../ledger/reads';
import { planBackfill } from '../plan/backfill';
import { type TableContext, nullKeyText } from '../plan/tableContext';
import { keyIndexUnit } from '../plan/upsertStyle';
import type { SliceJob, Unit } from '../plan/types';
import { type CommandOptions, type Session, withSession } from './session';
import { blastRadius } from '../lifecycle/dependents';
import type { SliceSource } from '../plan/backfill';
import type { TableState } from '../ledger/reads';
import { formatTableRef } from '../config/tableRef';
import { promoteSource, promoteWindows, readStaging, refuseStaleStaging, stagingBackfill } from './staging';
import { stagingTableUnit } from '../plan/staging';
import { checkApproval } from './approvalGate';
import { recordedChunks, tableChunks } from '../backfill/chunkPlan';
import { chunkWindow } from '../backfill/keyChunks';
import { count } from '../plural';

export interface BackfillOptions extends CommandOptions {
  month?: string;
  from?: string;
  to?: string;
  all?: boolean;
  /** Load legacy rows whose cursor is NULL as a slice of their own. */
  includeNullCursor?: boolean;
  /** Where the engine upserts through a unique index on the key and the target lacks one, create it. */
  createKeyIndex?: boolean;
  /** Run controls from the command line (config keys, snake_case); they override the config's `backfill:`. */
  controls?: RawControls;
  /** Print the preflight (windows, rows per window, NULL and duplicate keys, estimate) and change nothing. */
  planOnly?: boolean;
  /** Run --month/--from/--to months that lie outside legacy's cursor range (windows holding no legacy row). */
  allowEmpty?: boolean;
  /** Where progress goes (default: plain lines through `log`). */
  reporter?: Reporter;
  /** Set by signal handlers: start no new slice. */
  stop?: StopSignal;
  /** Overrides each table's `strategy:` (staging: the slices write the staging table; see plan/staging.ts). */
  strategy?: 'direct' | 'staging';
  /** migrate promote: move staged windows into the target, each slice reading the staging table instead of legacy. */
  promote?: boolean;
  /** slice: key: run this one chunk (its number, as status and the ledger's chunk keys show it). */
  chunk?: string;
}

/** A backfill runs once the view is stitched; its preflight (--plan) only reads, so it serves in any phase before cutover. */
const RUN_PHASES = ['stitched', 'backfilling', 'backfilled'] as const;
const PLAN_PHASES = ['new', ...RUN_PHASES] as const;

const fmt = (n: number) => n.toLocaleString('en-US');

/** Validates the range flags up front (before any database work); undefined means --all. */
function requestedMonths(options: BackfillOptions): MonthRange | undefined {
  const verb = options.promote ? 'promote' : 'backfill';
  const usage = `e.g. migrate ${verb} --month 2024-03`;
  const ranged = options.month !== undefined || options.from !== undefined || options.to !== undefined;
  const chosen = [ranged, Boolean(options.all), options.chunk !== undefined].filter(Boolean).length;
  if (chosen !== 1) {
    throw usageError('BACKFILL_RANGE', `${verb} needs exactly one of --month YYYY-MM, --from YYYY-MM --to YYYY-MM, --all, or (slice: key) --chunk N`, usage);
  }
  return monthRange(options, usage);
}

const recordedWindows = (slices: SliceRecord[], status?: string) =>
  slices.filter((s) => status === undefined || s.status === status).map((s) => parseWindowKey(s.windowKey)).filter((w): w is Window => w !== undefined);

/**
 * Chooses the windows to run. Months named on the command line always run (a
 * re-run is how an operator repairs one); --all skips windows the ledger has
 * as done (whatever slice size did them) unless --rerun, and redoes failed or
 * interrupted ones.
 */
function chooseWindows(
  options: BackfillOptions,
  months: { from: Date; to: Date } | undefined,
  controls: BackfillControls,
  profile: LegacyProfile,
  slices: SliceRecord[],
  chunks: Window[] | undefined,
): { windows: Window[]; skippedDone: number } {
  const done = recordedWindows(slices, 'done');
  if (chunks) return chooseChunks(options, controls, chunks, done);
  if (controls.slice === 'key' || options.chunk !== undefined) throw usageError('BAD_FLAG', '--chunk and slice: key go together', 'e.g. migrate backfill --all --slice key --chunk-rows 100000');
  const all = months === undefined;
  let windows = months ? monthWindows(months.from, months.to, controls.slice) : profileWindows(profile, controls.slice);
  let skippedDone = 0;
  if (all && !controls.rerun) {
    const covered = legacyCoverageOf(profile, done);
    const pending = windows.filter((w) => !covered(w));
    skippedDone = windows.length - pending.length;
    windows = pending;
  }
  if (controls.newestFirst) windows.reverse();
  const nullDone = done.some((w) => w.key === NULL_CURSOR_KEY);
  if (options.includeNullCursor && profile.nullCursorRows > 0 && !(all && nullDone && !controls.rerun)) windows.push({ key: NULL_CURSOR_KEY });
  return { windows, skippedDone };
}

/** slice: key: the named chunk (--chunk N), or every chunk not done yet (every one with --rerun). */
function chooseChunks(options: BackfillOptions, controls: BackfillControls, chunks: Window[], done: Window[]): { windows: Window[]; skippedDone: number } {
  if (options.chunk !== undefined) return { windows: [chunkWindow(chunks, options.chunk)], skippedDone: 0 };
  const doneKeys = new Set(done.map((w) => w.key));
  const windows = controls.rerun ? [...chunks] : chunks.filter((w) => !doneKeys.has(w.key));
  if (controls.newestFirst) windows.reverse();
  return { windows, skippedDone: chunks.length - windows.length };
}

/** Will every legacy row be in a done window once `windows` are done? Reports what stands in the way. */
function assessCompleteness(ctx: TableContext, profile: LegacyProfile, slices: SliceRecord[], windows: Window[], chunks?: Window[], promote = false): { complete: boolean; unhandled: string[] } {
  const doneAfter = [...recordedWindows(slices, 'done'), ...windows];
  const unhandled: string[] = [];
  const doneKeys = new Set(doneAfter.map((w) => w.key));
  const missing = chunks ? chunks.filter((w) => !doneKeys.has(w.key)) : uncoveredMonths(profile, doneAfter);
  const unit = chunks ? 'chunk' : 'month';
  if (missing.length) unhandled.push(`${count(missing.length, unit)} not backfilled yet (${missing[0].key}${missing.length > 1 ? ` … ${missing[missing.length - 1].key}` : ''})`);
  if (!chunks && profile.nullCursorRows > 0 && !doneAfter.some((w) => w.key === NULL_CURSOR_KEY)) {
    unhandled.push(`${count(profile.nullCursorRows, 'legacy row has', 'legacy rows have')} a NULL cursor and ${profile.nullCursorRows === 1 ? 'is' : 'are'} in no window: ${promote ? 'stage them with migrate backfill --all --include-null-cursor, then promote' : 'add --include-null-cursor to load them as a slice of their own'}`);
  }
  if (profile.nullKeyRows > 0) {
    unhandled.push(`${count(profile.nullKeyRows, 'legacy row has', 'legacy rows have')} ${nullKeyText(ctx)} and cannot be merged: fix them in legacy (cutover refuses while they exist, unless --allow-unkeyed)`);
  }
  return { complete: unhandled.length === 0, unhandled };
}

interface TableBackfill {
  ctx: TableContext;
  profile: LegacyProfile;
  windows: Window[];
  slices: SliceRecord[];
  /** The planned slices, whose statements the engine may estimate (BigQuery's dry run). */
  jobs: SliceJob[];
  /** The slices write the staging table (strategy: staging), not the target. */
  staged: boolean;
  /** slice: key: the table's chunks. */
  chunks?: Window[];
}

/** migrate backfill --plan: what a run would do, per window, and how long it should take; changes nothing. */
async function printPreflight(s: Session, tables: TableBackfill[], controls: BackfillControls): Promise<void> {
  for (const t of tables) {
    const counts = await rowsPerWindow(s.conn, t.ctx, t.windows);
    const rate = measuredRate(t.slices);
    const rows = [...counts.values()].reduce((a, b) => a + b, 0);
    s.log(`${t.ctx.table.id}: ${count(t.windows.length, 'window')} to run, ${count(rows, 'legacy row')}`);
    let totalBytes: number | undefined;
    for (const w of t.windows) {
      const job = t.jobs.find((j) => j.window.key === w.key);
      const bytes = job && (await sliceBytes(s.conn, job));
      if (bytes !== undefined) totalBytes = (totalBytes ?? 0) + bytes;
      s.log(`  ${w.key.padEnd(12)} ${count(counts.get(w.key) ?? 0, 'row ', 'rows').padStart(17)}${bytes === undefined ? '' : `   ${formatBytes(bytes).padStart(10)} read`}`);
    }
    if (totalBytes !== undefined) {
      const usd = (totalBytes / 1024 ** 4) * ON_DEMAND_USD_PER_TIB;
      s.log(`  bytes: ${formatBytes(totalBytes)} read in all (dry runs of each slice's statements), about $${usd.toFixed(2)} at $${ON_DEMAND_USD_PER_TIB} per TiB on demand; capacity pricing bills slots instead`);
      s.log(
        controls.maxBytesBilled !== undefined
          ? `  cap: each slice's MERGE is refused unbilled above ${formatBytes(controls.maxBytesBilled)} (backfill.max_bytes_billed)`
          : "  cap: each slice's MERGE is refused unbilled above 1.2 times its own dry run (set backfill.max_bytes_billed for a fixed cap)",
      );
    }
    const radius = await blastRadius(s, t.ctx);
    s.log(radius.length ? `  used by (what depends on the tables this touches): ${radius.join('; ')}` : '  used by: no view or foreign key other than the view uses legacy, the target or the view');
    s.log(
      rate
        ? `  estimate: about ${formatDuration(rows / rate)} at ${fmt(Math.round(rate))} legacy rows/s (measured on ${count(t.slices.filter((x) => x.status === 'done').length, 'done slice')})`
        : '  estimate: no slice has been timed yet; run one (e.g. --limit 1) and ask again',
    );
  }
}

/**
 * migrate backfill: one idempotent upsert per window, each asserted and
 * recorded in the ledger, run by the scheduler under the run controls.
 */
export async function runBackfill(options: BackfillOptions): Promise<void> {
  if (options.promote && (options.controls?.slice !== undefined || options.includeNullCursor || options.strategy)) {
    throw usageError('BAD_FLAG', 'promote moves the windows that were staged: --slice, --include-null-cursor and --strategy belong to the staging backfill', 'e.g. migrate backfill --all --strategy staging --slice week, then migrate promote --all');
  }
  const months = requestedMonths(options);
  const readOnly = Boolean(options.planOnly);
  if (readOnly && options.catalog) {
    throw usageError('CATALOG_NEEDS_DRY_RUN', 'backfill --plan counts legacy rows per window (and on BigQuery dry-runs each slice for the bytes it would read), which needs a connection; a catalog holds no rows', 'backfill --dry-run --catalog FILE prints the plan (its windows come from the catalog\'s legacy_profile)');
  }
  const command = options.promote ? 'promote' : 'backfill';
  // Where the engine admits one process per file, the run's progress for status in another shell (progressFile.ts).
  let progress: ReturnType<typeof withProgressFile> | undefined;
  try {
    await withSession(command, options, { readOnly, sharedLock: true }, async (s) => {
      const controls = resolveControls(s.config.backfill, options.controls ?? {}, { name: s.dialect.name, loadSignalNames: s.dialect.loadSignal?.names, billsBytes: s.dialect.capabilities.bytesBilledCap });
      const given = options.reporter ?? textReporter((text) => s.log(text.replace(/\n$/, '')), false);
      const progressFile = options.dryRun || readOnly ? undefined : s.dialect.progressFile?.(s.config.connection);
      if (progressFile) progress = withProgressFile(given, progressFile, { runId: s.run.runId, command });
      const reporter = progress ?? given;
      const units: Unit[] = [];
      const jobs: SliceJob[] = [];
      const after: Unit[] = [];
      const tables: TableBackfill[] = [];
      /** Tables whose legacy rows were found accounted for by this run's phase change. */
      const accounted = new Set<string>();
      const prepared = await s.preparedTables(options.planOnly ? PLAN_PHASES : RUN_PHASES, 'backfill', { beforeWriting: true });
      // dlt readers take the highest load id for the latest load: this run's comes after every load the datasets hold.
      s.run.loadId = nextLoadId(s.run.loadId, prepared.flatMap(({ ctx }) => ctx.dlt.loadIds));
      // Each slice its own load id (dlt registers one load per package; a slice is one transaction), across every table.
      const sliceLoadIds = loadIdSequence(s.run.loadId);
      for (const table of prepared) {
        // What the slices write (the target, or the staging table) and, for promote, what they read instead of legacy.
        const { ctx, state, source, promoted, setup, planSlices } = await sliceTarget(s, table, options, months, controls);
        const id = ctx.table.id;
        // The slices write the staging table, which the view does not read.
        const staged = ctx !== table.ctx;
        units.push(...setup);
        const keyIndex = keyIndexUnit(ctx, Boolean(options.createKeyIndex));
        if (keyIndex) units.push(keyIndex);
        if (ctx.table.cursorImmutable && ctx.upsert !== 'merge') {
          s.warn(`${id}: cursor_immutable has no effect here: its slices upsert with ${ctx.upsert === 'on_conflict' ? 'INSERT … ON CONFLICT' : 'INSERT … ON DUPLICATE KEY UPDATE'}, which finds each key through the unique index, not by a match the window could narrow`);
        }
        // Legacy's profile, read once per table whatever the slices write.
        const profile = await s.legacyProfile(table.ctx);
        if (months) refuseMonthsOutsideLegacy(id, months, profile, Boolean(options.allowEmpty));
        // slice: key: the table's chunks (the ledger's plan, or planned now); promote keeps the staging's plan.
        const chunks = keySliced(table.ctx, controls, planSlices, table.state.slices, Boolean(options.promote)) ? await tableChunks(s.reads, table.ctx, profile, planSlices, controls.chunkRows) : undefined;
        if (chunks && months) throw usageError('BAD_FLAG', `${id} is sliced by its key: it has no months to name`, 'run --all, or --chunk N for one chunk (migrate status lists them)');
        const { windows, skippedDone } = promoted ?? chooseWindows(options, months, controls, profile, state.slices, chunks);
        // Reported, not refused: the slice keeps each key's latest row.
        const noDuplicates = { keys: 0, rows: 0, tied: 0 };
        const duplicates =
          windows.length && !ctx.alignment.legacyKeyUnique && !source ? ((await s.reads.dataCheck(id, 'keys legacy holds more than once (reported only)', (conn) => duplicateKeys(conn, ctx))) ?? noDuplicates) : noDuplicates;
        const span = chunks ?? profileWindows(profile, controls.slice === 'key' ? 'month' : controls.slice);
        reporter.emit({
          event: 'table',
          table: id,
          legacy_rows: profile.totalRows,
          first_window: span[0]?.key,
          last_window: span[span.length - 1]?.key,
          windows: windows.length,
          already_done: skippedDone,
          null_key_rows: profile.nullKeyRows,
          null_cursor_rows: profile.nullCursorRows,
          ...(duplicates.keys ? { duplicate_keys: duplicates.keys } : {}),
          ...(duplicates.tied ? { tied_keys: duplicates.tied } : {}),
          ...(profile.deletedRows ? { deleted_rows: profile.deletedRows, hard_delete_column: ctx.dlt.hints?.hardDelete } : {}),
        });
        const { complete } = assessCompleteness(ctx, profile, state.slices, windows, chunks);
        const isComplete = async () => {
          const slices = (await s.state(ctx.table)).slices;
          if (!assessCompleteness(ctx, profile, slices, [], chunks).complete) return false;
          await assertRowsAccounted(s.conn, ctx, slices);
          accounted.add(id);
          return true;
        };
        // Staged rows are not kept for undo: the staging table is dropped and staged again instead.
        const keep = controls.keepPreimages && !staged;
        const plan = planBackfill(ctx, s.ledger, { windows, nextLoadId: sliceLoadIds, phase: state.phase, completes: complete, isComplete, validate: controls.validate, keepPreimages: keep, outsideView: staged, slices: state.slices, ...(source ? { source } : {}), ...(chunks ? { plan: chunks } : {}) });
        const preimages = plan.jobs.length && keepsPreimages(ctx, keep) ? preimageTableUnit(ctx, await s.reads.introspect(preimageTableRef(ctx, s.config.stateSchema))) : undefined;
        if (preimages) units.push(preimages);
        units.push(...plan.units);
        jobs.push(...plan.jobs);
        after.push(...plan.after);
        tables.push({ ctx, profile, windows, slices: state.slices, jobs: plan.jobs, staged, chunks });
      }
      if (options.planOnly) return printPreflight(s, tables, controls);

      const stop = options.stop ?? new StopSignal();
      await s.execute(units, {
        jobs,
        after,
        runJobs: (scheduled, exec) =>
          runSlices(scheduled, exec, {
            controls,
            dialect: s.dialect,
            ledger: s.ledger,
            reporter,
            stop,
            runId: s.run.runId,
            command,
            // Promote chooses exactly the windows not promoted since they were staged: one done before (staged again since) is redone.
            redoDone: controls.rerun || !options.all || Boolean(options.promote),
            openConnection: s.dialect.capabilities.concurrentSlices ? () => s.openConnection() : undefined,
            runAlive: (runId) => s.runAlive(runId),
            markInterrupted: (runId) => s.markInterrupted(runId),
          }),
    });
    for (const t of tables) {
      const id = t.ctx.table.id;
      const slices = options.dryRun ? t.slices : (await s.state(t.ctx.table)).slices;
      // Windows another live process is merging right now (a backfill beside this one) are neither done nor missing.
      const others = options.dryRun ? new Map<string, Window[]>() : await windowsOfOtherLiveRuns(s, slices);
      const inProgress = [...others.values()].flat();
      const { complete, unhandled } = assessCompleteness(t.ctx, t.profile, slices, options.dryRun ? t.windows : inProgress, t.chunks, Boolean(options.promote));
      const working = [...others].map(([run, ws]) => `run ${run} is still working on ${ws.map((w) => w.key).join(', ')}`);
      if (complete && working.length) {
        s.log(`${id}: not complete yet: ${working.join('; ')}; the table is complete once ${working.length === 1 ? 'it finishes' : 'they finish'}`);
      } else if (complete) {
        // Counted once: the phase change just before asked the same (a full scan of legacy grouped by day).
        if (!options.dryRun && !accounted.has(id)) await assertRowsAccounted(s.conn, t.ctx, slices);
        const deleted = t.profile.deletedRows ? ` but the ${count(t.profile.deletedRows, 'row', 'rows')} dlt's merge would delete` : '';
        const where = t.staged ? `the staging table ${formatTableRef(t.ctx.target.ref)} (the target is untouched: migrate promote --all moves it in)` : 'the target';
        s.log(`${id}: complete: every legacy row is in ${where}${deleted}${options.dryRun ? ' once this plan has run' : ''}`);
      } else {
        s.log(`${id}: NOT complete:`);
        [...working, ...unhandled].forEach((u) => s.log(`  - ${u}`));
      }
    }
    });
  } finally {
    progress?.remove();
  }
}

/**
 * What a table's slices write and read. Direct: the target, from legacy. Staging (strategy: staging, or --strategy):
 * the staging table, from legacy, under the staging's own ledger id. Promote: the target, from the staging table's
 * staged windows.
 */
async function sliceTarget(
  s: Session,
  table: { ctx: TableContext; state: TableState },
  options: BackfillOptions,
  months: MonthRange | undefined,
  controls: BackfillControls,
): Promise<{ ctx: TableContext; state: TableState; setup: Unit[]; planSlices: SliceRecord[]; source?: SliceSource; promoted?: { windows: Window[]; skippedDone: number } }> {
  const { ctx, state } = table;
  if (options.promote) {
    const staging = await readStaging(s, ctx);
    const source = promoteSource(ctx, staging);
    if (s.config.cutover.requireApproval) await checkApproval(s, staging.ctx, staging.state.slices.map((x) => x.windowKey), 'promote');
    const staged = staging.state.slices.filter((x) => x.status === 'done').length;
    let windows = promoteWindows(ctx.table.id, staging.state, state, months, controls.rerun || options.chunk !== undefined, await s.legacyProfile(ctx));
    // --chunk N: that staged chunk alone, promoted again whether or not it was.
    if (options.chunk !== undefined) windows = [chunkWindow(windows, options.chunk)];
    if (controls.newestFirst) windows.reverse();
    // A column dlt added to the target since the staging was made is added to it too, NULL in the staged rows: refused
    // where legacy feeds it (the staged rows lack its values: stage again), added where nothing does.
    refuseStaleStaging(ctx, staging);
    const columns = stagingTableUnit(ctx, staging.ctx, staging.existing, true);
    return { ctx, state, setup: columns ? [columns] : [], planSlices: staging.state.slices, source, promoted: { windows, skippedDone: months || options.chunk !== undefined ? 0 : staged - windows.length } };
  }
  if ((options.strategy ?? ctx.table.strategy ?? 'direct') !== 'staging') return { ctx, state, setup: [], planSlices: state.slices };
  const staging = await stagingBackfill(s, ctx);
  return { ctx: staging.ctx, state: staging.state, setup: staging.unit ? [staging.unit] : [], planSlices: staging.state.slices };
}

/**
 * Is the table sliced by its key? When it has no cursor, or `slice: key` says so; promote follows what was staged.
 * A table's windows are all of one kind, in its ledger and its staging's alike (promote carries the staging's into
 * the table's): chunks and periods cannot tell each other's rows apart.
 */
function keySliced(ctx: TableContext, controls: BackfillControls, slices: SliceRecord[], tableSlices: SliceRecord[], promote: boolean): boolean {
  const id = ctx.table.id;
  const all = [...slices, ...tableSlices];
  const chunked = all.some((x) => parseWindowKey(x.windowKey)?.chunk);
  const periods = all.some((x) => !parseWindowKey(x.windowKey)?.chunk);
  const keyed = promote ? recordedChunks(slices).length > 0 : controls.slice === 'key' || !ctx.alignment.cursor;
  if (keyed && periods) throw usageError('BAD_FLAG', `${id} was backfilled (or staged) by periods of its cursor: it cannot be sliced by key too`, 'keep slice: month, week or day for it (or undo those runs, or drop the staging, first)');
  if (!keyed && chunked) throw usageError('BAD_FLAG', `${id} was backfilled (or staged) in chunks of its key: keep slice: key for it`, 'e.g. migrate backfill --all --slice key');
  return keyed;
}

/** The running slices of other runs that are still alive (they hold their run lock), by run. */
async function windowsOfOtherLiveRuns(s: Session, slices: SliceRecord[]): Promise<Map<string, Window[]>> {
  const byRun = new Map<string, Window[]>();
  for (const slice of slices) {
    if (slice.status !== 'running' || slice.runId === null || slice.runId === s.run.runId) continue;
    const window = parseWindowKey(slice.windowKey);
    if (!window || !(byRun.has(slice.runId) || (await s.runAlive(slice.runId)))) continue;
    byRun.set(slice.runId, [...(byRun.get(slice.runId) ?? []), window]);
  }
  return byRun;
}
