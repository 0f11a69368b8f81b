import { NULL_CURSOR_KEY } from '../backfill/windows';
import { checkAllKeysPresent, checkCutoverDistribution } from '../lifecycle/assertions';
import type { LedgerWriter } from '../ledger/writes';
import { stitchedViewSteps } from './stitch';
import { type TableContext, flagLiterals, keyNames, keyNotNull, legacyDaysSql, legacyKeysSql, nullKeyText, renderFor } from './tableContext';
import { legacyRowsOutsideChunksSql, slicedByKey } from './windowPredicate';
import { ddlUnitMode, type Step, type Unit } from './types';
import type { Window } from '../backfill/windows';
import { preconditionError } from '../errors';
import { dayIndex, dayOf, dayRanges, monthOfDay } from '../verify/dayTotals';
import { censusSteps, distributionStep, missingKeysSql, replaceViewSteps, stitchedViewSql, targetViewSql } from './views';
import { count } from '../plural';

/**
 * cutover: check first that every legacy key is in the target, then repoint
 * the view at the target alone and prove it shows only ('dlt', N). One
 * transaction: a refusal or a failed assertion leaves the view as it was.
 */
export function planCutover(ctx: TableContext, ledger: LedgerWriter, options: { allowUnkeyed: boolean; gate: CutoverGate }): Unit {
  const id = ctx.table.id;
  const { allowUnkeyed } = options;
  const missingKeys = missingKeysSql(ctx);
  return {
    title: `${id}: cutover`,
    ...ddlUnitMode(ctx.dialect),
    // Where DDL cannot be rolled back, a failed check after the repoint puts the stitched view back by hand.
    onFailure: ctx.dialect.capabilities.transactionalDdl
      ? undefined
      : [{ intent: 'Put the stitched view back (this engine cannot roll the repoint back)', kind: 'exec', sql: stitchedViewSql(ctx) }],
    // Each check migrate makes is followed by its guard (LedgerWriter.assertionGuardStep): the same rule as a statement
    // that fails, so a client running the printed plan stops where migrate would.
    steps: [
      ...validationGateSteps(ctx, ledger, options.gate),
      {
        intent: 'Refuse unless every legacy key is in the target (and no legacy row lacks a key)',
        expect: `missing_keys = 0${allowUnkeyed ? '' : ' and null_key_rows = 0'}`,
        kind: 'query',
        sql: missingKeys,
        check: checkAllKeysPresent(id, allowUnkeyed, nullKeyText(ctx)),
      },
      ledger.assertionGuardStep(`${id}: every legacy key is in the target${allowUnkeyed ? '' : ', and no legacy row lacks a key'}`, {
        query: missingKeys,
        found: allowUnkeyed ? 'q.missing_keys' : 'q.missing_keys + q.null_key_rows',
        violated: allowUnkeyed ? 'q.missing_keys > 0' : 'q.missing_keys > 0 OR q.null_key_rows > 0',
      }),
      ...replaceViewSteps(ctx, `Repoint the view ${id} at the target alone`, targetViewSql),
      ...censusSteps(ctx, ledger),
      distributionStep(ctx, 'Assert the view now shows the target alone', "exactly one row ('dlt', N) with N ≥ distinct legacy keys", checkCutoverDistribution(id, `${id}: view after cutover`)),
      ledger.assertionGuardStep(`${id}: after cutover the view shows the target alone, at least one row per distinct legacy key`, {
        query: cutoverViewCountsSql(ctx),
        found: 'q.view_rows',
        violated: 'q.not_dlt_rows > 0 OR q.view_rows = 0 OR q.view_rows < q.legacy_keys',
      }),
      ledger.setPhaseStep(id, 'cutover'),
    ],
  };
}

/** What cutover's first check knows from the ledger, read when planning. */
export interface CutoverGate {
  validated: Window[];
  /** Windows whose last verification failed (named in the refusal). */
  failed: string[];
  /** --force --reason: cut over anyway, saying why (the reason is in the run log's arguments). */
  forceReason?: string;
}

/** The view's rows not the target's, its rows, and legacy's distinct keys: what the guard of cutover's distribution check reads. */
function cutoverViewCountsSql(ctx: TableContext): string {
  const { source_flag, dlt_flag } = flagLiterals(ctx.dialect);
  return renderFor(ctx, 'cutover_view_counts', { view: ctx.q.view, flag: source_flag, dlt_flag, key: keyNames(ctx), legacy_keys: legacyKeysSql(ctx), key_not_null: keyNotNull(ctx) });
}

/** The validation gate, then (unless forced) its guard: the days it knows as validated, as SQL. */
function validationGateSteps(ctx: TableContext, ledger: LedgerWriter, gate: CutoverGate): Step[] {
  const step = validationGateStep(ctx, gate);
  if (gate.forceReason) return [step];
  const id = ctx.table.id;
  const stillValidated = gate.validated.length ? [ledger.stillValidatedGuardStep(id, gate.validated.map((w) => w.key))] : [];
  if (slicedByKey(ctx, gate.validated)) {
    return [step, ledger.assertionGuardStep(`${id}: every keyed legacy row lies in a validated chunk`, { query: step.sql, found: 'q.legacy_rows', violated: 'q.legacy_rows > 0' }), ...stillValidated];
  }
  return [
    step,
    ledger.assertionGuardStep(`${id}: every day legacy has rows on lies in a validated window`, {
      query: `SELECT count(*) AS outside_days FROM (${step.sql}) AS d WHERE NOT (${coveredDays(gate.validated)})`,
      found: 'q.outside_days',
      violated: 'q.outside_days > 0',
    }),
    ...stillValidated,
  ];
}

/** A condition on `d.day_number` (NULL: the rows without a cursor) that holds on the days the windows cover (dayRanges). */
function coveredDays(windows: Window[]): string {
  const { ranges, nullCursor } = dayRanges(windows);
  const inRanges = ranges.map(([from, to]) => `(d.day_number >= ${from} AND d.day_number < ${to})`).join(' OR ') || '1 = 0';
  return `(d.day_number IS NOT NULL AND (${inRanges})) OR (d.day_number IS NULL AND ${nullCursor ? '1 = 1' : '1 = 0'})`;
}

/**
 * Every day legacy has rows on (and its NULL-cursor rows, if any) must lie in
 * a window the backfill or verify marked validated; a window that failed a
 * later verify has lost its mark. Refusals name the months.
 */
function validationGateStep(ctx: TableContext, gate: CutoverGate): Step {
  const id = ctx.table.id;
  if (slicedByKey(ctx, gate.validated)) return chunkGateStep(ctx, gate);
  const covered = dayIndex(gate.validated);
  return {
    intent: `Refuse unless every day legacy has rows on lies in a validated window (${gate.validated.length} validated)`,
    expect: 'every day_number in a validated window',
    kind: 'query',
    sql: legacyDaysSql(ctx),
    check: (rows) => {
      const months = new Set<string>();
      for (const r of rows) {
        const day = dayOf(r);
        if (!covered.has(day)) months.add(monthOfDay(day));
      }
      if (months.size === 0) return [`${id}: every legacy row lies in a validated window`];
      const list = (keys: string[]) => (keys.length > 8 ? `${keys.slice(0, 8).join(', ')} … (${keys.length} in all)` : keys.join(', '));
      const unvalidated = [...months].sort();
      const what = `${id}: legacy rows in ${count(unvalidated.length, 'month')} are in no validated window: ${list(unvalidated)}${gate.failed.length ? ` (failed verification: ${list(gate.failed)})` : ''}`;
      if (gate.forceReason) return [`warning: ${what}; cutting over anyway (--force), reason: ${gate.forceReason}`];
      const onlyNullCursor = unvalidated.length === 1 && unvalidated[0] === NULL_CURSOR_KEY;
      throw preconditionError(
        'NOT_VALIDATED',
        what,
        onlyNullCursor
          ? 'the rows left are the ones without a cursor: migrate backfill --all --include-null-cursor loads and validates them as a slice of their own'
          : `run migrate verify (it checks every window and marks those that pass), backfill the windows it names${unvalidated.includes(NULL_CURSOR_KEY) ? ' (rows without a cursor: backfill --all --include-null-cursor)' : ''}, or cut over with --force --reason "…"`,
      );
    },
  };
}

/** slice: key: every keyed legacy row must lie in a validated chunk. */
function chunkGateStep(ctx: TableContext, gate: CutoverGate): Step {
  const id = ctx.table.id;
  const chunks = gate.validated.filter((w) => w.chunk).map((w) => w.chunk!);
  return {
    intent: `Refuse unless every keyed legacy row lies in a validated chunk (${chunks.length} validated)`,
    expect: 'legacy_rows = 0',
    kind: 'query',
    sql: legacyRowsOutsideChunksSql(ctx, chunks),
    check: (rows) => {
      const outside = Number(rows[0]?.legacy_rows ?? 0);
      if (outside === 0) return [`${id}: every keyed legacy row lies in a validated chunk`];
      const what = `${id}: ${count(outside, 'legacy row lies', 'legacy rows lie')} in no validated chunk${gate.failed.length ? ` (failed verification: ${gate.failed.slice(0, 8).join(', ')})` : ''}`;
      if (gate.forceReason) return [`warning: ${what}; cutting over anyway (--force), reason: ${gate.forceReason}`];
      throw preconditionError('NOT_VALIDATED', what, 'run migrate verify (it checks every chunk and marks those that pass), backfill the chunks it names (backfill --chunk N), or cut over with --force --reason "…"');
    },
  };
}

/** rollback: put the stitched view back and prove its distribution again. */
export function planRollback(ctx: TableContext, ledger: LedgerWriter): Unit {
  return {
    title: `${ctx.table.id}: rollback`,
    ...ddlUnitMode(ctx.dialect),
    steps: [...stitchedViewSteps(ctx, ledger, 'after rollback'), ledger.setPhaseStep(ctx.table.id, 'backfilled')],
  };
}
