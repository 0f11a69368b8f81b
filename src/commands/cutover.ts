import { type Window, parseWindowKey } from '../backfill/windows';
import { forceReason } from './forceReason';
import { type CutoverGate, planCutover, planRollback } from '../plan/cutover';
import type { TableContext } from '../plan/tableContext';
import { type CommandOptions, type Session, withSession } from './session';
import { blastRadius } from '../lifecycle/dependents';
import { checkApproval } from './approvalGate';
import { dropStagingUnits } from './staging';

export interface CutoverOptions extends CommandOptions {
  /** Accept that legacy rows with a NULL key leave the view at cutover. */
  allowUnkeyed?: boolean;
  /** Cut over although some windows are not validated; needs `reason`, which the run log keeps (it is part of the arguments). */
  force?: boolean;
  reason?: string;
  /** Keep the staging table (strategy: staging) after cutover; by default cutover drops it, its rows being in the target. */
  keepStaging?: boolean;
}

/** migrate cutover: refuses unless every window is validated and every legacy key is in the target; then the view shows the target alone. */
export async function runCutover(options: CutoverOptions): Promise<void> {
  const reason = forceReason(options, 'why cutting over without validation is acceptable', '2019 rows are test data, see TICKET-42');
  await withSession('cutover', options, {}, async (s) => {
    const tables = await s.preparedTables(['stitched', 'backfilling', 'backfilled'], 'cut over');
    const units = [];
    // What reads the view (its rows become the target's alone) or the tables: in the SQL a DBA reviews, and said when it runs.
    const radius: string[] = [];
    for (const { ctx, state } of tables) {
      if (s.config.cutover.requireApproval) await checkApproval(s, ctx, state.slices.map((x) => x.windowKey), 'cutover');
      const gate = { ...(await validationMarks(s, ctx)), forceReason: reason };
      units.push(planCutover(ctx, s.ledger, { allowUnkeyed: Boolean(options.allowUnkeyed), gate }));
      // A window staged again since its promote is refused: its staged rows are newer than the target's.
      if (!options.keepStaging) units.push(...(await dropStagingUnits(s, ctx, state, false)));
      radius.push(...(await blastRadius(s, ctx)).map((line) => `${ctx.table.id}: used by ${line}`));
    }
    await s.execute(units, { warnings: radius });
    if (!options.dryRun) radius.forEach((line) => s.log(line));
  });
}

/** The windows the backfill or verify marked validated, and those that failed verification (a failure removes the mark). */
async function validationMarks(s: Session, ctx: TableContext): Promise<CutoverGate> {
  const marks = await s.reads.validations(ctx.table.id);
  return {
    validated: marks.filter((m) => m.status === 'validated').map((m) => parseWindowKey(m.windowKey)).filter((w): w is Window => w !== undefined),
    failed: marks.filter((m) => m.status === 'failed').map((m) => m.windowKey),
  };
}

/** migrate rollback: put the stitched view back after a cutover. */
export async function runRollback(options: CommandOptions): Promise<void> {
  await withSession('rollback', options, {}, async (s) => {
    const tables = await s.preparedTables(['cutover'], 'roll back');
    await s.execute(tables.map(({ ctx }) => planRollback(ctx, s.ledger)));
  });
}

export interface DropStagingOptions extends CommandOptions {
  /** Drop staged windows not promoted yet. */
  force?: boolean;
  reason?: string;
}

/** migrate drop-staging: drop a table's staging table and forget its staged windows (refused while some are not promoted, unless --force). */
export async function runDropStaging(options: DropStagingOptions): Promise<void> {
  forceReason(options, 'why staged windows that were never promoted may be dropped', 'staged with the wrong cursor, staging again');
  await withSession('drop-staging', options, {}, async (s) => {
    const tables = await s.preparedTables(['stitched', 'backfilling', 'backfilled', 'cutover'], 'drop the staging of');
    const units = [];
    for (const { ctx, state } of tables) {
      const drop = await dropStagingUnits(s, ctx, state, Boolean(options.force));
      if (!drop.length) s.log(`${ctx.table.id}: has no staging table; nothing to drop`);
      units.push(...drop);
    }
    await s.execute(units);
  });
}
