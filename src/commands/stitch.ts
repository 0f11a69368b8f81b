import { planStitch } from '../plan/stitch';
import { type CommandOptions, withSession } from './session';

/** migrate stitch: create the unified view; the command asserts ('legacy', N) itself while the target is empty. */
export async function runStitch(options: CommandOptions): Promise<void> {
  await withSession('stitch', options, {}, async (s) => {
    const tables = await s.preparedTables(['new', 'stitched', 'backfilling', 'backfilled'], 'stitch', { checkNarrowing: true });
    await s.execute(tables.map(({ ctx, state }) => planStitch(ctx, s.ledger, state.phase)));
  });
}
