import { buildTableContext } from '../plan/buildContext';
import { narrowingProbe } from '../align/narrowingCheck';
import { type DltAllowances, type DltConflictFacts, dltIdClashProbe, refuseDltConflicts } from '../dlt/conflicts';
import { readLiveIncremental } from '../dlt/pipelineState';
import { appendsLive } from '../dlt/appendOverlap';
import type { LegacyProfile } from '../backfill/profile';
import { openCatalog } from '../catalog/open';
import { RecordingReads } from '../catalog/recordingReads';
import { LiveReads } from '../reads/liveReads';
import type { PlanningReads } from '../reads/planningReads';
import { type ConfigDocument, configOf } from '../config/load';
import { checkNameLengths } from '../config/nameLengths';
import { formatTableRef } from '../config/tableRef';
import type { Config, TableConfig, TableRef } from '../config/types';
import { loadDialect } from '../../dialects';
import type { Connection, ConnectOptions, Dialect, TableInfo } from '../../dialects/types';
import { parseBytesBilled } from '../backfill/controls';
import { TheseusError, maskSecrets, preconditionError, usageError } from '../errors';
import { type ExecuteOptions, executePlan } from '../exec/executor';
import { OperatorLocks } from '../exec/operatorLock';
import { StatementAudit } from '../exec/statementAudit';
import { reconnectingConnection } from '../exec/reconnectingConnection';
import { createRunContext, type RunContext } from '../exec/runContext';
import type { TableState } from '../ledger/reads';
import { resolvedName, sameIdentity, type TableIdentity } from '../ledger/identity';
import { requirePhase, type Phase } from '../lifecycle/phases';
import { LedgerWriter } from '../ledger/writes';
import { renderPlan } from '../plan/render';
import { checkWritable, writeOutput } from './outputFile';
import type { TableContext } from '../plan/tableContext';
import type { Plan, SliceJob, Unit } from '../plan/types';
import { schemaExists, withCatalogSnapshot } from '../reads/catalogSnapshot';

/** How a command uses the warehouse. */
export interface SessionMode {
  /** Reads only: no operator lock, a read-only session where the engine has one. */
  readOnly?: boolean;
  /** Take the operator lock shared where the engine can (backfill: processes may cooperate through the ledger). */
  sharedLock?: boolean;
  /** Works from a catalog without --dry-run (status: it only reads). */
  offlineCapable?: boolean;
  /** Keep every planning read, to write a catalog (migrate catalog). */
  record?: { file: string };
}

/** What every command accepts. */
export interface CommandOptions {
  /**
   * The config file's path, or the config itself as migrate.yaml would hold it (an object with the same keys; the
   * programmatic API's callers build it in code). A DuckDB path in an object is relative to the working directory.
   */
  config: string | ConfigDocument;
  /** Table ids from the config; default: all of them. */
  tables?: string[];
  dryRun?: boolean;
  /** Write the SQL (dry run: what would run; apply: what ran) to this file. */
  out?: string;
  /** Operator-facing progress lines. */
  log?: (line: string) => void;
  warn?: (line: string) => void;
  /** Where a dry run prints its SQL when there is no --out (default: stdout). */
  print?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  /** The command line as typed, for the run log. */
  argv?: string[];
  /** Refusals of dlt tables the operator overrides (--allow-key-mismatch, --allow-orphan-children). */
  dltAllow?: DltAllowances;
  /** Sees every statement the plan sends to the engine. */
  trace?: (sql: string) => void;
  /** Plan from this catalog file instead of the engine: no connection at all (--catalog, with --dry-run). */
  catalog?: string;
}

/**
 * One command's connection to the warehouse: config, dialect, connection, run
 * context and ledger writer, plus the two ways to use a plan (print or apply).
 */
export class Session {
  private constructor(
    readonly command: string,
    readonly options: CommandOptions,
    readonly config: Config,
    readonly dialect: Dialect,
    /** What planning reads: the engine, or a catalog file. */
    readonly reads: PlanningReads,
    private readonly connection: Connection | undefined,
    readonly run: RunContext,
    readonly ledger: LedgerWriter,
    readonly tables: TableConfig[],
    private readonly locks?: OperatorLocks,
  ) {}

  /** The connection, for what applies a plan or reads the data itself; a session planning from a catalog has none. */
  get conn(): Connection {
    if (!this.connection) throw new TheseusError('internal', 'NO_CONNECTION', `${this.command} planned from a catalog tried to use a connection`, 'this is a bug in Theseus; please report it with the command you ran');
    return this.connection;
  }

  static async open(command: string, options: CommandOptions, mode: SessionMode = {}): Promise<Session> {
    const env = options.env ?? process.env;
    if (options.catalog && !options.dryRun && !mode.offlineCapable) {
      throw usageError('CATALOG_NEEDS_DRY_RUN', `migrate ${command} --catalog plans from a snapshot, but without --dry-run it would ${mode.readOnly ? 'read the data itself' : 'change the warehouse'}, which needs a connection`, `add --dry-run to print the plan from the catalog, or drop --catalog to run it against the warehouse`);
    }
    // Before any database work: a typo in --out must not surface after the changes were applied.
    if (options.out) checkWritable(options.out, '--out');
    // Planning from a catalog needs no connection: the config's connection may be absent or name unset variables.
    const config = configOf(options.config, env, { connectionOptional: Boolean(options.catalog) });
    const tables = selectTables(config, options.tables);
    const run = createRunContext(command, (options.argv ?? []).map(maskSecrets), env);
    const base = await loadDialect(config.dialect);
    checkNameLengths(config, base);
    if (options.catalog) {
      // No connection, no lock: a dry run changes nothing, and applying plans again from the warehouse.
      const reads = await openCatalog(options.catalog, config, base);
      return new Session(command, options, config, reads.dialect, reads, undefined, run, new LedgerWriter(reads.dialect, config.stateSchema, run), tables);
    }
    const readOnly = Boolean(mode.readOnly || options.dryRun);
    // A lost connection (a terminated backend, a server restart) is replaced at the next statement.
    // Set once the lock is taken: a replacement connection records its session like the first (OperatorLocks.recordSession).
    let locks: OperatorLocks | undefined;
    const open = connectionOpener(base, config, connectOptionsOf(config, base, run, command, readOnly), () => locks);
    const conn = reconnectingConnection(await open(), open);
    try {
      const traits = (await base.serverTraits?.(conn)) ?? {};
      const dialect = base.withTraits?.(traits) ?? base;
      const live = new LiveReads(conn, dialect, traits, config.stateSchema);
      const reads = mode.record ? new RecordingReads(live, mode.record.file) : live;
      const ledger = new LedgerWriter(dialect, config.stateSchema, run);
      // Taken before anything reads the ledger, so two operators never plan from the same state.
      const warn = (line: string) => warnTo(options, line);
      locks = readOnly ? undefined : await OperatorLocks.acquire(dialect, config.connection, ledger, tables, run, { shared: mode.sharedLock, warn });
      await locks?.recordSession(conn);
      return new Session(command, options, config, dialect, reads, conn, run, ledger, tables, locks);
    } catch (err) {
      await locks?.release().catch(() => undefined);
      await conn.close().catch(() => undefined);
      throw err;
    }
  }

  log(line: string): void {
    (this.options.log ?? ((l: string) => process.stdout.write(`${l}\n`)))(line);
  }

  warn(line: string): void {
    warnTo(this.options, line);
  }

  private readonly profiles = new Map<string, Promise<LegacyProfile>>();

  /**
   * Legacy's profile (rows, NULL keys and cursors, cursor range): one full read of legacy, made once per
   * command and table, so the append warning before writing and the backfill's accounting share it.
   */
  legacyProfile(ctx: TableContext): Promise<LegacyProfile> {
    let profile = this.profiles.get(ctx.table.id);
    if (!profile) this.profiles.set(ctx.table.id, (profile = this.reads.legacyProfile(ctx)));
    return profile;
  }

  /**
   * What an append table's warning names: legacy's last cursor value (from the profile the backfill reads
   * anyway) and, where dlt's pipeline state says, where the live incremental stands. Nothing for other tables.
   */
  private async appendFacts(ctx: TableContext): Promise<DltConflictFacts> {
    // An append table's overlap is judged on the cursor; a table without one is warned without it.
    if (!appendsLive(ctx) || !ctx.alignment.cursor) return {};
    return {
      legacyLastCursor: (await this.legacyProfile(ctx)).maxCursor,
      liveIncremental: await this.reads.dataCheck(ctx.table.id, "where the live incremental stands, in dlt's pipeline state", (conn) =>
        readLiveIncremental(conn, this.dialect, ctx.target.ref, ctx.dlt.hints?.table ?? ctx.target.ref.name, ctx.alignment.cursor!.target.name),
      ),
    };
  }

  /** Table ids whose identity this session checked, and the identities to record (ids the ledger has none for yet). */
  private readonly identities = new Map<string, TableIdentity | undefined>();

  /** The phases each table had to be in for this plan (requirePhase): the plan checks them again as it runs (phaseGuardUnit). */
  private readonly phaseRules = new Map<string, readonly Phase[]>();

  /** Refuses a table not in one of `allowed` (WRONG_PHASE), and keeps the rule for the plan's own check of it. */
  requirePhase(tableId: string, phase: Phase, allowed: readonly Phase[], verb: string): void {
    requirePhase(tableId, phase, allowed, verb);
    this.phaseRules.set(tableId, allowed);
  }

  /**
   * The tables' phases checked again as the plan runs, by statements that fail (LedgerWriter.phaseGuardStep): a
   * reviewed file run by a client later, after the lifecycle moved on (a rollback, another stitch), stops here, as
   * migrate refuses it (WRONG_PHASE).
   */
  private phaseGuardUnit(): Unit[] {
    if (this.phaseRules.size === 0) return [];
    const steps = [...this.phaseRules].map(([tableId, allowed]) => this.ledger.phaseGuardStep(tableId, allowed));
    return [{ title: 'ledger: each table is still in a phase this plan was made for', atomic: false, steps }];
  }

  /** The settings of migrate's own sessions, first in the plan: a client running it as it is means the same (Dialect.sessionSetup). */
  private sessionUnit(): Unit[] {
    const setup = this.dialect.sessionSetup;
    if (!setup?.length) return [];
    return [{ title: "session: the settings migrate's own sessions have", atomic: false, beforeLedger: true, steps: setup.map((sql) => ({ intent: 'Set the session as migrate sets its own', kind: 'exec' as const, sql })) }];
  }

  async state(table: TableConfig): Promise<TableState> {
    if (!this.identities.has(table.id)) this.identities.set(table.id, await this.checkIdentity(table));
    return this.reads.tableState(table.id);
  }

  /**
   * Refuses a table id the ledger has for other legacy or target tables
   * (another config sharing the state schema); returns the identity to record
   * when the ledger has none for it yet.
   */
  private async checkIdentity(table: TableConfig): Promise<TableIdentity | undefined> {
    const current = {
      legacy: await resolvedName(this.reads, table.legacy),
      target: await resolvedName(this.reads, table.target),
    };
    const recorded = await this.reads.tableIdentity(table.id);
    if (!recorded) return current;
    if (sameIdentity(recorded, current)) return undefined;
    throw usageError(
      'TABLE_ID_TAKEN',
      `tables.${table.id}: the ledger in ${this.config.stateSchema} already holds a migration named ${table.id}, of ${recorded.legacy} into ${recorded.target}; this config's is ${current.legacy} into ${current.target}`,
      `give this table another name under tables: in ${this.config.file}, or another state_schema`,
    );
  }

  async introspect(ref: TableRef, what: string, table: TableConfig): Promise<TableInfo> {
    const info = await this.reads.introspect(ref);
    if (!info) {
      throw usageError('TABLE_NOT_FOUND', `${what} table ${formatTableRef(ref)} of tables.${table.id} does not exist`, `check tables.${table.id}.${what} in ${this.config.file}`);
    }
    return info;
  }

  /**
   * Legacy, introspected. When it is missing after retire, the ledger says
   * where it went; otherwise the config names a table that does not exist.
   */
  private async legacyInfo(table: TableConfig): Promise<TableInfo> {
    const found = await this.reads.introspect(table.legacy);
    if (found) return found;
    const state = await this.state(table);
    const legacy = formatTableRef(table.legacy);
    if (state.phase === 'retired') {
      throw preconditionError(
        'LEGACY_RETIRED',
        state.archiveName
          ? `${table.id}: the legacy table ${legacy} was retired as ${state.archiveName}`
          : `${table.id}: the legacy table ${legacy} was retired, and its archive dropped`,
        'the migration of this table is finished: the view reads the target alone',
      );
    }
    if (state.phase === 'cutover' && state.archiveName) {
      throw preconditionError('LEGACY_RETIRED', `${table.id}: the legacy table ${legacy} is being retired as ${state.archiveName}`, 'run `migrate retire` again to finish');
    }
    return this.introspect(table.legacy, 'legacy', table);
  }

  /** Introspects legacy and target, aligns them, and reports legacy columns that feed nothing. */
  async context(table: TableConfig, options: { quiet?: boolean } = {}): Promise<TableContext> {
    if (formatTableRef(table.legacy).toLowerCase() === formatTableRef(table.target).toLowerCase()) {
      throw usageError('CONFIG_INVALID', `tables.${table.id}: legacy and target are the same table`, 'point target at the table the dlt pipeline loads');
    }
    await this.checkZone(table);
    const legacy = await this.legacyInfo(table);
    const target = await this.introspect(table.target, 'target', table);
    const dlt = await this.reads.dltDataset(table, target.ref);
    const ctx = buildTableContext({ table, dialect: this.dialect, legacy, target, dlt, stateSchema: this.config.stateSchema });
    const view = await this.reads.introspect(table.view);
    if (view && view.kind !== 'view') {
      throw usageError('VIEW_IS_TABLE', `view ${formatTableRef(table.view)} of tables.${table.id} is a table, not a view`, 'Theseus replaces the view; point view: at a name that is free or already a view');
    }
    const grants = view ? await this.reads.viewGrants(view.ref) : [];
    if (ctx.alignment.unusedLegacy.length && !options.quiet) {
      this.warn(`${table.id}: legacy columns that feed no target column: ${ctx.alignment.unusedLegacy.join(', ')}`);
    }
    return view ? { ...ctx, existingView: { info: view, grants } } : ctx;
  }

  /** legacy_timezone must be a zone the engine knows (MySQL/MariaDB: its time zone tables must be loaded). */
  private async checkZone(table: TableConfig): Promise<void> {
    const zone = table.legacyTimezone;
    if (zone.toUpperCase() === 'UTC') return;
    const d = this.dialect;
    if (!(await this.reads.zoneKnown(table.id, zone))) {
      throw usageError('TIMEZONE_UNKNOWN', `tables.${table.id}.legacy_timezone is "${zone}", which ${d.name} does not know`, 'write an IANA zone name such as Europe/Berlin; MySQL/MariaDB need their time zone tables loaded (mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb -u root mysql)');
    }
  }

  /**
   * Every selected table, introspected and aligned (so config mistakes are
   * reported before anything else), with its ledger state, refused unless its
   * phase is one of `allowed`.
   */
  async preparedTables(allowed: readonly Phase[], verb: string, options: { beforeWriting?: boolean } = {}): Promise<Array<{ ctx: TableContext; state: TableState }>> {
    // Planning writes nothing, so the catalog is asked each question once (see catalogSnapshot.ts).
    return withCatalogSnapshot(this.connection, () => this.prepareEach(allowed, verb, options));
  }

  private async prepareEach(allowed: readonly Phase[], verb: string, options: { beforeWriting?: boolean }): Promise<Array<{ ctx: TableContext; state: TableState }>> {
    const prepared: Array<{ ctx: TableContext; state: TableState }> = [];
    for (const table of this.tables) {
      const ctx = await this.context(table);
      // The commands that write legacy values into the view or the target refuse a narrowing that would change them,
      // and a target whose next live dlt load would undo the backfill.
      if (options.beforeWriting) {
        const narrowing = narrowingProbe(ctx);
        if (narrowing) await this.reads.dataCheck(table.id, "legacy values against the target's types (TYPE_NARROWING, CAST_UNSUPPORTED, TIMEZONE_RANGE)", narrowing);
        for (const warning of refuseDltConflicts(ctx, this.options.dltAllow ?? {}, await this.appendFacts(ctx))) this.warn(warning);
        const clashes = dltIdClashProbe(ctx);
        if (clashes) await this.reads.dataCheck(table.id, "target rows already holding a backfilled row's _dlt_id (DLT_ID_TAKEN)", clashes);
      }
      const state = await this.state(table);
      this.requirePhase(table.id, state.phase, allowed, verb);
      prepared.push({ ctx, state });
    }
    return prepared;
  }

  /**
   * Prints (dry run) or applies the units, framed by the ledger: make sure the
   * state schema exists, open the run log entry, …, close it.
   */
  async execute(units: Unit[], more: { jobs?: SliceJob[]; after?: Unit[]; runJobs?: ExecuteOptions['runJobs']; warnings?: string[] } = {}): Promise<void> {
    const plan: Plan = {
      command: this.command,
      dialect: this.dialect.name,
      units: [...this.sessionUnit(), this.ledger.ensureStateUnit(), this.ledger.runStartUnit(), ...this.identityUnits(), ...this.phaseGuardUnit(), ...units],
      jobs: more.jobs,
      after: more.after,
      finish: (outcome, error) => this.ledger.runFinishStep(outcome, error),
      warnings: more.warnings ?? [],
    };
    const { out } = this.options;
    if (this.options.dryRun) {
      const text = renderPlan(plan, this.dialect, this.run.toolVersion);
      if (out) {
        writeOutput(out, text, '--out');
        this.log(`dry run: the SQL is in ${out}; nothing was changed`);
      } else {
        (this.options.print ?? ((t: string) => process.stdout.write(t)))(text);
      }
      return;
    }
    if (out) writeOutput(out, '', '--out');
    await this.locks?.recordHolders(this.tables, this.run);
    await this.markInterruptedRuns();
    await executePlan(plan, {
      conn: this.conn,
      dialect: this.dialect,
      vars: new Map(),
      toolVersion: this.run.toolVersion,
      log: (line) => this.log(line),
      sqlSink: out ? (text) => writeOutput(out, text, '--out', { append: true }) : undefined,
      trace: this.options.trace,
      runJobs: more.runJobs,
      beforeUnit: this.locks ? () => this.locks!.check() : undefined,
      audit: new StatementAudit(this.dialect, this.config.stateSchema, this.run.runId, this.config.log.keepSql, (line) => this.warn(line)),
    });
  }

  /** Records the tables of each id the ledger does not know yet, so another config cannot reuse the id for other tables. */
  private identityUnits(): Unit[] {
    const steps = [...this.identities].flatMap(([id, identity]) => (identity ? [this.ledger.identityStep(id, identity.legacy, identity.target)] : []));
    return steps.length ? [{ title: 'ledger: record which tables each table id migrates', atomic: true, steps }] : [];
  }

  /**
   * Runs the log still has as running whose process is gone (killed, or
   * stopped by a second Ctrl-C) are marked interrupted, so the log never
   * says running for ever. Their slices are taken over by the claims.
   */
  private async markInterruptedRuns(): Promise<void> {
    if (!(await schemaExists(this.dialect, this.conn, this.config.stateSchema))) return;
    for (const row of await this.conn.query(this.ledger.runsRunningSql(), [this.run.runId])) {
      const runId = String(row.run_id);
      if (await this.runAlive(runId)) continue;
      await this.markInterrupted(runId);
    }
  }

  /**
   * Records a run whose process is gone as interrupted (ending its sessions first, before anything writes the
   * tables its open transaction may hold). A claim takes over its windows only then (LedgerWriter.sliceClaimSteps).
   */
  async markInterrupted(runId: string): Promise<void> {
    for (const line of (await this.locks?.endSessionsOf(runId)) ?? []) this.log(`note: ${line}`);
    const note = `the process ended without recording how (killed, or stopped by a second signal); noticed by run ${this.run.runId}`;
    if ((await this.conn.execute(this.ledger.runInterruptedSql(), [note, runId])) > 0) this.log(`note: run ${runId} ended without recording how; marked interrupted in the run log`);
  }

  /** Is that run still alive (its process holds its run lock)? Without advisory locks (DuckDB) only this process can be running. */
  async runAlive(runId: string): Promise<boolean> {
    if (runId === this.run.runId) return true;
    return this.locks ? this.locks.runAlive(runId) : false;
  }

  /** Another connection like this session's, for a backfill worker. */
  async openConnection(): Promise<Connection> {
    const open = connectionOpener(this.dialect, this.config, connectOptionsOf(this.config, this.dialect, this.run, this.command, false), () => this.locks);
    return reconnectingConnection(await open(), open);
  }

  async close(): Promise<void> {
    // Planned from a catalog: what only the data could tell is named, one line per table, never skipped silently.
    for (const [id, skipped] of this.reads.notChecked()) this.warn(`${id}: not checked offline: ${skipped.join('; ')}`);
    await this.locks?.release();
    await this.connection?.close();
  }
}

/**
 * What every connection of a run is opened with: the run and command (labels, query tags), the config's engine
 * settings (duckdb:), and backfill.max_bytes_billed for an engine that bills bytes read (checked again, with the
 * flags, by backfill).
 */
function connectOptionsOf(config: Config, dialect: Dialect, run: RunContext, command: string, readOnly: boolean): ConnectOptions {
  const raw = config.backfill.max_bytes_billed;
  const maxBytesBilled = raw === undefined || raw === null ? undefined : parseBytesBilled(raw, 'backfill.max_bytes_billed', { name: dialect.name, billsBytes: dialect.capabilities.bytesBilledCap });
  return { readOnly, runId: run.runId, command, engineSettings: config.engineSettings, ...(maxBytesBilled === undefined ? {} : { maxBytesBilled }) };
}

/** Opens a connection of the run; once the run holds its lock, each records its engine session (OperatorLocks.recordSession). */
function connectionOpener(dialect: Dialect, config: Config, options: ConnectOptions, locks: () => OperatorLocks | undefined): () => Promise<Connection> {
  return async () => {
    const opened = await dialect.connect(config.connection, options);
    await locks()?.recordSession(opened);
    return opened;
  };
}

function selectTables(config: Config, wanted?: string[]): TableConfig[] {
  if (!wanted || wanted.length === 0) return config.tables;
  return wanted.map((id) => {
    const table = config.tables.find((t) => t.id === id);
    if (!table) {
      throw usageError('UNKNOWN_TABLE', `--table ${id} is not in ${config.file}`, `configured tables: ${config.tables.map((t) => t.id).join(', ')}`);
    }
    return table;
  });
}

/** Opens a session, runs the body, always closes. */
export async function withSession<T>(command: string, options: CommandOptions, mode: SessionMode, body: (s: Session) => Promise<T>): Promise<T> {
  const session = await Session.open(command, options, mode);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

/** A warning to the session's `warn` (tests, the CLI's JSON mode), or to stderr. */
function warnTo(options: CommandOptions, line: string): void {
  (options.warn ?? ((l: string) => process.stderr.write(`warning: ${l}\n`)))(line);
}
