import { checkStitchedDistribution } from '../lifecycle/assertions';
import type { Phase } from '../lifecycle/phases';
import type { LedgerWriter } from '../ledger/writes';
import type { TableContext } from './tableContext';
import { ddlUnitMode, type Step, type Unit } from './types';
import { censusSteps, createViewSchemaStep, distributionStep, replaceViewSteps, stitchedViewSql } from './views';

/**
 * stitch: (re)create the unified view and prove it right before committing.
 * Also used by rollback, which puts the same view back.
 */
export function stitchedViewSteps(ctx: TableContext, ledger: LedgerWriter, label: string): Step[] {
  const steps: Step[] = [];
  const schema = createViewSchemaStep(ctx);
  if (schema) steps.push(schema);
  steps.push(
    ...replaceViewSteps(ctx, `Create or replace the stitched view ${ctx.table.id}: target rows, plus legacy rows whose key the target lacks`, stitchedViewSql),
    ...censusSteps(ctx, ledger),
    distributionStep(
      ctx,
      "Assert and show the view's source distribution",
      "only 'legacy' and 'dlt'; exactly one row ('legacy', N) while the target is empty",
      checkStitchedDistribution(ctx.table.id, `${ctx.table.id}: view ${ctx.table.view.schema ? `${ctx.table.view.schema}.` : ''}${ctx.table.view.name} ${label}`),
    ),
  );
  return steps;
}

export function planStitch(ctx: TableContext, ledger: LedgerWriter, phase: Phase): Unit {
  const steps = stitchedViewSteps(ctx, ledger, 'after stitch');
  // Re-stitching later in the lifecycle refreshes the view but never moves the phase back.
  if (phase === 'new') steps.push(ledger.setPhaseStep(ctx.table.id, 'stitched'));
  return { title: `${ctx.table.id}: stitch`, ...ddlUnitMode(ctx.dialect), steps };
}
