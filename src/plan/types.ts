import type { BindKind, Dialect, Row, SqlValue } from '../../dialects/types';

/** Values known only while a plan runs (run id, counts captured by earlier steps, an error text). */
export type Vars = Map<string, SqlValue>;

/**
 * A value bound to a `$n` parameter of a bookkeeping statement. Migration SQL
 * never binds: it is rendered in full so a DBA can paste it; the ledger's
 * run-time values (counts, run id, errors) are bound so the SQL text printed
 * by --dry-run is the SQL text executed, byte for byte.
 */
export interface Bind {
  name: string;
  /** Computes the value from earlier captures; by default vars.get(name). */
  value?: (vars: Vars) => SqlValue;
}

/**
 * A bind's kind, by its name (the one the dry run prints in its `-- bound:` line): counts are integers, everything
 * else (run ids, statuses, checksums kept as text, JSON) text. The drivers that must type a NULL read it, and the
 * analyzers type the plan's parameters by it.
 */
export function bindKind(name: string): BindKind {
  return /(_rows|_inserted|_updated|_claimed|_here)$/.test(name) ? 'integer' : 'text';
}

export interface Step {
  /** One line saying why this statement runs; printed as a comment above it. */
  intent: string;
  sql: string;
  kind: 'exec' | 'query';
  binds?: Bind[];
  /** exec: keep the number of rows changed under this name. */
  captureChanged?: string;
  /** query: keep the first row's columns (as numbers where numeric) as vars. */
  captureRow?: boolean;
  /** query: each row is a figure (columns item, value): keep every value under its item's name (the later row wins). */
  captureItems?: boolean;
  /** query with captureRow: also keep these columns of the first row under other names (column → var; a missing column is 0). */
  captureAs?: Readonly<Record<string, string>>;
  /** The assertion, on the query's rows (exec: one row, { rows_changed }). Throws a TheseusError to fail the unit; returns lines to report. */
  check?: (rows: Row[], vars: Vars) => string[] | void;
  /** query: what the check expects, printed in the dry run. */
  expect?: string;
  /**
   * A plain INSERT that a live writer's insert of the same key can make fail on a unique key (the fresh path,
   * plan/windowState.ts): that failure is contention, the slice is retried, and this is called first (the retry upserts).
   */
  onUniqueViolation?: () => void;
}

export interface Unit {
  title: string;
  /** Run between BEGIN and COMMIT; a failure rolls the whole unit back. */
  atomic: boolean;
  /** Set where the unit holds DDL the engine commits implicitly: says so in the printed SQL, and how to recover. */
  nonAtomic?: string;
  steps: Step[];
  /** Bookkeeping run after a failed unit was rolled back; may bind `error`. */
  onFailure?: Step[];
  /**
   * Every statement creates something only if it is missing (the ledger's tables, a pre-image table): where another
   * run created the same object at the same moment and the engine refused this one (isCreateRace), it runs once more.
   */
  createsIfMissing?: boolean;
  /** Runs before the state schema may exist (the session's settings): its statements go to the audit log with the next unit's. */
  beforeLedger?: boolean;
  /** Lines reported once the unit has committed (progress). */
  report?: (vars: Vars) => string[];
  /** Asked just before the unit would run (never in a dry run): false skips it, e.g. a phase change another run made unnecessary. */
  when?: () => Promise<boolean>;
  /**
   * Only ever runs because another process did part of the work meanwhile
   * (its `when` is false for an uncontended apply): the dry run, which prints
   * the uncontended apply, leaves it out; an apply's --out shows it if it ran.
   */
  contendedOnly?: boolean;
}

/**
 * One backfill slice as the scheduler runs it: claim the window in the ledger
 * (compare-and-set, so two workers never take the same one), then merge it.
 * A dry run prints both; an apply runs them when throttle, limits and the
 * ledger allow.
 */
export interface SliceJob {
  tableId: string;
  window: { key: string };
  /** The claim of the window, expecting its ledger row as a worker read it just before. */
  claim: (expected: SliceExpectation) => Unit;
  /** The window's ledger row as the plan read it (pending, for a window the plan registers): the claim a plan prints. */
  planned: SliceExpectation;
  slice: Unit;
  /** Run once the slice has committed, on the same worker: checks that only hold after COMMIT (plan/backfill.ts settleUnit). */
  settle?: Unit;
}

/** A window's ledger row as read before claiming it: its status and the run holding it. */
export interface SliceExpectation {
  status: string;
  runId: string | null;
}

export interface Plan {
  command: string;
  dialect: string;
  units: Unit[];
  /** Backfill slices, run by a scheduler after `units` (see backfill/scheduler.ts). */
  jobs?: SliceJob[];
  /** Units run after the jobs (checks over the whole view, phase changes). */
  after?: Unit[];
  /** Runs last, whatever happened: closes the run log entry with the outcome (a plan prints the succeeded one). */
  finish?: (outcome: 'succeeded' | 'failed', error: string | null) => Step;
  /** Warnings found while planning (e.g. legacy columns that go nowhere). */
  warnings: string[];
}

/**
 * How a unit holding DDL runs on this engine: one transaction where DDL is
 * transactional; elsewhere statement by statement, marked as such, with each
 * step written so that running the command again after an interruption
 * finishes the job.
 */
export function ddlUnitMode(dialect: Dialect): Pick<Unit, 'atomic' | 'nonAtomic'> {
  if (dialect.capabilities.transactionalDdl) return { atomic: true };
  return {
    atomic: false,
    nonAtomic: `NOT ATOMIC on ${dialect.name}: DDL commits implicitly, so each statement below commits on its own; if interrupted, run the same command again`,
  };
}
