import { type Window } from '../backfill/windows';
import { checkStitchedDistribution, checkWindowKeysOnce, checkWindowKeysPresent } from '../lifecycle/assertions';
import type { Phase } from '../lifecycle/phases';
import type { LedgerWriter } from '../ledger/writes';
import { type TableContext, keyLabel, keyMatch, keyNames, legacyKeysSql, legacyRowsSql, rawKeyNotNull, renderFor } from './tableContext';
import { targetWindowPredicate, windowPredicate } from './windowPredicate';
import type { SliceJob, Step, Unit } from './types';
import { scd2SliceSteps, scd2TableSteps } from './scd2';
import { loadIdColumnOf, loadIdValueOf, upsertValues } from './upsert';
import { censusSteps, distributionStep, missingKeysSql } from './views';
import { type VerifySpec, verifySpec, windowValidationSteps } from './verify';
import { differsGuard, fastPathApplies, fastValidation, freshFlag, freshInsertStep, windowStateSteps } from './windowState';
import { racesLiveInserts } from './upsertStyle';
import { hasUniqueKeyOn } from '../align/alignment';
import { keepsPreimages, preimageCaptureSteps } from './preimages';

export interface BackfillPlanInput {
  windows: Window[];
  /** dlt's load id of each slice's rows, in turn (epoch seconds with a fraction, as text): one per slice, see dlt/loadId.ts. */
  nextLoadId: () => string;
  phase: Phase;
  /** After these windows every legacy row is in a done window: record the table as backfilled. */
  completes: boolean;
  /** Check and mark each window in its slice's transaction (validate as you go); otherwise only MERGE's missing-keys check runs. */
  validate: boolean;
  /** Keep what each slice replaces and inserts, for migrate undo (backfill.keep_preimages; plan/preimages.ts). Default: true. */
  keepPreimages?: boolean;
  /** Upsert these rows of each window instead of legacy's (migrate promote: the staging table's); no fast path then. */
  source?: SliceSource;
  /** The slices write a table the view does not read (the staging table): the view's checks after the run are left out. */
  outsideView?: boolean;
  /** slice: key: every chunk of the table's plan, registered with this run's windows (those not run stay pending). */
  plan?: Window[];
  /** The table's ledger rows as the plan read them: what each printed claim expects (none: pending). */
  slices?: ReadonlyArray<{ windowKey: string; status: string; runId: string | null }>;
}

/** Where a slice's rows come from, when not legacy: the rows of a window, already in the target's shape, and a name for them. */
export interface SliceSource {
  rows: (window: Window) => string;
  describe: string;
}

/** The slice's source: the window's legacy rows with a key, de-duplicated by key, in the target's shape. */
export function sliceSourceSql(ctx: TableContext, window: Window, guard?: string): string {
  return legacyRowsSql(ctx, `${windowPredicate(ctx, window)} AND ${rawKeyNotNull(ctx)}${guard ? ` AND ${guard}` : ''}`);
}

/** The slice's upsert, in the shape chosen for this table (MERGE, ON CONFLICT or ON DUPLICATE KEY UPDATE); its source guarded on the fast path. */
export function mergeSql(ctx: TableContext, window: Window, loadId: string, source = sliceSourceSql(ctx, window)): string {
  return renderFor(ctx, `slice_${ctx.upsert}`, sliceUpsertValues(ctx, window, loadId, source));
}

/**
 * The upsert's values for one window. With `cursor_immutable: true` a MERGE matches target rows of the window
 * alone: the window's bounds, as constants on the target's cursor, in the MERGE's ON, where BigQuery prunes the
 * target to the window's partitions (and any engine can use an index or clustering on the cursor). Safe only because
 * a key's cursor never changes: a key held under another window's cursor would be inserted again, and the slice's
 * keys-twice check (keysOnceSteps) then rolls it back.
 */
function sliceUpsertValues(ctx: TableContext, window: Window, loadId: string, source: string) {
  const values = upsertValues(ctx, source, loadId);
  if (!prunesTarget(ctx)) return values;
  return { ...values, key_match: `${String(values.key_match)} AND ${targetWindowPredicate(ctx, window, 't')}` };
}

/** Does each slice's MERGE match only the window's target rows (cursor_immutable)? ON CONFLICT and ON DUPLICATE KEY have no ON to narrow. */
const prunesTarget = (ctx: TableContext) => Boolean(ctx.table.cursorImmutable) && ctx.upsert === 'merge';

const UPSERT_INTENT = { merge: 'Merge', on_conflict: 'Upsert (INSERT … ON CONFLICT)', on_duplicate_key: 'Upsert (INSERT … ON DUPLICATE KEY UPDATE)' } as const;

/**
 * Where the slice could race a live writer, writers wait for the slice (readers do not), on engines that can
 * hold them off: a MERGE without a unique index on the key could insert a key a live writer inserts at the same
 * moment; and on an scd2 target a live load could add a current version after the slice closed superseded ones
 * and before it commits (dlt's retire step does not see the slice's uncommitted rows), leaving two current.
 */
function writerLockSteps(ctx: TableContext): Step[] {
  if (!ctx.dialect.capabilities.mergeLocksOutWriters) return [];
  const why = ctx.alignment.scd2
    ? `a live scd2 load could add a current version of a record this slice writes, unseen by both`
    : ctx.upsert === 'merge'
      ? `without a unique index on the key, MERGE could insert a key a live writer inserts at the same moment (a unique index on ${keyLabel(ctx)} makes this lock unnecessary)`
      : undefined;
  if (!why) return [];
  return [{ intent: `Hold off the target's writers until this slice commits: ${why}`, kind: 'exec', sql: renderFor(ctx, 'lock_target_for_merge', { target: ctx.q.target }) }];
}

/** What planBackfill gives the session: units to run first, one job per window, and the closing checks. */
export interface BackfillPlan {
  units: Unit[];
  jobs: SliceJob[];
  after: Unit[];
}

/**
 * The counted upsert: where the upsert itself answers with the engine's own count columns (Snowflake's MERGE),
 * it is the slice's upsert run as a query, its columns kept as to_insert and upsert_updated and then recorded in the
 * slice's tally (LedgerWriter.tallyBoundStep); elsewhere a template of its own records what it did in the tally
 * (PostgreSQL's slice_on_conflict_counted, with RETURNING).
 */
function countedUpsert(ctx: TableContext): Pick<Step, 'captureAs'> & { template: string } {
  const cols = ctx.dialect.upsertResultColumns;
  if (!cols) return { template: `slice_${ctx.upsert}_counted` };
  return { template: `slice_${ctx.upsert}`, captureAs: { [cols.inserted]: 'to_insert', [cols.updated]: 'upsert_updated' } };
}

/**
 * The slice's upsert, and its counts recorded in the slice's tally (LedgerWriter.tallySetStep). Where the engine can
 * say in the upsert itself how many rows it inserted and updated (PostgreSQL's RETURNING, Snowflake's result row),
 * nothing probes the target beforehand; elsewhere the keys the target lacks are counted first, and the rows updated
 * either from the engine's count of the upsert (MySQL's ROW_COUNT()) or, first, as the rows it will update.
 */
function upsertSteps(ctx: TableContext, ledger: LedgerWriter, window: Window, loadId: string, source: string, p: { fastPath: boolean; from?: string }): Step[] {
  const { fastPath } = p;
  const id = ctx.table.id;
  const origin = p.from ? `, from ${p.from}` : ctx.alignment.legacyKeyUnique ? ", legacy's key is declared unique" : ', source de-duplicated by key, latest row wins';
  const intent = `${UPSERT_INTENT[ctx.upsert]} the window into the target${fastPath ? ' if it differs' : ''} (idempotent: keyed on ${keyLabel(ctx)}${origin})`;
  const values = sliceUpsertValues(ctx, window, loadId, source);
  const tally = ledger.tallyValues(id, window);
  // On the fast path the window's legacy rows are already counted (windowStateSteps), and every statement here
  // reads nothing unless the window's recorded state is 'differs'.
  if (ctx.dialect.capabilities.countedUpserts.includes(ctx.upsert)) {
    const counted = countedUpsert(ctx);
    const legacyCount = () => `(${renderFor(ctx, 'legacy_window_count', { legacy: ctx.q.legacy, window: windowPredicate(ctx, window) })})`;
    const count = () => ledger.tallySetStep(id, window, "Count the legacy rows of the window, into the slice's tally", { legacy_rows: legacyCount() });
    const upsert: Step = counted.captureAs
      ? { intent: `${intent}, counting the rows it inserts and updates`, kind: 'query', captureRow: true, captureAs: counted.captureAs, sql: renderFor(ctx, counted.template, values) }
      : { intent: `${intent}, counting the rows it inserts and updates into the slice's tally`, kind: 'exec', sql: renderFor(ctx, counted.template, { ...values, ...tally }) };
    return [...(fastPath ? [] : [count()]), upsert, ...(counted.captureAs ? [ledger.tallyBoundStep(id, window)] : [])];
  }
  const after = ctx.dialect.lastRowCount;
  const counts: Step = {
    intent: `${fastPath ? 'If the window differs, count' : 'Count the legacy rows of the window,'} the keys the target does not hold yet${after ? '' : ' and the rows the upsert will update'}, into the slice's tally`,
    kind: 'exec',
    sql: renderFor(ctx, 'window_counts', {
      ...tally,
      legacy: fastPath ? undefined : ctx.q.legacy,
      window: windowPredicate(ctx, window),
      source,
      target: ctx.q.target,
      key_match: keyMatch(ctx, 't', 's'),
      update_match: String(values.key_match),
      update_when: after || !values.update_set ? undefined : values.update_when,
    }),
  };
  return [
    counts,
    { intent, kind: 'exec', sql: renderFor(ctx, `slice_${ctx.upsert}`, values) },
    ...(after ? [ledger.tallySetStep(id, window, "Record the rows the upsert updated, from the engine's count of it, in the slice's tally", { rows_updated: after.updatedByUpsert('rows_inserted') })] : []),
  ];
}

/**
 * Without validation, a MERGE is still followed by the check that every
 * legacy key of the window is now in the target. An upsert through a unique
 * index on the key (ON CONFLICT, ON DUPLICATE KEY) leaves no other outcome
 * once it succeeds. Validation (the default) counts missing keys itself.
 */
function keysPresentSteps(ctx: TableContext, ledger: LedgerWriter, window: Window, otherSource = false): Step[] {
  if (ctx.upsert !== 'merge' && !otherSource) return [];
  const missing = missingKeysSql(ctx, windowPredicate(ctx, window));
  const rule = 'every legacy key of the window is now in the target';
  return [
    { intent: `Assert: ${rule}`, expect: 'missing_keys = 0', kind: 'query', sql: missing, check: checkWindowKeysPresent(ctx.table.id, window.key) },
    ledger.assertionGuardStep(`${ctx.table.id} ${window.key}: ${rule}`, { query: missing, found: 'q.missing_keys', violated: 'q.missing_keys > 0' }),
  ];
}

/**
 * Where a MERGE could race a live writer's INSERT of the same key and nothing holds writers off (the engine has no
 * such lock, and several processes may write: Snowflake), the slice checks in its own transaction that no key of
 * the window is now in the target twice, and rolls back if one is. Engines that hold writers off (PostgreSQL),
 * upsert through a unique index (MySQL/MariaDB) or admit one writing process (DuckDB) need no such check.
 */
function keysOnceSteps(ctx: TableContext, ledger: LedgerWriter, window: Window): Step[] {
  if (!racesLiveInserts(ctx) && !prunesTarget(ctx)) return [];
  const check = keysOnceStep(ctx, window, 'in the slice');
  return [check, ledger.assertionGuardStep(`${ctx.table.id} ${window.key}: no key of the window is in the target twice`, { query: check.sql, found: 'q.keys_twice', violated: 'q.keys_twice > 0' })];
}

function keysOnceStep(ctx: TableContext, window: Window, when: 'in the slice' | 'after commit'): Step {
  return {
    intent:
      when === 'after commit'
        ? 'Assert: no key of the window is in the target twice now that the slice has committed'
        : racesLiveInserts(ctx)
          ? 'Assert: no key of the window is in the target twice (a live insert racing the merge)'
          : "Assert: no key of the window is in the target twice (cursor_immutable: the target held it under another window's cursor)",
    expect: 'keys_twice = 0',
    kind: 'query',
    sql: renderFor(ctx, 'window_keys_twice', {
      t_key: keyNames(ctx, 't'),
      target: ctx.q.target,
      legacy_keys: legacyKeysSql(ctx, windowPredicate(ctx, window)),
      key_match: keyMatch(ctx, 't', 'a'),
    }),
    check: checkWindowKeysOnce(ctx.table.id, window.key, when, prunesTarget(ctx)),
  };
}

/**
 * The in-slice check cannot see every live insert: BigQuery's transaction reads a snapshot taken when it began,
 * so a row a writer appended meanwhile (a dlt append load, a streaming insert) is invisible to it, and on Snowflake
 * a writer may commit between the check and COMMIT. Once the slice has committed, a key of the window held twice,
 * once as the slice wrote it (its load id) and once as the writer loaded it, loses the slice's row (live data wins),
 * and the check runs again. Each statement commits on its own: a failed check must not bring a removed row back.
 * A target without a load id column cannot tell the slice's rows apart, so there it only checks.
 */
function settleUnit(ctx: TableContext, window: Window, loadId: string): Unit | undefined {
  if (!racesLiveInserts(ctx)) return undefined;
  const id = ctx.table.id;
  const loadIdColumn = loadIdColumnOf(ctx);
  const steps: Step[] = [];
  if (loadIdColumn) {
    const column = ctx.dialect.quoteIdent(loadIdColumn.target.name);
    const slice = loadIdValueOf(ctx, loadIdColumn, loadId);
    steps.push({
      intent: "Remove this slice's row of any key of the window a live writer loaded while the slice ran (live data wins)",
      kind: 'exec',
      captureChanged: 'live_kept',
      sql: renderFor(ctx, 'window_keys_twice_repair', {
        target: ctx.q.target,
        load_id: column,
        slice_load_id: slice,
        legacy_keys: legacyKeysSql(ctx, windowPredicate(ctx, window)),
        key_match_a: keyMatch(ctx, 't', 'a'),
        key_match_o: keyMatch(ctx, 'o', 't'),
        other_load: ctx.dialect.isDistinct(`o.${column}`, slice),
      }),
    });
  }
  steps.push(keysOnceStep(ctx, window, 'after commit'));
  return {
    title: `${id} ${window.key}: check after commit`,
    atomic: false,
    steps,
    report: (vars) => {
      const kept = Number(vars.get('live_kept') ?? 0);
      return kept > 0 ? [`${id} ${window.key}: a live writer loaded ${kept === 1 ? '1 key' : `${kept} keys`} of this window while the slice ran; the writer's ${kept === 1 ? 'row was' : 'rows were'} kept and the slice's removed (live data wins)`] : [];
    },
  };
}

/** Where the target's dataset registers dlt loads, the slice registers this run's (the first slice that changes rows does). */
function dltLoadSteps(ctx: TableContext, ledger: LedgerWriter, window: Window, loadId: string): Step[] {
  const loads = ctx.dlt.loads;
  if (!loads) return [];
  return ledger.dltLoadSteps(ctx.table.id, window, { loads, loadId, schemaName: ctx.dlt.schemaName, versionHash: ctx.dlt.versionHash });
}

/** The merge of one window: upsert + assertions + ledger "done", as one transaction. */
type SliceOptions = Pick<BackfillPlanInput, 'validate' | 'keepPreimages' | 'source'>;

function sliceUnit(spec: VerifySpec, ledger: LedgerWriter, window: Window, loadId: string, options: SliceOptions): Unit {
  const { ctx } = spec;
  const id = ctx.table.id;
  // The fast path compares legacy's window with what its last slice recorded: a slice from another source has no such record.
  const fast = !options.source && fastPathApplies(ctx);
  const { validate } = options;
  const keep = keepsPreimages(ctx, options.keepPreimages ?? true);
  // Without validation a promote still checks every legacy key of the window arrived: its source is the staging
  // table, which may lack a key legacy gained since, whatever the upsert's shape.
  const checks = validate ? windowValidationSteps(spec, ledger, window, fast ? fastValidation(spec, ledger, window) : undefined) : [...keysPresentSteps(ctx, ledger, window, Boolean(options.source)), ledger.validationClearStep(id, window)];
  const race = { lost: false };
  // The upsert's guard on the fast path (it writes only where the window differs); the pre-images share it.
  const guard = fast ? differsGuard(ctx, ledger, window) : undefined;
  const source = options.source ? options.source.rows(window) : sliceSourceSql(ctx, window, guard);
  const captures = keep ? preimageCaptureSteps(ctx, ledger, window, source) : [];
  const upsert = upsertSteps(ctx, ledger, window, loadId, source, { fastPath: fast, from: options.source?.describe });
  const writes = fast
    ? [
        ...windowStateSteps(spec, ledger, window, validate, race),
        freshInsertStep(ctx, ledger, window, (freshGuard) => sliceSourceSql(ctx, window, freshGuard), loadId, race),
        ...captures,
        ...upsert,
      ]
    : [...captures, ...upsert];
  const undoRecord = keep ? [ledger.undoRecordStep(id, window, loadId, fast ? freshFlag(ctx, ledger, window) : undefined)] : [];
  return {
    title: `${id} ${window.key}: backfill`,
    atomic: true,
    steps: [
      ...writerLockSteps(ctx),
      ledger.sliceHeldGuardStep(id, window),
      ledger.figuresClearStep(id, window),
      ...writes,
      ...keysOnceSteps(ctx, ledger, window),
      ...scd2SliceSteps(ctx, sliceSourceSql(ctx, window), windowPredicate(ctx, window)),
      ...checks,
      ...dltLoadSteps(ctx, ledger, window, loadId),
      ledger.sliceDoneStep(id, window),
      ledger.sliceHistoryStep(id, window),
      ...undoRecord,
      ledger.tallyReadStep(id, window, fast ? ledger.windowStateValue(id, window, 'state') : undefined),
    ],
    onFailure: [ledger.sliceFailedStep(id, window), ledger.validationClearStep(id, window)],
  };
}

/** A window's slice unit, and what checks it after commit where the engine needs that; both write with the same load id. */
function sliceAndSettle(spec: VerifySpec, ledger: LedgerWriter, window: Window, loadId: string, options: SliceOptions): Pick<SliceJob, 'slice' | 'settle'> {
  const settle = settleUnit(spec.ctx, window, loadId);
  return { slice: sliceUnit(spec, ledger, window, loadId, options), ...(settle ? { settle } : {}) };
}

/**
 * "No key twice in the view, and its rows add up to the distinct keys": the
 * view takes legacy rows only where the target lacks the key, so the census
 * can only fail through a key held twice by legacy or by the target. When
 * legacy declares its key unique and the target holds a unique key on it (the
 * upsert runs through one, or a MERGE target declares one: DuckDB's primary
 * key), the engine rules both out, and the census (a full aggregation of the
 * view, whose hash table took DuckDB 400 MB past its memory limit at 2.5M
 * rows) is skipped. Engines that do not enforce declared keys (Snowflake,
 * BigQuery) report none, so there it always runs.
 */
function viewCensusSteps(ctx: TableContext, ledger: LedgerWriter): Step[] {
  const targetKeyUnique = ctx.upsert !== 'merge' || hasUniqueKeyOn(ctx.target, ctx.alignment.key.map((k) => k.target.name));
  return ctx.alignment.legacyKeyUnique && targetKeyUnique ? [] : censusSteps(ctx, ledger);
}

/**
 * A table's backfill: register its windows in the ledger, then one job per
 * window (claim, then merge + assert + record in one transaction), then the
 * whole-view checks once the slices have run, and the phase change when every
 * window is done. `isComplete` is asked at that point: with other workers on
 * the same table, this run's windows alone do not decide it.
 */
export function planBackfill(ctx: TableContext, ledger: LedgerWriter, input: BackfillPlanInput & { isComplete: () => Promise<boolean> }): BackfillPlan {
  const id = ctx.table.id;
  const backfilledUnit: Unit = { title: `${id}: every window is done`, atomic: false, steps: [ledger.setPhaseStep(id, 'backfilled')] };
  if (input.windows.length === 0) {
    return { units: input.completes && input.phase !== 'backfilled' ? [backfilledUnit] : [], jobs: [], after: [] };
  }
  // slice: key: the whole plan is registered (pending), whichever chunks this run takes, so the next run meets it whole.
  const planned = (input.plan ?? []).filter((w) => !input.windows.some((x) => x.key === w.key));
  const register: Step[] = [ledger.registerWindowsStep(id, [...input.windows, ...planned])];
  // Only forward: a reviewed file run after the table moved on past backfilling stops here instead of moving it back.
  // (A staging table's own phase is new until its first backfill.)
  if (input.phase === 'stitched') register.push(ledger.phaseGuardStep(id, ['new', 'stitched', 'backfilling']), ledger.setPhaseStep(id, 'backfilling'));
  const spec = verifySpec(ctx);
  // The claim the plan prints expects the window's row as read now; a window this run registers is pending.
  const read = new Map((input.slices ?? []).map((r) => [r.windowKey, r]));
  const asRead = (window: Window) => {
    const row = read.get(window.key);
    return row ? { status: row.status, runId: row.runId } : { status: 'pending', runId: null };
  };
  const jobs: SliceJob[] = input.windows.map((window) => ({
    tableId: id,
    window,
    claim: (expected) => ({ title: `${id} ${window.key}: claim the slice`, atomic: false, steps: ledger.sliceClaimSteps(id, window, expected) }),
    planned: asRead(window),
    ...sliceAndSettle(spec, ledger, window, input.nextLoadId(), input),
  }));
  const after: Unit[] = input.outsideView
    ? []
    : [
        {
          title: `${id}: check the view after this run's slices`,
          atomic: false,
          steps: [...viewCensusSteps(ctx, ledger), ...scd2TableSteps(ctx), distributionStep(ctx, "Show the view's source distribution", "only 'legacy' and 'dlt'", checkStitchedDistribution(id, `${id}: view after backfill`))],
        },
      ];
  // Where this run's windows alone do not complete the table, other processes may finish the rest meanwhile:
  // whichever run ends last records the phase.
  if (input.phase !== 'backfilled') {
    after.push({ ...backfilledUnit, when: input.isComplete, contendedOnly: !input.completes });
  }
  return { units: [{ title: `${id}: register the windows`, atomic: false, steps: register }], jobs, after };
}
