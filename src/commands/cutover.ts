import { requirePhase } from '../lifecycle/phases';
import { planCutover, planRollback } from '../plan/cutover';
import type { Unit } from '../plan/types';
import { type CommandOptions, withSession } from './session';

export interface CutoverOptions extends CommandOptions {
  /** Accept that legacy rows with a NULL key leave the view at cutover. */
  allowUnkeyed?: boolean;
}

/** migrate cutover: refuses unless every legacy key is in the target; then the view shows the target alone. */
export async function runCutover(options: CutoverOptions): Promise<void> {
  await withSession('cutover', options, {}, async (s) => {
    const units: Unit[] = [];
    for (const table of s.tables) {
      const ctx = await s.context(table);
      const state = await s.state(table);
      requirePhase(table.id, state.phase, ['stitched', 'backfilling', 'backfilled'], 'cut over');
      units.push(planCutover(ctx, s.ledger, Boolean(options.allowUnkeyed)));
    }
    await s.execute(units);
  });
}

/** migrate rollback: put the stitched view back after a cutover. */
export async function runRollback(options: CommandOptions): Promise<void> {
  await withSession('rollback', options, {}, async (s) => {
    const units: Unit[] = [];
    for (const table of s.tables) {
      const state = await s.state(table);
      requirePhase(table.id, state.phase, ['cutover'], 'roll back');
      units.push(planRollback(await s.context(table), s.ledger));
    }
    await s.execute(units);
  });
}
