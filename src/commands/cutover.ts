import { planCutover, planRollback } from '../plan/cutover';
import { type CommandOptions, withSession } from './session';

export interface CutoverOptions extends CommandOptions {
  /** Accept that legacy rows with a NULL key leave the view at cutover. */
  allowUnkeyed?: boolean;
}

/** migrate cutover: refuses unless every legacy key is in the target; then the view shows the target alone. */
export async function runCutover(options: CutoverOptions): Promise<void> {
  await withSession('cutover', options, {}, async (s) => {
    const tables = await s.preparedTables(['stitched', 'backfilling', 'backfilled'], 'cut over');
    await s.execute(tables.map(({ ctx }) => planCutover(ctx, s.ledger, Boolean(options.allowUnkeyed))));
  });
}

/** migrate rollback: put the stitched view back after a cutover. */
export async function runRollback(options: CommandOptions): Promise<void> {
  await withSession('rollback', options, {}, async (s) => {
    const tables = await s.preparedTables(['cutover'], 'roll back');
    await s.execute(tables.map(({ ctx }) => planRollback(ctx, s.ledger)));
  });
}
