import { preconditionError } from '../errors';

/**
 * Where a table is in its migration. Stored in the ledger (table_phases);
 * "new" means the ledger has no row for it yet.
 *
 *   new ─stitch─▶ stitched ─backfill─▶ backfilling ─(all windows done)─▶ backfilled
 *        ─cutover─▶ cutover ─retire─▶ retired          (rollback: cutover ─▶ backfilled)
 */
export const PHASES = ['new', 'stitched', 'backfilling', 'backfilled', 'cutover', 'retired'] as const;
export type Phase = (typeof PHASES)[number];

export function asPhase(value: unknown): Phase {
  return (PHASES as readonly string[]).includes(String(value)) ? (value as Phase) : 'new';
}

/** What to run next from each phase, for refusals that say what to do. */
const NEXT_STEP: Record<Phase, string> = {
  new: 'run `migrate stitch` first',
  stitched: 'run `migrate backfill --all` next',
  backfilling: 'finish with `migrate backfill --all`',
  backfilled: 'run `migrate cutover` next',
  cutover: 'use `migrate rollback` to go back, or `migrate retire` to finish',
  retired: 'the legacy table is retired; nothing is left to do',
};

export function requirePhase(tableId: string, phase: Phase, allowed: readonly Phase[], command: string): void {
  if (allowed.includes(phase)) return;
  throw preconditionError(
    'WRONG_PHASE',
    `${tableId}: cannot ${command} while the table is "${phase}" (allowed: ${allowed.join(', ')})`,
    NEXT_STEP[phase],
  );
}
