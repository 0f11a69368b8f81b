import { describeHints } from '../dlt/tableHints';
import { planStitch } from '../plan/stitch';
import { type CommandOptions, withSession } from './session';

/** migrate stitch: create the unified view; the command asserts ('legacy', N) itself while the target is empty. */
export async function runStitch(options: CommandOptions): Promise<void> {
  await withSession('stitch', options, {}, async (s) => {
    const tables = await s.preparedTables(['new', 'stitched', 'backfilling', 'backfilled'], 'stitch', { beforeWriting: true });
    // What the live pipeline's own schema says about the target, so the operator sees what the backfill must respect.
    for (const { ctx } of tables) if (ctx.dlt.hints) s.log(`${ctx.table.id}: dlt schema ${ctx.dlt.schemaName}: ${describeHints(ctx.dlt.hints)}`);
    await s.execute(tables.map(({ ctx, state }) => planStitch(ctx, s.ledger, state.phase)));
  });
}
