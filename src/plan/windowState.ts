import type { Window } from '../backfill/windows';
import type { TemplateValues } from '../sql/template';
import { classifyType } from '../verify/normalize';
import type { Step, Vars } from './types';
import type { LedgerWriter } from '../ledger/writes';
import { type TableContext, renderFor } from './tableContext';
import { windowPredicate } from './windowPredicate';
import { racesLiveInserts } from './upsertStyle';
import { type FastValidation, type VerifySpec, freshTotalsSql, windowStateSql } from './verify';
import { type WindowResult, exactInteger, failuresOf, metricResults, scaled } from '../verify/outcome';

/**
 * The slice's fast path (issue 15). Before writing, a slice compares the window's legacy rows with the target's
 * rows in the window's key range, and the statement names what it found (`window_state`):
 *  - fresh:   no target row in the range. The window is written with a plain INSERT (an upsert pays for looking
 *             for a conflict on every row), and validated by summing the target's rows in the range, which are
 *             then the slice's own, against legacy's sums: one range scan instead of a probe per legacy row.
 *  - in_sync: as many rows in the range as legacy has, with the same checksum and sums. Nothing is written and
 *             nothing more is read: a rerun over an unchanged window costs one pass over each side.
 *  - differs: the upsert and the row-by-row check, as before.
 * Every statement of all three paths runs in every slice, so what --dry-run prints is what runs. The state is
 * recorded in the ledger (window_states) and each statement reads it there, in a scalar subquery the engine
 * evaluates once: a statement whose path was not taken reads nothing (PostgreSQL's one-time filter, MariaDB's
 * "impossible WHERE", DuckDB reads the rows but writes and hashes none), and the printed statements run as they are, in order, from any client.
 * The range is the first key column's, found from legacy's keys: a key of the window the target holds is in it,
 * whatever else is.
 */

/** The values the state takes, as the statements compare them (window_state.sql names them too). */
const FRESH = 'fresh';
const IN_SYNC = 'in_sync';
const DIFFERS = 'differs';

/**
 * Where the fast path applies: a plain INSERT must be safe and mean the same as the upsert. Legacy's key is
 * declared unique (the upsert's source needs no de-duplication); a unique index or the engine stops a live
 * writer's insert of the same key from doubling it (ON CONFLICT / ON DUPLICATE KEY, a lock on PostgreSQL, one
 * writing process on DuckDB: not Snowflake's or BigQuery's MERGE); the first key column is an integer on both
 * sides (its range compares the same in legacy and the target, with no collation in play); and the table is no
 * scd2 one and not cursor_immutable (whose MERGE matches by window).
 */
export function fastPathApplies(ctx: TableContext): boolean {
  const first = ctx.alignment.key[0];
  const integerKey = first !== undefined && classifyType(first.rawType ?? first.target.type).kind === 'integer' && classifyType(first.target.type).kind === 'integer';
  return ctx.alignment.legacyKeyUnique && !racesLiveInserts(ctx) && integerKey && !ctx.alignment.scd2 && !ctx.table.cursorImmutable;
}

/**
 * Do equal checksums say the upsert would change nothing? Not where a mapped column is left out of them
 * (verify.ignore), nor where the normalization is looser than the upsert's exact comparison: floats (rounded to
 * FLOAT_SCALE places), JSON (compared as canonical text) and times finer than microseconds. There a rerun upserts.
 */
function checksumsSayUnchanged(spec: VerifySpec): boolean {
  const mapped = spec.ctx.alignment.columns.filter((c) => c.role === 'mapped');
  if (spec.compared.length !== mapped.length) return false;
  const loose = (type: string) => ['float', 'json'].includes(classifyType(type).kind) || /_ns\b|\(\s*[7-9]\s*\)/i.test(type);
  return spec.compared.every(({ column }) => !loose(column.target.type) && !loose(column.rawType ?? column.target.type));
}

/** Reads of the window's state row in the ledger, which every statement of the fast path is guarded by. */
class StateRow {
  constructor(
    private readonly ctx: TableContext,
    private readonly ledger: LedgerWriter,
    private readonly window: Window,
  ) {}

  /** `<the window's recorded state> = '<value>'`: the guard of a statement that runs on one path only. */
  is(column: 'state' | 'row_check', value: string): string {
    return `${this.ledger.windowStateValue(this.ctx.table.id, this.window, column)} = ${this.ctx.dialect.stringLiteral(value)}`;
  }

  /** The target's rows whose first key column lies in the window's recorded key range. */
  inRange(): string {
    const first = this.ctx.alignment.key[0]!;
    const column = `t.${this.ctx.dialect.quoteIdent(first.target.name)}`;
    const bound = (c: 'key_lo' | 'key_hi') => this.ledger.windowStateValue(this.ctx.table.id, this.window, c, first.target.type);
    return `${column} >= ${bound('key_lo')} AND ${column} <= ${bound('key_hi')}`;
  }

  value(column: 'legacy_rows' | 'state'): string {
    return this.ledger.windowStateValue(this.ctx.table.id, this.window, column);
  }

  /** No state recorded yet (the key range overlapped no other window's): the comparison reads both sides. */
  undecided(): string {
    return `${this.value('state')} IS NULL`;
  }
}

/** The upsert's guard on the fast path: it reads nothing unless the window differs. */
export function differsGuard(ctx: TableContext, ledger: LedgerWriter, window: Window): string {
  return new StateRow(ctx, ledger, window).is('state', DIFFERS);
}

/**
 * A slice's fresh INSERT lost a race: a unique key refused it. Kept across the slice's attempts (one per window's
 * plan), so the retry upserts even where the window still looks fresh: a unique index other than the key's refused
 * it, and the upsert then fails with that error at once instead of being retried as contention.
 */
export interface FreshRace {
  lost: boolean;
}

/** Record the window's legacy rows and key range; name the window's state and record it. */
export function windowStateSteps(spec: VerifySpec, ledger: LedgerWriter, window: Window, hashed: boolean, race: FreshRace): Step[] {
  const { ctx } = spec;
  const id = ctx.table.id;
  const row = new StateRow(ctx, ledger, window);
  const first = ctx.alignment.key[0]!;
  const inSyncAllowed = checksumsSayUnchanged(spec);
  return [
    ledger.windowStateClearStep(id, window),
    ledger.windowRangeRecordStep(id, window, { legacy: ctx.q.legacy, window: windowPredicate(ctx, window), key: first.rawLegacySql!, keyType: first.target.type }),
    {
      intent: hashed
        ? "Compare the window's legacy rows with the target's rows in its key range (row checksums and sums): fresh, in sync, or differs"
        : "Look for target rows in the window's key range: none (fresh) or some (differs)",
      kind: 'query',
      captureRow: true,
      sql: windowStateSql(spec, window, { inRange: row.inRange(), legacyRows: row.value('legacy_rows'), undecided: row.undecided(), decidedState: row.value('state'), hashed, inSyncAllowed }),
    },
    ledger.windowStateRecordStep(
      id,
      window,
      'state',
      {
        name: 'window_state',
        value: (vars) => {
          if (race.lost && vars.get('window_state') === FRESH) vars.set('window_state', DIFFERS);
          return vars.get('window_state') ?? null;
        },
      },
      `Record how ${id} ${window.key} is written: its state (differs, after a fresh INSERT was refused on a unique key)`,
    ),
  ];
}

/** The fresh path's write: the window's rows, inserted as they are (the source guarded by the state). */
export function freshInsertStep(ctx: TableContext, ledger: LedgerWriter, window: Window, insert: (guard: string) => TemplateValues, race: FreshRace): Step {
  return {
    intent: 'Insert the window into the target if it is fresh (no row to conflict with)',
    kind: 'exec',
    captureChanged: 'fresh_inserted',
    onUniqueViolation: () => {
      race.lost = true;
    },
    sql: renderFor(ctx, 'slice_insert', insert(new StateRow(ctx, ledger, window).is('state', FRESH))),
  };
}

/** The fresh path's check: what the slice inserted, summed. */
function freshTotalsStep(spec: VerifySpec, row: StateRow): Step {
  return {
    intent: "Sum the rows the fresh window's INSERT wrote (the target's rows in its key range)",
    kind: 'query',
    captureRow: true,
    sql: freshTotalsSql(spec, row.inRange(), row.is('state', FRESH)),
  };
}

/**
 * Does the window still need the row-by-row check? Where the state differs, or a fresh window's sums do not
 * match legacy's (a live row inserted in its range meanwhile, or a value the INSERT changed): the check then
 * says which rows, or finds the live row no difference.
 */
function needsRowCheck(spec: VerifySpec, vars: Vars): boolean {
  const state = vars.get('window_state');
  if (state === IN_SYNC) return false;
  if (state !== FRESH) return true;
  const same = (a: string, b: string) => String(vars.get(a) ?? 0) === String(vars.get(b) ?? 0);
  return !(same('w_fresh_rows', 'w_legacy_keyed') && same('w_fresh_checksum', 'w_legacy_checksum') && spec.metrics.every((_, i) => same(`w_fresh_metric_${i}`, `w_legacy_metric_${i}`)));
}

/** The window's result as its sums settled it (in sync, or fresh and matching), or undefined where they did not. */
function settledBySums(spec: VerifySpec, windowKey: string, vars: Vars): WindowResult | undefined {
  if (needsRowCheck(spec, vars)) return undefined;
  const side = vars.get('window_state') === FRESH ? 'w_fresh' : 'w_target';
  const rows = Number(vars.get('w_legacy_keyed') ?? 0);
  const metric = (prefix: string) => spec.metrics.map((m, i) => scaled(vars.get(`${prefix}_metric_${i}`), m.scale));
  const result: WindowResult = {
    window: windowKey,
    legacyRows: rows,
    matchedRows: rows,
    missingKeys: 0,
    changedRows: 0,
    newerInTarget: 0,
    nullKeyRows: 0,
    legacyChecksum: exactInteger(vars.get('w_legacy_checksum')).toString(),
    targetChecksum: exactInteger(vars.get(`${side}_checksum`)).toString(),
    metrics: metricResults(spec, metric('w_legacy'), metric(side)),
    method: 'checksums',
    failures: [],
  };
  result.failures = failuresOf(result);
  return result;
}

/** The fast path's validation: the fresh window's sums, then the row-by-row check where the sums did not settle it. */
export function fastValidation(spec: VerifySpec, ledger: LedgerWriter, window: Window): FastValidation {
  const row = new StateRow(spec.ctx, ledger, window);
  const id = spec.ctx.table.id;
  return {
    before: [
      freshTotalsStep(spec, row),
      ledger.windowStateRecordStep(id, window, 'row_check', { name: 'row_check', value: (vars) => (needsRowCheck(spec, vars) ? 'yes' : 'no') }, `Record whether ${id} ${window.key}'s rows are checked one by one (where its sums did not settle it)`),
    ],
    guard: row.is('row_check', 'yes'),
    decided: (vars) => settledBySums(spec, window.key, vars),
  };
}
