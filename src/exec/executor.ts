import type { Connection, Dialect, SqlValue } from '../../dialects/types';
import { TheseusError, databaseError } from '../errors';
import { isCreateRace, isUniqueViolation } from '../backfill/transient';
import { renderFinishStep, renderPlanHeader, renderUnit, statementText } from '../plan/render';
import type { StatementAudit } from './statementAudit';
import { bindKind, type Plan, type SliceJob, type Step, type Unit, type Vars } from '../plan/types';

export interface ExecuteOptions {
  conn: Connection;
  dialect: Dialect;
  /** Run-time values the plan's steps capture and bind (counts, a window's state); the run's identity is in the SQL as literals. */
  vars: Vars;
  toolVersion: string;
  /** Progress and assertion lines for the operator. */
  log: (line: string) => void;
  /** Receives the SQL text of each unit just before it runs: the same text --dry-run prints. */
  sqlSink?: (text: string) => void;
  /** Sees every statement exactly as sent to the engine (tests prove it equals the dry run's). */
  trace?: (sql: string) => void;
  /** The connection without the trace: for reads that decide what runs and are not part of the printed plan (a slice's ledger row before claiming it). */
  untraced?: Connection;
  /**
   * Asked before every unit (the operator lock's check): throws to stop the
   * plan before the unit starts. Slice jobs inherit it with the options.
   */
  beforeUnit?: () => Promise<void>;
  /** Runs the plan's slice jobs (the backfill scheduler); required when the plan has jobs. */
  runJobs?: (jobs: SliceJob[], options: ExecuteOptions) => Promise<void>;
  /** Keeps each statement run, with its unit, duration and rows changed, in the state schema (exec/statementAudit.ts). */
  audit?: StatementAudit;
}

/**
 * Applies a plan: each unit in order, atomic units between BEGIN and COMMIT.
 * The first failing unit is rolled back, its failure recorded by the unit's own
 * bookkeeping, and the plan stops there; the run log is closed in every case.
 */
export async function executePlan(plan: Plan, given: ExecuteOptions): Promise<void> {
  const options = given.trace ? { ...given, conn: traced(given.conn, given.trace), untraced: given.conn } : given;
  const { vars, dialect, sqlSink } = options;
  sqlSink?.(renderPlanHeader(plan, options.toolVersion));
  let failure: unknown;
  try {
    for (const unit of plan.units) await applyUnit(unit, options);
    if (plan.jobs?.length) {
      if (!options.runJobs) throw new Error('a plan with slice jobs needs a scheduler');
      await options.runJobs(plan.jobs, options);
    }
    for (const unit of plan.after ?? []) await applyUnit(unit, options);
  } catch (err) {
    failure = err;
  }
  if (plan.finish) {
    const finish = plan.finish(failure ? 'failed' : 'succeeded', failure ? errorText(failure) : null);
    sqlSink?.(renderFinishStep(finish, dialect));
    try {
      await runStep(finish, 'close the run log', options);
    } catch (err) {
      options.log(`warning: could not close the run log entry: ${errorText(err)}`);
    }
  }
  await options.audit?.flush(options.untraced ?? options.conn);
  if (failure) throw failure;
}

/**
 * Runs one unit (unless its `when` says no), writing its SQL to the sink first
 * and its report lines after. Schedulers call this with a worker's own
 * connection and vars.
 */
export async function applyUnit(unit: Unit, options: ExecuteOptions): Promise<boolean> {
  if (unit.when && !(await unit.when())) return false;
  await options.beforeUnit?.();
  options.sqlSink?.(renderUnit(unit, options.dialect));
  await runUnit(unit, options).catch(async (err: unknown) => {
    if (!unit.createsIfMissing || !isCreateRace(err)) throw err;
    await runUnit(unit, options);
  });
  for (const line of unit.report?.(options.vars) ?? []) options.log(line);
  return true;
}

/** The same connection with every statement shown to `trace` first. */
export function withTrace(options: ExecuteOptions, conn: Connection): Connection {
  return options.trace ? traced(conn, options.trace) : conn;
}

async function runUnit(unit: Unit, options: ExecuteOptions): Promise<void> {
  const { conn, vars } = options;
  conn.label?.(unit.title);
  try {
    if (unit.atomic) await conn.execute('BEGIN');
    for (const step of unit.steps) await runStep(step, unit.title, options);
    if (unit.atomic) await conn.execute('COMMIT');
  } catch (err) {
    if (unit.atomic) await conn.execute('ROLLBACK').catch(() => undefined);
    vars.set('error', errorText(err));
    for (const step of unit.onFailure ?? []) {
      await runStep(step, unit.title, options).catch((e) => options.log(`warning: could not record the failure: ${errorText(e)}`));
    }
    throw err;
  } finally {
    // After COMMIT or ROLLBACK: the log's rows never ride in (or roll back with) the unit's transaction.
    if (!unit.beforeLedger) await options.audit?.flush(options.untraced ?? conn);
  }
}

async function runStep(step: Step, unitTitle: string, options: ExecuteOptions): Promise<void> {
  const { conn, vars } = options;
  const sql = statementText(step, options.dialect);
  const params = step.binds?.map((b) => (b.value ? b.value(vars) : vars.get(b.name) ?? null));
  const kinds = step.binds?.map((b) => bindKind(b.name));
  const startedAt = new Date();
  const audit = (more: { rowsChanged?: number; error?: string }) =>
    options.audit?.record({ unit: unitTitle, intent: step.intent, sql, bound: params, startedAt, durationMs: Date.now() - startedAt.getTime(), ...more });
  let ran = false;
  try {
    if (step.kind === 'exec') {
      const changed = await conn.execute(sql, params, kinds);
      ran = true;
      audit({ rowsChanged: changed });
      if (step.captureChanged) vars.set(step.captureChanged, changed);
      for (const line of step.check?.([{ rows_changed: changed }], vars) ?? []) options.log(line);
      return;
    }
    const rows = await conn.query(sql, params, kinds);
    ran = true;
    audit({});
    if (step.captureRow && rows[0]) {
      for (const [name, value] of Object.entries(rows[0])) vars.set(name, asSqlValue(value));
      for (const [column, name] of Object.entries(step.captureAs ?? {})) vars.set(name, asSqlValue(rows[0][column] ?? 0));
    }
    if (step.captureItems) for (const r of rows) vars.set(String(r.item), asSqlValue(r.value));
    for (const line of step.check?.(rows, vars) ?? []) options.log(line);
  } catch (err) {
    // A statement the engine refused is kept with its error; a check that failed after it ran was kept above.
    if (!ran) audit({ error: errorText(err) });
    if (err instanceof TheseusError) throw err;
    if (step.onUniqueViolation && isUniqueViolation(err)) {
      step.onUniqueViolation();
      (err as { transient?: string }).transient = 'contention';
    }
    throw databaseError(err, `${unitTitle}: ${step.intent}`, sql);
  }
}

/**
 * Numbers arrive as strings from some drivers (BIGINT, DECIMAL); captured
 * counts are numbers. An integer too big for a double (a checksum) stays text,
 * so no digit is lost.
 */
export function asSqlValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) && exactAsNumber(value)) return Number(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return String(value);
}

/** Does a double hold this decimal text exactly enough: an integer within 2^53, or at most 15 significant digits? */
function exactAsNumber(text: string): boolean {
  if (!text.includes('.')) return Number.isSafeInteger(Number(text));
  return text.replace(/^-?0*/, '').replace('.', '').replace(/^0+/, '').length <= 15;
}

function errorText(err: unknown): string {
  if (err instanceof TheseusError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function traced(conn: Connection, trace: (sql: string) => void): Connection {
  return {
    query: (sql, params, kinds) => (trace(sql), conn.query(sql, params, kinds)),
    execute: (sql, params, kinds) => (trace(sql), conn.execute(sql, params, kinds)),
    label: conn.label && ((title) => conn.label!(title)),
    close: () => conn.close(),
  };
}
