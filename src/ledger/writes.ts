import type { Dialect, SqlValue } from '../../dialects/types';
import type { Window } from '../backfill/windows';
import type { Phase } from '../lifecycle/phases';
import { type TemplateValues, renderStatement, renderTemplate } from '../sql/template';
import { ddlUnitMode, type SliceExpectation, type Step, type Unit, type Vars } from '../plan/types';
import { checkLoadIdOurs, checkSliceStillOurs } from '../lifecycle/assertions';
import { count } from '../plural';
import type { TableRef } from '../config/types';
import { formatTableRef } from '../config/tableRef';
import { dltColumns } from '../dlt/dataset';
import type { RunIdentity } from '../exec/runContext';

/**
 * Bookkeeping statements for the ledger in the state schema. Values known
 * when planning are rendered as literals: the table, window and phase, and
 * this run's identity (run id, command, arguments, tool version, operator),
 * so the printed plan records the run when a client runs it as it is. A
 * slice's counts are recorded by the statements that measure them, in its
 * tally (slice_tallies), and read from there. Values known only to migrate
 * while running (an error's text, a verify's findings) are bound parameters.
 */
export class LedgerWriter {
  constructor(
    private readonly dialect: Dialect,
    readonly stateSchema: string,
    private readonly run: RunIdentity,
  ) {}

  /** What every ledger statement is rendered with; the same for the writer's life, so built once. */
  private common: Record<string, string> | undefined;

  private values(extra: TemplateValues = {}) {
    if (!this.common) {
      const d = this.dialect;
      const placeholders = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`p${i}`, d.placeholder(i)]));
      const { keyOptions, ...types } = d.stateTypes;
      const run = this.run;
      this.common = {
        state: d.quoteIdent(this.stateSchema),
        now: d.now,
        ...types,
        key_options: keyOptions ?? '',
        ...placeholders,
        run_id: d.stringLiteral(run.runId),
        run_command: d.stringLiteral(run.command),
        run_arguments: d.stringLiteral(run.arguments),
        run_tool_version: d.stringLiteral(run.toolVersion),
        run_operator: d.stringLiteral(run.operator),
      };
    }
    return { ...this.common, ...extra };
  }

  private render(op: string, extra: TemplateValues = {}): string {
    return renderStatement(this.dialect.templates, op, this.values(extra));
  }

  /** This run's id as the dialect's literal: for the plan's own statements that record it (pre-images). */
  get runIdLiteral(): string {
    return this.dialect.stringLiteral(this.run.runId);
  }

  /** A table of the ledger, qualified by the state schema. */
  private ledgerTable(name: string): string {
    return `${this.dialect.quoteIdent(this.stateSchema)}.${name}`;
  }

  private literal(value: string | undefined | null): string {
    return value === undefined || value === null ? 'NULL' : this.dialect.stringLiteral(value);
  }

  /** Creates the state schema and its tables if missing (idempotent). */
  ensureStateUnit(): Unit {
    const statements = [...renderTemplate(this.dialect.templates, 'state_tables', this.values()), ...renderTemplate(this.dialect.templates, 'state_assertions', this.values())];
    return {
      title: `ledger: make sure the state schema ${this.stateSchema} exists`,
      ...ddlUnitMode(this.dialect),
      createsIfMissing: true,
      steps: statements.map((sql, i) => ({
        intent: i === 0 ? 'Create the state schema if missing' : 'Create a ledger table if missing',
        kind: 'exec' as const,
        sql,
      })),
    };
  }

  /**
   * A check as a statement that fails where its rule is broken: `query` (the check's own, as `q`) where `violated`
   * holds, `found` saying how much. A client running the printed plan stops there, as migrate does; migrate's own
   * check of the same rule runs first and says what it found, so in migrate this one passes.
   */
  assertionGuardStep(rule: string, check: { query: string; found: string; violated: string }): Step {
    const violations = this.render('violations', check);
    return {
      intent: `Assert, for a client running this plan: ${rule}`,
      kind: 'exec',
      sql: this.render('assertion_guard', { message: this.literal(`assertion failed: ${rule}; found `), violations }),
    };
  }

  /** The table is in one of `allowed` phases (none recorded: "new"), as when the plan was made. */
  phaseGuardStep(tableId: string, allowed: readonly string[]): Step {
    return this.assertionGuardStep(`${tableId} is in a phase this plan was made for (${allowed.join(', ')})`, {
      query: this.render('ledger_phase_now', { table_name: this.literal(tableId) }),
      found: 'q.phase',
      violated: `q.phase NOT IN (${allowed.map((p) => this.literal(p)).join(', ')})`,
    });
  }

  /** The windows a plan counted as validated are so in the ledger still (a verify since may have failed one). */
  stillValidatedGuardStep(tableId: string, windowKeys: readonly string[]): Step {
    return this.assertionGuardStep(`${tableId}: the ${windowKeys.length} windows this plan counts as validated are so in the ledger still`, {
      query: this.render('ledger_still_validated', { table_name: this.literal(tableId), window_keys: windowKeys.map((k) => this.literal(k)).join(', ') }),
      found: `${windowKeys.length} - q.still_validated`,
      violated: `q.still_validated < ${windowKeys.length}`,
    });
  }

  /** Who holds a table's operator lock: read by the refused operator (binds the table id). */
  lockHolderReadSql(): string {
    return this.render('lock_holder_read');
  }

  /** Records the new holder (binds table id, run id, command, operator). */
  lockHolderWriteSql(): string {
    return this.render('lock_holder_write');
  }

  /** Removes this run's holder row of a table when it releases the lock (binds table id, run id). */
  lockHolderClearSql(): string {
    return this.render('lock_holder_clear');
  }

  /** The runs the log has as running, other than this one (binds this run's id). */
  runsRunningSql(): string {
    return this.render('runlog_read_running');
  }

  /** Marks a run whose process is gone as interrupted (binds the note, the run id). */
  runInterruptedSql(): string {
    return this.render('runlog_interrupted');
  }

  runStartUnit(): Unit {
    return {
      title: 'ledger: open the run log entry',
      atomic: false,
      steps: [
        {
          intent: 'Record this run (command, arguments, tool version, operator)',
          kind: 'exec',
          sql: this.render('runlog_start'),
        },
      ],
    };
  }

  /** Closes the run log entry: the plan prints it as succeeded; a failed apply runs it with the error instead. */
  runFinishStep(outcome: 'succeeded' | 'failed', error: string | null): Step {
    return {
      intent: 'Record how the run ended',
      kind: 'exec',
      sql: this.render('runlog_finish', { outcome: this.literal(outcome), error: this.literal(error) }),
    };
  }

  setPhaseStep(tableId: string, phase: Phase, archiveName?: string | null): Step {
    return {
      intent: `Record ${tableId} as "${phase}"`,
      kind: 'exec',
      sql: this.render('ledger_set_phase', {
        table_name: this.literal(tableId),
        phase: this.literal(phase),
        archive_name: this.literal(archiveName),
      }),
    };
  }

  /** retire --drop's intent, recorded before the DROP (this run's id, as a literal): an interrupted drop is then finished, not refused. */
  dropIntentStep(tableId: string, archiveName: string): Step {
    return {
      intent: `Record that ${tableId}'s archive ${archiveName} is being dropped`,
      kind: 'exec',
      sql: this.render('ledger_drop_intent', { table_name: this.literal(tableId), archive_name: this.literal(archiveName) }),
    };
  }

  /** The snapshot retire took of legacy, under this run's id. */
  snapshotRecordStep(tableId: string, snapshotName: string): Step {
    return {
      intent: `Record the snapshot ${snapshotName} of ${tableId}'s legacy table`,
      kind: 'exec',
      sql: this.render('ledger_snapshot_record', { table_name: this.literal(tableId), snapshot_name: this.literal(snapshotName) }),
    };
  }

  /** retire --drop --drop-snapshot dropped the snapshot. */
  snapshotForgetStep(tableId: string, snapshotName: string): Step {
    return {
      intent: `Remove the dropped snapshot ${snapshotName} from the ledger`,
      kind: 'exec',
      sql: this.render('ledger_snapshot_forget', { table_name: this.literal(tableId), snapshot_name: this.literal(snapshotName) }),
    };
  }

  /** Which legacy and target tables the id stands for, kept the first time (see ledger/identity.ts). */
  identityStep(tableId: string, legacy: string, target: string): Step {
    return {
      intent: `Record that ${tableId} migrates ${legacy} into ${target}, unless the ledger already knows`,
      kind: 'exec',
      sql: this.render('ledger_identity_record', { table_name: this.literal(tableId), legacy_table: this.literal(legacy), target_table: this.literal(target) }),
    };
  }

  private sliceValues(tableId: string, window: Window) {
    // A window with no period (NULL cursor, a key chunk) has typed NULL bounds: in a VALUES list of such windows
    // alone, nothing else would tell the engine (Snowflake) that the column is a timestamp.
    const ts = (d?: Date) => (d ? this.dialect.timestampLiteral(d, true) : this.dialect.cast('NULL', this.dialect.stateTypes.timestamp));
    return {
      table_name: this.literal(tableId),
      window_key: this.literal(window.key),
      window_start: ts(window.start),
      window_end: ts(window.end),
    };
  }

  /** Gives every window of this run a ledger row ('pending' where it has none yet). */
  registerWindowsStep(tableId: string, windows: Window[]): Step {
    const rows = windows.map((w) => {
      const v = this.sliceValues(tableId, w);
      return `(${v.table_name}, ${v.window_key}, ${v.window_start}, ${v.window_end}, 'pending')`;
    });
    return {
      intent: `Register ${tableId}'s ${count(windows.length, 'window')} in the ledger (pending unless already there)`,
      kind: 'exec',
      sql: this.render('ledger_slices_register', { rows: rows.join(',\n       ') }),
    };
  }

  /** The statement a worker reads a slice's status and holder with before claiming it (binds table id, window key). */
  readSliceSql(): string {
    return this.render('ledger_read_slice');
  }

  /**
   * Claims a slice by compare-and-set: it becomes this run's only if its row still has the status and run id the
   * worker read (`expected`, rendered as literals: the printed plan claims the row as the plan read it). First the
   * slice's tally (slice_tallies) keeps what the row said, for sliceDoneStep; a claim again by the same run (after a
   * lost connection) keeps what it said before this run took it. Captures `claimed` (1 or 0).
   */
  sliceClaimSteps(tableId: string, window: Window, expected: SliceExpectation): Step[] {
    const holder = expected.runId === null ? 'run_id IS NULL' : `run_id = ${this.literal(expected.runId)}`;
    // A window another run holds is taken over only once that run is no longer running (migrate marks a dead run
    // interrupted first): a file reviewed while it ran must not take the window from it.
    const heldByAnother = expected.status === 'running' && expected.runId !== null && expected.runId !== this.run.runId;
    const runMatches = heldByAnother
      ? `${holder} AND NOT EXISTS (SELECT 1 FROM ${this.ledgerTable('runs')} AS r WHERE r.run_id = ${this.literal(expected.runId)} AND r.outcome = 'running')`
      : holder;
    const asRead = { ...this.sliceValues(tableId, window), expected_status: this.literal(expected.status), run_matches: runMatches };
    return [
      { intent: `Keep what ${tableId} ${window.key}'s ledger row says as this run claims it (a rerun that changes nothing keeps the counts of the run that did)`, kind: 'exec', sql: this.render('ledger_tally_open', asRead) },
      {
        intent: `Claim ${tableId} ${window.key} for this run, unless another worker took it since it was read (${expected.status}${expected.runId === null ? '' : `, run ${expected.runId}`})`,
        kind: 'exec',
        sql: this.render('ledger_slice_claim', asRead),
        captureChanged: 'claimed',
      },
    ];
  }

  /** The slice's first statement, for a client running the plan: the claim before it took the window for this run. */
  sliceHeldGuardStep(tableId: string, window: Window): Step {
    return this.assertionGuardStep(`${tableId} ${window.key} is claimed by this run (no other worker took it first)`, {
      query: this.render('ledger_slice_held', this.sliceValues(tableId, window)),
      found: 'q.held',
      violated: 'q.held = 0',
    });
  }

  /** The values a template writing or reading the slice's tally is rendered with: its table and this run's row of the window. */
  tallyValues(tableId: string, window: Window): { tally_table: string; tally_row: string } {
    return { tally_table: this.ledgerTable('slice_tallies'), tally_row: this.runRowOf(tableId, window) };
  }

  /** This run's row of the window in a ledger table kept per run (slice_tallies, window_figures), its columns qualified by `alias` where given. */
  private runRowOf(tableId: string, window: Window, alias?: string): string {
    const v = this.sliceValues(tableId, window);
    const c = (column: string) => (alias ? `${alias}.${column}` : column);
    return `${c('table_name')} = ${v.table_name} AND ${c('window_key')} = ${v.window_key} AND ${c('run_id')} = ${this.runIdLiteral}`;
  }

  /** Records figures of the slice in its tally: column → SQL computing it (a scalar subquery, or the engine's count of the write before). */
  tallySetStep(tableId: string, window: Window, intent: string, assignments: Record<string, string>): Step {
    return {
      intent,
      kind: 'exec',
      sql: this.render('ledger_tally_set', {
        ...this.sliceValues(tableId, window),
        assignments: Object.entries(assignments)
          .map(([column, value]) => `${column} = ${value}`)
          .join(', '),
      }),
    };
  }

  /**
   * Where the engine's upsert answers with its counts as a row the driver reads (Snowflake's MERGE, BigQuery's DML
   * statistics), they are recorded in the tally from there, bound: on those engines the printed slice keeps this one parameter.
   */
  tallyBoundStep(tableId: string, window: Window): Step {
    const d = this.dialect;
    return {
      ...this.tallySetStep(tableId, window, `Record what the upsert says it did in ${tableId} ${window.key}'s tally`, { rows_inserted: d.placeholder(1), rows_updated: d.placeholder(2) }),
      binds: [
        { name: 'to_insert_rows', value: (v) => Number(v.get('to_insert') ?? 0) },
        { name: 'upsert_updated', value: (v) => Number(v.get('upsert_updated') ?? 0) },
      ],
    };
  }

  /**
   * A measurement the slice makes (a query of one row) kept in the ledger, one row per figure (window_figures) under
   * `measure`: `items` name the query's columns (`ref`: the column as the query's row `m` gives it, quoted as the
   * query quotes it). The statements after it read the figures there (figureValue), and migrate reads them back
   * (figuresReadStep), so the printed slice runs as it is in the engine's own client.
   */
  figuresRecordStep(tableId: string, window: Window, measure: string, intent: string, query: string, items: ReadonlyArray<{ name: string; ref: string }>): Step {
    const d = this.dialect;
    return {
      intent,
      kind: 'exec',
      sql: this.render('ledger_figures_record', {
        ...this.sliceValues(tableId, window),
        measure: this.literal(measure),
        query,
        items: items.map((i) => `SELECT ${this.literal(i.name)} AS item`).join(' UNION ALL '),
        cases: items.map((i) => `WHEN ${this.literal(i.name)} THEN ${d.cast(`m.${i.ref}`, d.textType)}`).join(' '),
      }),
    };
  }

  /** A figure the slice recorded, as a scalar subquery (text; NULL where the measurement gave none). */
  figureValue(tableId: string, window: Window, measure: string, item: string): string {
    return `(SELECT f.value FROM ${this.ledgerTable('window_figures')} AS f WHERE ${this.runRowOf(tableId, window, 'f')} AND f.measure = ${this.literal(measure)} AND f.item = ${this.literal(item)})`;
  }

  /**
   * The slice's figures as one row, a FROM item aliased `fig`: the statements that decide from several figures read
   * them in one pass. `use` gives a figure's column (fig.<measure>__<item>); call `from()` once every figure is named.
   */
  figuresRow(tableId: string, window: Window): { use: (measure: string, item: string) => string; from: () => string } {
    const used = new Map<string, [string, string]>();
    return {
      use: (measure, item) => {
        const column = `${measure}__${item}`;
        used.set(column, [measure, item]);
        return `fig.${column}`;
      },
      from: () => {
        const columns = [...used].map(([column, [measure, item]]) => `max(CASE WHEN f.measure = ${this.literal(measure)} AND f.item = ${this.literal(item)} THEN f.value END) AS ${column}`);
        return `(SELECT ${columns.join(', ')} FROM ${this.ledgerTable('window_figures')} AS f WHERE ${this.runRowOf(tableId, window, 'f')}) AS fig`;
      },
    };
  }

  /** The window's recorded state and row check as a FROM item aliased `w` (one row; none before the fast path records it). */
  windowStateRow(tableId: string, window: Window): string {
    const v = this.sliceValues(tableId, window);
    return `(SELECT state, row_check FROM ${this.ledgerTable('window_states')} WHERE table_name = ${v.table_name} AND window_key = ${v.window_key}) AS w`;
  }

  /**
   * The slice's figures of `measures` read back, each captured under its item's name (captureItems), with the
   * window's recorded state last where it has one (`state`: after a lost race it is not the state measured).
   */
  figuresReadStep(tableId: string, window: Window, measures: readonly string[], extra: Pick<Step, 'check' | 'expect' | 'intent'>, withState: boolean): Step {
    const v = this.sliceValues(tableId, window);
    return {
      ...extra,
      kind: 'query',
      captureItems: true,
      sql: this.render('ledger_figures_read', { ...v, measures: measures.map((m) => this.literal(m)).join(', '), with_state: withState }),
    };
  }

  /** The tally's figures as the closing statements read them (slice_tallies aliased k). */
  private tallyFigures(tableId: string, window: Window) {
    return {
      tally: `${this.ledgerTable('slice_tallies')} AS k WHERE ${this.runRowOf(tableId, window, 'k')}`,
      inserted: 'coalesce(k.rows_inserted, 0) + coalesce(k.fresh_inserted, 0)',
      updated: 'coalesce(k.rows_updated, 0)',
    };
  }

  /** The slice's counts as its tally holds them, read back for the progress line (captured as legacy_rows, rows_inserted, rows_updated). */
  tallyReadStep(tableId: string, window: Window, windowState?: string): Step {
    const f = this.tallyFigures(tableId, window);
    return {
      intent: `Read ${tableId} ${window.key}'s counts from its tally${windowState ? ', and how the fast path wrote it' : ''}`,
      kind: 'query',
      captureRow: true,
      sql: this.render('ledger_tally_read', { ...this.sliceValues(tableId, window), inserted: f.inserted, updated: f.updated, window_state: windowState }),
    };
  }

  /** The window's figures of an earlier slice, cleared: a window keeps its latest slice's (figuresRecordStep). */
  figuresClearStep(tableId: string, window: Window): Step {
    return { intent: `Clear the figures an earlier slice of ${tableId} ${window.key} measured`, kind: 'exec', sql: this.render('ledger_figures_clear', this.sliceValues(tableId, window)) };
  }

  /**
   * Marks the slice done with the counts its tally holds. A rerun that changed nothing in a window already done
   * keeps the counts and run id of the run that did the work (the tally kept them when claiming), so the ledger
   * keeps naming the run that moved the rows; every run's own counts go to the history (sliceHistoryStep).
   */
  sliceDoneStep(tableId: string, window: Window): Step {
    const f = this.tallyFigures(tableId, window);
    return {
      intent: `Mark ${tableId} ${window.key} as done, with its counts (a rerun that changed nothing keeps those of the run that did)`,
      kind: 'exec',
      sql: this.render('ledger_slice_done', {
        ...this.sliceValues(tableId, window),
        ...f,
        keeps: `k.prior_status = 'done' AND k.prior_run_id IS NOT NULL AND ${f.inserted} + ${f.updated} = 0`,
      }),
      expect: 'one row changed',
      check: checkSliceStillOurs(tableId, window.key),
    };
  }

  /** "The slice changed rows", from its tally: a scalar subquery of inserted + updated. */
  private sliceChanged(tableId: string, window: Window): string {
    const f = this.tallyFigures(tableId, window);
    return `(SELECT ${f.inserted} + ${f.updated} FROM ${f.tally})`;
  }

  /**
   * Registers the run as a completed dlt load in the target's dataset: the first slice of the run that
   * changes rows claims the registration in the ledger (a primary key, so two workers never both do) and
   * inserts the `_dlt_loads` row, in its own transaction: committed data never lacks its load row.
   */
  dltLoadSteps(tableId: string, window: Window, load: { loads: { ref: TableRef; q: string }; loadId: string; schemaName?: string; versionHash?: string }): Step[] {
    const lit = (v: string) => this.dialect.stringLiteral(v);
    const loadsName = formatTableRef(load.loads.ref);
    const names = { loads_name: lit(loadsName), load_id: lit(load.loadId), table_name: lit(tableId), changed: this.sliceChanged(tableId, window) };
    const foreign = this.render('ledger_load_foreign_claim', names);
    const rule = `no other run holds load id ${load.loadId} in ${loadsName}`;
    return [
      {
        intent: `Claim the registration of load ${load.loadId} in ${loadsName}, if this slice changed rows and no slice of this run claimed it yet`,
        kind: 'exec',
        sql: this.render('ledger_load_claim', names),
      },
      { intent: `Assert: ${rule}`, expect: 'foreign_claims = 0', kind: 'query', sql: foreign, check: checkLoadIdOurs(tableId, load.loadId, loadsName) },
      this.assertionGuardStep(`${tableId}: ${rule}`, { query: foreign, found: 'q.foreign_claims', violated: 'q.foreign_claims > 0' }),
      {
        intent: `Register load ${load.loadId} in ${loadsName} as dlt does (status 0, schema ${load.schemaName ?? 'unknown'}), if this slice claimed it`,
        kind: 'exec',
        sql: this.render('dlt_load_register', {
          ...names,
          loads: load.loads.q,
          ...dltColumns(this.dialect, load.loads.ref, ['load_id', 'schema_name', 'status', 'inserted_at', 'schema_version_hash']),
          schema_name: this.literal(load.schemaName),
          version_hash: this.literal(load.versionHash),
        }),
      },
    ];
  }

  /** Keeps this run's counts for the window in the history, whatever the slices row keeps. */
  sliceHistoryStep(tableId: string, window: Window): Step {
    return {
      intent: `Record this run's counts for ${tableId} ${window.key} in the history`,
      kind: 'exec',
      sql: this.render('ledger_slice_history', { ...this.sliceValues(tableId, window), ...this.tallyFigures(tableId, window) }),
    };
  }

  /**
   * What the slice changed, for migrate undo (plan/preimages.ts): the load id it wrote with, whether the window was
   * fresh (`fresh`: SQL saying 'yes' or 'no', from the fast path's recorded state, plan/windowState.ts), and its counts.
   */
  undoRecordStep(tableId: string, window: Window, loadId: string, fresh = "'no'"): Step {
    return {
      intent: `Record what this slice changed in ${tableId} ${window.key}, for migrate undo`,
      kind: 'exec',
      sql: this.render('ledger_undo_record', { ...this.sliceValues(tableId, window), ...this.tallyFigures(tableId, window), load_id: this.literal(loadId), fresh }),
    };
  }

  /** A run's changes to a window are undone (binds this run's id and `kept`: the rows left as live ingest or a later run made them). */
  undoDoneStep(tableId: string, window: Window, undoneRun: string, kept: (vars: Vars) => number): Step {
    return {
      intent: `Record that run ${undoneRun}'s changes to ${tableId} ${window.key} are undone`,
      kind: 'exec',
      sql: this.render('ledger_undo_done', { ...this.sliceValues(tableId, window), undone_run_id: this.literal(undoneRun) }),
      binds: [{ name: 'kept_rows', value: kept }],
    };
  }

  /** After an undo, the window is pending again. */
  sliceUndoneStep(tableId: string, window: Window): Step {
    return { intent: `Mark ${tableId} ${window.key} as pending again`, kind: 'exec', sql: this.render('ledger_slice_undone', this.sliceValues(tableId, window)) };
  }

  /** migrate prune: marks a table's runs started before `before` as no longer undoable. */
  undoPrunedStep(tableId: string, before: string): Step {
    return { intent: `Record that ${tableId}'s runs started before the cut-off can no longer be undone`, kind: 'exec', sql: this.render('ledger_undo_pruned', { table_name: this.literal(tableId), before }) };
  }

  /**
   * A reviewer's approval of the table's validated state as this verify run records it (lifecycle/approval.ts):
   * with this run's id and operator (the approver) as literals, and bound: the backfill operators, whether it is a
   * self-approval, and the fingerprint of the marks.
   */
  approvalRecordStep(tableId: string, approval: { operators: string[]; selfApproved: boolean; fingerprint: (runId: string) => string; checksums: string }): Step {
    return {
      intent: `Record the reviewer's approval of ${tableId}'s validated state`,
      kind: 'exec',
      sql: this.render('ledger_approval_record', { table_name: this.literal(tableId) }),
      binds: [
        { name: 'backfill_operators', value: () => approval.operators.join(', ') || null },
        { name: 'self_approved', value: () => (approval.selfApproved ? 'yes' : 'no') },
        { name: 'fingerprint', value: () => approval.fingerprint(this.run.runId) },
        { name: 'checksums', value: () => approval.checksums },
      ],
    };
  }

  /** Forgets how a window's previous slice wrote it (plan/windowState.ts). */
  windowStateClearStep(tableId: string, window: Window): Step {
    return { intent: `Clear how ${tableId} ${window.key} was last written`, kind: 'exec', sql: this.render('ledger_window_state_clear', this.sliceValues(tableId, window)) };
  }

  /**
   * Records the window's legacy row count and key range (of `key`, legacy's first key column, compared as `keyType`),
   * computed from legacy in the statement itself; and the state 'differs' at once where the range overlaps another
   * window's.
   */
  windowRangeRecordStep(tableId: string, window: Window, from: { legacy: string; window: string; key: string; keyType: string }): Step {
    const d = this.dialect;
    return {
      intent: `Record ${tableId} ${window.key}'s legacy rows and the range of their keys (a range overlapping another window's: the window differs)`,
      kind: 'exec',
      sql: this.render('ledger_window_range_record', {
        ...this.sliceValues(tableId, window),
        legacy: from.legacy,
        window: from.window,
        key: from.key,
        key_lo_text: d.cast('r.lo', d.textType),
        key_hi_text: d.cast('r.hi', d.textType),
        other_lo: d.cast('o.key_lo', from.keyType),
        other_hi: d.cast('o.key_hi', from.keyType),
      }),
    };
  }

  /** Records what the slice found (column state) or decided (row_check): `value` is SQL computing it from the slice's figures. */
  windowStateRecordStep(tableId: string, window: Window, column: 'state' | 'row_check', value: string, intent: string): Step {
    return { intent, kind: 'exec', sql: this.render('ledger_window_state_record', { ...this.sliceValues(tableId, window), column, value }) };
  }

  /** A recorded value of the window's state row, as a scalar subquery (optionally cast inside it), for the slice's statements to read. */
  windowStateValue(tableId: string, window: Window, column: 'legacy_rows' | 'key_lo' | 'key_hi' | 'state' | 'row_check', castTo?: string): string {
    const v = this.sliceValues(tableId, window);
    const value = castTo ? this.dialect.cast(column, castTo) : column;
    return `(SELECT ${value} FROM ${this.ledgerTable('window_states')} WHERE table_name = ${v.table_name} AND window_key = ${v.window_key})`;
  }

  /** Removes a window's validation mark (re-recorded by the step after it, or left off after a failure). */
  /**
   * Forgets a table id's phase, windows, their history, validation marks and window states (the staging of a table,
   * once dropped), and with `identity` which tables the id stood for (so it may stand for others next).
   */
  forgetTableSteps(tableId: string, options: { identity?: boolean } = {}): Step[] {
    const tables = ['slices', 'slice_runs', 'slice_tallies', 'validations', 'window_states', 'window_figures', 'table_phases', ...(options.identity ? ['table_identity'] : [])];
    return tables.map((ledgerTable) => ({
      intent: `Forget ${tableId}'s ${ledgerTable.replace('_', ' ')} in the ledger`,
      kind: 'exec' as const,
      sql: this.render('ledger_forget_table', { ledger_table: ledgerTable, table_name: this.literal(tableId) }),
    }));
  }

  validationClearStep(tableId: string, window: Window): Step {
    return {
      intent: `Clear ${tableId} ${window.key}'s validation mark`,
      kind: 'exec',
      sql: this.render('ledger_validation_clear', this.sliceValues(tableId, window)),
    };
  }

  /**
   * Records a window's validation: status ('validated' or 'failed'), the rows
   * and checksums of both sides, metric sums and failures (JSON text), bound
   * from the vars the backfill's window check captured (v_…), or from `known`
   * where the values are already in hand (verify).
   */
  validationRecordStep(tableId: string, window: Window, known?: Readonly<Record<string, SqlValue>>): Step {
    const get = (v: Vars, name: string) => (known ? known[name] : v.get(name)) ?? null;
    const text = (name: string) => (v: Vars) => (get(v, name) === null ? null : String(get(v, name)));
    return {
      intent: `Record ${tableId} ${window.key}'s validation, with both sides' checksums`,
      kind: 'exec',
      sql: this.render('ledger_validation_record', this.sliceValues(tableId, window)),
      binds: [
        { name: 'v_status', value: (v) => get(v, 'v_status') },
        { name: 'v_legacy_rows', value: (v) => get(v, 'v_legacy_rows') },
        { name: 'v_matched_rows', value: (v) => get(v, 'v_matched_rows') },
        { name: 'v_legacy_checksum', value: text('v_legacy_checksum') },
        { name: 'v_target_checksum', value: text('v_target_checksum') },
        { name: 'v_sums', value: text('v_sums') },
        { name: 'v_failures', value: text('v_failures') },
      ],
    };
  }

  /** Records a window the slice validated, with what `record` computes in SQL from the slice's figures (plan/verify.ts). */
  validationMeasuredStep(tableId: string, window: Window, record: { legacy_rows: string; matched_rows: string; legacy_checksum: string; target_checksum: string; sums: string; figures: string }): Step {
    return {
      intent: `Record ${tableId} ${window.key} as validated, with both sides' checksums and sums as measured`,
      kind: 'exec',
      sql: this.render('ledger_validation_measured', { ...this.sliceValues(tableId, window), ...record }),
    };
  }

  /** Counts the windows of a table this run marked failed. */
  failedValidationsSql(tableId: string): string {
    return this.render('ledger_failed_validations', { table_name: this.literal(tableId) });
  }

  sliceFailedStep(tableId: string, window: Window): Step {
    return {
      intent: `Mark ${tableId} ${window.key} as failed, with the error`,
      kind: 'exec',
      sql: this.render('ledger_slice_failed', this.sliceValues(tableId, window)),
      binds: [{ name: 'error' }],
    };
  }
}
