import { NULL_CURSOR_KEY, type Window, monthKey, parseWindowKey } from '../backfill/windows';
import { dayIndex } from '../verify/dayTotals';
import { preconditionError, usageError } from '../errors';
import { readValidations } from '../ledger/reads';
import { planCutover, planRollback } from '../plan/cutover';
import { type TableContext, renderFor } from '../plan/tableContext';
import { type CommandOptions, type Session, withSession } from './session';

export interface CutoverOptions extends CommandOptions {
  /** Accept that legacy rows with a NULL key leave the view at cutover. */
  allowUnkeyed?: boolean;
  /** Cut over although some windows are not validated; needs `reason`, which the run log keeps (it is part of the arguments). */
  force?: boolean;
  reason?: string;
}

/** migrate cutover: refuses unless every window is validated and every legacy key is in the target; then the view shows the target alone. */
export async function runCutover(options: CutoverOptions): Promise<void> {
  if (options.force && !options.reason?.trim()) {
    throw usageError('REASON_REQUIRED', '--force needs --reason "…": why cutting over without validation is acceptable', 'the reason is kept in the run log; e.g. --force --reason "2019 rows are test data, see TICKET-42"');
  }
  if (options.reason !== undefined && !options.force) throw usageError('BAD_FLAG', '--reason goes with --force', 'without --force, cutover requires every window validated');
  await withSession('cutover', options, {}, async (s) => {
    const tables = await s.preparedTables(['stitched', 'backfilling', 'backfilled'], 'cut over');
    for (const { ctx } of tables) await requireValidated(s, ctx, options);
    await s.execute(tables.map(({ ctx }) => planCutover(ctx, s.ledger, Boolean(options.allowUnkeyed))));
  });
}

/**
 * Every day legacy has rows on (and its NULL-cursor rows, if any) must lie in
 * a window the backfill or verify marked validated; a window that failed a
 * later verify has lost its mark. Reported by month.
 */
async function requireValidated(s: Session, ctx: TableContext, options: CutoverOptions): Promise<void> {
  const id = ctx.table.id;
  const marks = await readValidations(s.conn, s.dialect, s.config.stateSchema, id);
  const validated = marks.filter((m) => m.status === 'validated').map((m) => parseWindowKey(m.windowKey)).filter((w): w is Window => w !== undefined);
  const covered = dayIndex(validated);
  const days = await s.conn.query(renderFor(ctx, 'legacy_days', { day: s.dialect.epochDay(ctx.alignment.cursor.rawLegacySql!), legacy: ctx.q.legacy }));
  const months = new Set<string>();
  for (const r of days) {
    const day = r.day_number === null || r.day_number === undefined ? null : Number(r.day_number);
    if (!covered.has(day)) months.add(day === null ? NULL_CURSOR_KEY : monthKey(new Date(day * 86_400_000)));
  }
  const unvalidated = [...months].sort();
  if (unvalidated.length === 0) return;
  const failed = marks.filter((m) => m.status === 'failed').map((m) => m.windowKey);
  const list = (keys: string[]) => (keys.length > 8 ? `${keys.slice(0, 8).join(', ')} … (${keys.length} in all)` : keys.join(', '));
  const what = `${id}: legacy rows in ${unvalidated.length} month${unvalidated.length === 1 ? ' are' : 's are'} in no validated window: ${list(unvalidated)}${failed.length ? ` (failed verification: ${list(failed)})` : ''}`;
  if (options.force) {
    s.warn(`${what}; cutting over anyway (--force), reason: ${options.reason!.trim()}`);
    return;
  }
  throw preconditionError('NOT_VALIDATED', what, 'run migrate verify (it checks every window and marks those that pass), backfill the windows it names, or cut over with --force --reason "…"');
}

/** migrate rollback: put the stitched view back after a cutover. */
export async function runRollback(options: CommandOptions): Promise<void> {
  await withSession('rollback', options, {}, async (s) => {
    const tables = await s.preparedTables(['cutover'], 'roll back');
    await s.execute(tables.map(({ ctx }) => planRollback(ctx, s.ledger)));
  });
}
