import type { TableInfo } from '../../dialects/types';
import { type Window, parseWindowKey } from '../backfill/windows';
import { formatTableRef } from '../config/tableRef';
import { preconditionError, usageError } from '../errors';
import type { TableState } from '../ledger/reads';
import type { SliceSource } from '../plan/backfill';
import { dropStagingUnit, stagedRowsSql, stagingContext, stagingId, stagingRef, stagingTableUnit } from '../plan/staging';
import type { TableContext } from '../plan/tableContext';
import type { Unit } from '../plan/types';
import { count } from '../plural';
import { type MonthRange, rangeEnd } from './monthRange';
import type { Session } from './session';

/** A table's staging as the session finds it: the staging backfill's context, the table as it stands, the ledger's windows. */
export interface Staging {
  ctx: TableContext;
  existing: TableInfo | undefined;
  /** The ledger has this staging (its identity is recorded): the table, where it exists, is this migration's. */
  known: boolean;
  state: TableState;
}

/** Reads a table's staging: the staging table (if made) and its ledger state. */
export async function readStaging(s: Session, ctx: TableContext): Promise<Staging> {
  const ref = stagingRef(ctx.table, s.config.stateSchema, s.dialect);
  const existing = await s.reads.introspect(ref);
  const known = (await s.reads.tableIdentity(stagingId(ctx.table.id))) !== undefined;
  const staging = stagingContext(ctx, s.config.stateSchema, existing);
  const state = await s.state(staging.table);
  return { ctx: staging, existing, known, state };
}

/** The staging backfill's plan context and state, and the unit that makes its table: the staging counts as stitched until its first slice. */
export async function stagingBackfill(s: Session, ctx: TableContext): Promise<{ ctx: TableContext; state: TableState; unit?: Unit }> {
  const staging = await readStaging(s, ctx);
  if (ctx.alignment.scd2) {
    throw preconditionError('STAGING_SCD2', `${ctx.table.id}: strategy staging does not serve an scd2 target (a slice there closes versions in the table it writes; promote would have to close them again)`, 'backfill it directly: drop strategy: staging (or pass --strategy direct)');
  }
  const unit = stagingTableUnit(ctx, staging.ctx, staging.existing, staging.known);
  const phase = staging.state.phase === 'new' ? 'stitched' : staging.state.phase;
  return { ctx: staging.ctx, state: { ...staging.state, phase }, ...(unit ? { unit } : {}) };
}

/**
 * The windows promote moves: the staged windows (done in the staging's ledger) in the range, or with --all those the
 * table's ledger does not have as done (every one again with --rerun). A month named that is not staged is refused.
 */
export function promoteWindows(id: string, staged: TableState, state: TableState, range: MonthRange | undefined, rerun: boolean): Window[] {
  const windows = staged.slices.filter((x) => x.status === 'done').map((x) => parseWindowKey(x.windowKey)).filter((w): w is Window => w !== undefined);
  if (range) {
    const end = rangeEnd(range);
    const chosen = windows.filter((w) => w.start && w.end && w.start < end && w.end > range.from);
    if (!chosen.length) throw usageError('NOT_STAGED', `${id}: no staged window lies in the months asked for`, `migrate status shows what is staged; migrate backfill --table ${id} with --month stages a month`);
    return chosen;
  }
  if (rerun) return windows;
  const done = new Set(state.slices.filter((x) => x.status === 'done').map((x) => x.windowKey));
  return windows.filter((w) => !done.has(w.key));
}

/** What a promote slice reads: the staging table's rows of the window. */
export function promoteSource(ctx: TableContext, staging: Staging): SliceSource {
  if (!staging.existing) {
    throw preconditionError(
      'NOTHING_STAGED',
      `${ctx.table.id}: there is no staging table ${formatTableRef(staging.ctx.target.ref)} to promote from`,
      staging.state.slices.length ? 'it was dropped; stage again with migrate backfill (strategy: staging)' : `stage first: set tables.${ctx.table.id}.strategy: staging (or pass --strategy staging) and run migrate backfill --all`,
    );
  }
  return { rows: (w) => stagedRowsSql(ctx, staging.ctx, w), describe: `the staging table ${formatTableRef(staging.ctx.target.ref)}; a target row is replaced only by a staged row at least as new` };
}

/** Staged windows the table's ledger does not have as done: what promote has yet to move. */
export function unpromoted(staged: TableState, state: TableState): string[] {
  const done = new Set(state.slices.filter((x) => x.status === 'done').map((x) => x.windowKey));
  return staged.slices.filter((x) => x.status === 'done' && !done.has(x.windowKey)).map((x) => x.windowKey);
}

/**
 * Drops a table's staging (migrate drop-staging, and cutover unless --keep-staging): nothing to do where there is none.
 * Before cutover, staged windows not promoted yet are refused unless forced: their rows would be lost to the target.
 */
export async function dropStagingUnits(s: Session, ctx: TableContext, state: TableState, force: boolean): Promise<Unit[]> {
  const staging = await readStaging(s, ctx);
  if (!staging.existing && !staging.state.slices.length && staging.state.phase === 'new') return [];
  const waiting = state.phase === 'cutover' || state.phase === 'retired' ? [] : unpromoted(staging.state, state);
  if (waiting.length && !force) {
    throw preconditionError(
      'STAGING_NOT_PROMOTED',
      `${ctx.table.id}: ${count(waiting.length, 'staged window is', 'staged windows are')} not promoted yet (${waiting.slice(0, 4).join(', ')}${waiting.length > 4 ? ', …' : ''}); dropping the staging table loses them`,
      'run migrate promote --all first, or add --force to drop them (the next staging backfill stages every window again)',
    );
  }
  return [dropStagingUnit(ctx, staging.ctx, s.ledger, staging.existing !== undefined)];
}
