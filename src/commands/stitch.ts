import { requirePhase } from '../lifecycle/phases';
import { planStitch } from '../plan/stitch';
import type { Unit } from '../plan/types';
import { type CommandOptions, withSession } from './session';

/** migrate stitch: create the unified view; the command asserts ('legacy', N) itself while the target is empty. */
export async function runStitch(options: CommandOptions): Promise<void> {
  await withSession('stitch', options, {}, async (s) => {
    const units: Unit[] = [];
    for (const table of s.tables) {
      const ctx = await s.context(table);
      const state = await s.state(table);
      requirePhase(table.id, state.phase, ['new', 'stitched', 'backfilling', 'backfilled'], 'stitch');
      units.push(planStitch(ctx, s.ledger, state.phase));
    }
    await s.execute(units);
  });
}
