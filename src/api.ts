import type { RawControls } from './backfill/controls';
import type { BackfillEvent, Reporter } from './backfill/progress';
import { runBackfill } from './commands/backfill';
import { runCutover } from './commands/cutover';
import type { CommandOptions } from './commands/session';
import { type TableStatus, runStatus } from './commands/status';
import { runStitch } from './commands/stitch';
import { type HeldDatabase, orProgressOfHolder } from './commands/heldDatabase';
import { type ValidationResult, runValidate } from './commands/validate';
import { runVerify } from './commands/verify';
import type { ConfigDocument } from './config/load';
import type { VerifyReport } from './verify/report';

/**
 * Theseus for orchestrators and scripts: each command as a typed function that takes the config (a path to
 * migrate.yaml, or the same document as an object) and returns the data its `--json` prints. The functions print
 * nothing unless `log` is given, and fail by throwing TheseusError, whose `code` and `exitCode` are the CLI's.
 */

export type Config = string | ConfigDocument;

export interface RunOptions {
  /** Table ids from the config; default: all of them. */
  tables?: string[];
  /** Plan only: the SQL is returned (and written to `out` if given); nothing changes. */
  dryRun?: boolean;
  /** Write the SQL (dry run: what would run; otherwise: what ran) to this file. */
  out?: string;
  /** Why, in words: kept in the run log (required with force). */
  reason?: string;
  /** The progress lines the CLI prints (default: none). */
  log?: (line: string) => void;
  /** The environment `${VAR}` in the config reads (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** What stitch and cutover return: each table's status afterwards (as `migrate status --json`), and a dry run's SQL. */
export interface CommandResult {
  tables: TableStatus[];
  sql?: string;
}

function commandOptions(config: Config, options: RunOptions, command: string): CommandOptions & { sql: string[] } {
  const sql: string[] = [];
  return {
    config,
    tables: options.tables,
    dryRun: options.dryRun,
    out: options.out,
    env: options.env,
    argv: [command, '(api)'],
    log: options.log ?? (() => undefined),
    warn: (line) => options.log?.(`warning: ${line}`),
    print: (text) => sql.push(text),
    sql,
  };
}

async function afterwards(config: Config, options: RunOptions, sql: string[]): Promise<CommandResult> {
  const tables = await runStatus({ config, tables: options.tables, env: options.env, log: () => undefined, warn: () => undefined });
  return { tables, ...(options.dryRun && !options.out ? { sql: sql.join('') } : {}) };
}

/** migrate stitch: create the unified view. */
export async function stitch(config: Config, options: RunOptions = {}): Promise<CommandResult> {
  const o = commandOptions(config, options, 'stitch');
  await runStitch(o);
  return afterwards(config, options, o.sql);
}

export interface BackfillRunOptions extends RunOptions {
  all?: boolean;
  /** YYYY-MM (slice: month), or a range with from/to. */
  month?: string;
  from?: string;
  to?: string;
  includeNullCursor?: boolean;
  /** Run controls as the config's backfill: section names them (max_parallel, min_interval, limit, …). */
  controls?: RawControls;
  strategy?: 'direct' | 'staging';
}

/** What backfill returns: every event `backfill --json` prints, in order; `summary` is the last one's. */
export interface BackfillResult {
  events: BackfillEvent[];
  summary?: Extract<BackfillEvent, { event: 'summary' }>;
  sql?: string;
}

/** migrate backfill: the windows, each one idempotent upsert under the run controls. */
export async function backfill(config: Config, options: BackfillRunOptions = {}): Promise<BackfillResult> {
  const o = commandOptions(config, options, 'backfill');
  const events: BackfillEvent[] = [];
  const reporter: Reporter = { emit: (e) => events.push(e), line: (text) => o.log?.(text), close: () => undefined };
  await runBackfill({ ...o, all: options.all, month: options.month, from: options.from, to: options.to, includeNullCursor: options.includeNullCursor, controls: options.controls, reporter, ...(options.strategy ? { strategy: options.strategy } : {}) });
  const summary = events.filter((e): e is Extract<BackfillEvent, { event: 'summary' }> => e.event === 'summary').pop();
  return { events, ...(summary ? { summary } : {}), ...(options.dryRun && !options.out ? { sql: o.sql.join('') } : {}) };
}

export interface VerifyRunOptions extends RunOptions {
  month?: string;
  from?: string;
  to?: string;
  /** Record the operator's approval once every window passes (cutover.require_approval). */
  approve?: boolean;
  /** Write the change note (Markdown) to this file. */
  markdown?: string;
}

/** migrate verify: the report `verify --json` prints. Throws (VERIFY_FAILED, exit 4) when a window differs. */
export async function verify(config: Config, options: VerifyRunOptions = {}): Promise<VerifyReport> {
  const o = commandOptions(config, options, 'verify');
  return runVerify({ ...o, month: options.month, from: options.from, to: options.to, approve: options.approve, markdown: options.markdown });
}

export interface CutoverRunOptions extends RunOptions {
  /** Cut over although some windows are not validated (needs reason). */
  force?: boolean;
  allowUnkeyed?: boolean;
}

/** migrate cutover: point the view at the target alone; refuses unless every window is validated. */
export async function cutover(config: Config, options: CutoverRunOptions = {}): Promise<CommandResult> {
  const o = commandOptions(config, options, 'cutover');
  await runCutover({ ...o, force: options.force, reason: options.reason, allowUnkeyed: options.allowUnkeyed });
  return afterwards(config, options, o.sql);
}

/**
 * migrate status: what `status --json` prints: each table's status, or, while a DuckDB backfill in another process
 * holds the database file, `held` with that run's progress (tables is then empty).
 */
export async function status(config: Config, options: Pick<RunOptions, 'tables' | 'env'> = {}): Promise<{ tables: TableStatus[]; held?: HeldDatabase }> {
  const o = { config, tables: options.tables, env: options.env, log: () => undefined, warn: () => undefined };
  const r = await orProgressOfHolder(o, () => runStatus(o));
  return 'held' in r ? { tables: [], held: r.held } : { tables: r.result };
}

/** migrate validate: every problem in the config; with connect, the warehouse's tables and columns too. */
export async function validate(config: Config, options: { connect?: boolean; tables?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ValidationResult> {
  return runValidate({ config, tables: options.tables, connect: options.connect, env: options.env, log: () => undefined });
}
