import type { Window } from '../backfill/windows';
import { upsertValues } from './upsert';
import { classifyType } from '../verify/normalize';
import type { Step, Vars } from './types';
import type { LedgerWriter } from '../ledger/writes';
import { type TableContext, renderFor } from './tableContext';
import { windowPredicate } from './windowPredicate';
import { racesLiveInserts } from './upsertStyle';
import { type FastValidation, FRESH_MEASURE, STATE_MEASURE, type VerifySpec, freshTotalsSql, windowStateSql } from './verify';
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
    ledger.figuresRecordStep(
      id,
      window,
      STATE_MEASURE,
      hashed
        ? "Compare the window's legacy rows with the target's rows in its key range (row checksums and sums): fresh, in sync, or differs; the figures kept in the ledger"
        : "Look for target rows in the window's key range: none (fresh) or some (differs); the figures kept in the ledger",
      windowStateSql(spec, window, { inRange: row.inRange(), legacyRows: row.value('legacy_rows'), undecided: row.undecided(), decidedState: row.value('state'), hashed, inSyncAllowed }),
      ['legacy_rows', 'w_legacy_keyed', 'w_target_in_range', ...(hashed ? sumItems(spec, ['w_legacy', 'w_target']) : []), 'window_state'].map(plain),
    ),
    stateRecordStep(ctx, ledger, window, race),
    // A fresh window's plain INSERT … SELECT inserts every row it selects, or fails (and the slice with it): its rows
    // are the window's keyed legacy rows the comparison counted, with the same predicate, in the same transaction.
    ledger.tallySetStep(id, window, `Keep ${id} ${window.key}'s legacy rows in the slice's tally, and the rows its INSERT inserts if it is fresh`, {
      legacy_rows: row.value('legacy_rows'),
      fresh_inserted: `CASE WHEN ${row.is('state', FRESH)} THEN ${ctx.dialect.cast(ledger.figureValue(id, window, STATE_MEASURE, 'w_legacy_keyed'), ctx.dialect.stateTypes.bigint)} ELSE 0 END`,
    }),
  ];
}

/** A figure read from an unquoted column of the measuring query. */
const plain = (name: string) => ({ name, ref: name });

/** The checksum and metric sums' figures of the given sides (w_legacy_checksum, w_legacy_metric_0, …). */
function sumItems(spec: VerifySpec, sides: readonly string[]): string[] {
  return sides.flatMap((side) => [`${side}_checksum`, ...spec.metrics.map((_, i) => `${side}_metric_${i}`)]);
}

/**
 * Records the state measured; after a fresh INSERT lost a race on a unique key (a retry of the slice), 'differs'
 * where it measured fresh again, so the retry upserts. The uncontended statement is the one a plan prints.
 */
function stateRecordStep(ctx: TableContext, ledger: LedgerWriter, window: Window, race: FreshRace): Step {
  const id = ctx.table.id;
  const measuredState = ledger.figureValue(id, window, STATE_MEASURE, 'window_state');
  const lit = ctx.dialect.stringLiteral;
  const measured = ledger.windowStateRecordStep(id, window, 'state', measuredState, `Record how ${id} ${window.key} is written: the state measured`);
  const raced = ledger.windowStateRecordStep(
    id,
    window,
    'state',
    `CASE WHEN ${measuredState} = ${lit(FRESH)} THEN ${lit(DIFFERS)} ELSE ${measuredState} END`,
    `Record how ${id} ${window.key} is written: the state measured, differs where fresh (a fresh INSERT of it was refused on a unique key)`,
  );
  return {
    kind: 'exec',
    get intent() {
      return race.lost ? raced.intent : measured.intent;
    },
    get sql() {
      return race.lost ? raced.sql : measured.sql;
    },
  };
}

/** The fresh path's write: the window's rows, inserted as they are (the source guarded by the state). */
export function freshInsertStep(ctx: TableContext, ledger: LedgerWriter, window: Window, sourceFor: (guard: string) => string, loadId: string, race: FreshRace): Step {
  return {
    intent: 'Insert the window into the target if it is fresh (no row to conflict with)',
    kind: 'exec',
    onUniqueViolation: () => {
      race.lost = true;
    },
    sql: renderFor(ctx, 'slice_insert', upsertValues(ctx, sourceFor(new StateRow(ctx, ledger, window).is('state', FRESH)), loadId)),
  };
}

/** 'yes' where the slice found the window fresh (its recorded state), else 'no': for migrate undo's record. */
export function freshFlag(ctx: TableContext, ledger: LedgerWriter, window: Window): string {
  return `CASE WHEN ${new StateRow(ctx, ledger, window).is('state', FRESH)} THEN 'yes' ELSE 'no' END`;
}

/** The fresh path's check: what the slice inserted, summed, kept in the ledger. */
function freshTotalsStep(spec: VerifySpec, ledger: LedgerWriter, window: Window, row: StateRow): Step {
  return ledger.figuresRecordStep(
    spec.ctx.table.id,
    window,
    FRESH_MEASURE,
    "Sum the rows the fresh window's INSERT wrote (the target's rows in its key range); the figures kept in the ledger",
    freshTotalsSql(spec, row.inRange(), row.is('state', FRESH)),
    ['w_fresh_rows', ...sumItems(spec, ['w_fresh'])].map(plain),
  );
}

/**
 * Does the window still need the row-by-row check, in SQL over the recorded figures? Where the state differs, or a
 * fresh window's sums do not match legacy's (a live row inserted in its range meanwhile, or a value the INSERT
 * changed): the check then says which rows, or finds the live row no difference. Figures of one kind compare as
 * the engine writes them out: both sides' sums have one type.
 */
function rowCheckSql(spec: VerifySpec, ledger: LedgerWriter, window: Window): string {
  const row = ledger.figuresRow(spec.ctx.table.id, window);
  const same = (fresh: string, legacy: string) => `coalesce(${row.use(FRESH_MEASURE, fresh)}, '0') = coalesce(${row.use(STATE_MEASURE, legacy)}, '0')`;
  const sums = [same('w_fresh_rows', 'w_legacy_keyed'), same('w_fresh_checksum', 'w_legacy_checksum'), ...spec.metrics.map((_, i) => same(`w_fresh_metric_${i}`, `w_legacy_metric_${i}`))];
  const lit = spec.ctx.dialect.stringLiteral;
  // `state` is the updated row's own column: MySQL refuses a subquery on the table an UPDATE writes.
  return `CASE WHEN state = ${lit(IN_SYNC)} THEN 'no' WHEN state = ${lit(FRESH)} AND EXISTS (SELECT 1 FROM ${row.from()} WHERE ${sums.join(' AND ')}) THEN 'no' ELSE 'yes' END`;
}

/** The window's result as its sums settled it (in sync, or fresh and matching: row_check 'no'), or undefined where they did not. */
function settledBySums(spec: VerifySpec, windowKey: string, vars: Vars): WindowResult | undefined {
  if (vars.get('row_check') !== 'no') return undefined;
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
      freshTotalsStep(spec, ledger, window, row),
      ledger.windowStateRecordStep(id, window, 'row_check', rowCheckSql(spec, ledger, window), `Record whether ${id} ${window.key}'s rows are checked one by one (where its sums did not settle it)`),
    ],
    guard: row.is('row_check', 'yes'),
    decided: (vars) => settledBySums(spec, window.key, vars),
    settled: (fig) => ({
      rows: fig(STATE_MEASURE, 'w_legacy_keyed'),
      legacy: (item) => fig(STATE_MEASURE, `w_legacy_${item}`),
      // A fresh window's target side is what its INSERT wrote; an in-sync one's, what the comparison found.
      target: (item) => `CASE WHEN w.state = ${spec.ctx.dialect.stringLiteral(FRESH)} THEN ${fig(FRESH_MEASURE, `w_fresh_${item}`)} ELSE ${fig(STATE_MEASURE, `w_target_${item}`)} END`,
    }),
  };
}
