import { checkAllKeysPresent, checkCutoverDistribution } from '../lifecycle/assertions';
import type { LedgerWriter } from '../ledger/writes';
import { stitchedViewSteps } from './stitch';
import type { TableContext } from './tableContext';
import { ddlUnitMode, type Unit } from './types';
import { censusStep, distributionStep, missingKeysSql, replaceViewSteps, stitchedViewSql, targetViewSql } from './views';

/**
 * cutover: check first that every legacy key is in the target, then repoint
 * the view at the target alone and prove it shows only ('dlt', N). One
 * transaction: a refusal or a failed assertion leaves the view as it was.
 */
export function planCutover(ctx: TableContext, ledger: LedgerWriter, allowUnkeyed: boolean): Unit {
  const id = ctx.table.id;
  return {
    title: `${id}: cutover`,
    ...ddlUnitMode(ctx.dialect),
    // Where DDL cannot be rolled back, a failed check after the repoint puts the stitched view back by hand.
    onFailure: ctx.dialect.capabilities.transactionalDdl
      ? undefined
      : [{ intent: 'Put the stitched view back (this engine cannot roll the repoint back)', kind: 'exec', sql: stitchedViewSql(ctx) }],
    steps: [
      {
        intent: 'Refuse unless every legacy key is in the target (and no legacy row lacks a key)',
        expect: `missing_keys = 0${allowUnkeyed ? '' : ' and null_key_rows = 0'}`,
        kind: 'query',
        sql: missingKeysSql(ctx),
        check: checkAllKeysPresent(id, allowUnkeyed),
      },
      ...replaceViewSteps(ctx, `Repoint the view ${id} at the target alone`, targetViewSql),
      censusStep(ctx),
      distributionStep(ctx, 'Assert the view now shows the target alone', "exactly one row ('dlt', N) with N ≥ distinct legacy keys", checkCutoverDistribution(id, `${id}: view after cutover`)),
      ledger.setPhaseStep(id, 'cutover'),
    ],
  };
}

/** rollback: put the stitched view back and prove its distribution again. */
export function planRollback(ctx: TableContext, ledger: LedgerWriter): Unit {
  return {
    title: `${ctx.table.id}: rollback`,
    ...ddlUnitMode(ctx.dialect),
    steps: [...stitchedViewSteps(ctx, 'after rollback'), ledger.setPhaseStep(ctx.table.id, 'backfilled')],
  };
}
