import type { TableInfo } from '../../dialects/types';
import { type Window, parseWindowKey } from '../backfill/windows';
import { formatTableRef } from '../config/tableRef';
import { preconditionError, usageError } from '../errors';
import { type SliceRecord, type TableState, parseLedgerTime } from '../ledger/reads';
import { type LegacyProfile, legacyCoverageOf } from '../backfill/profile';
import { monthWindows } from '../backfill/windows';
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

/**
 * The staging backfill's plan context and state, and the unit that makes its table: the staging counts as stitched
 * until its first slice. Where the table is gone but the ledger still lists staged windows (a drop-staging killed
 * between its two steps on an engine whose DDL commits on its own), those windows are forgotten first: their rows are
 * gone, and every window is staged again.
 */
export async function stagingBackfill(s: Session, ctx: TableContext): Promise<{ ctx: TableContext; state: TableState; unit?: Unit }> {
  const staging = await readStaging(s, ctx);
  if (ctx.alignment.scd2) {
    throw preconditionError('STAGING_SCD2', `${ctx.table.id}: strategy staging does not serve an scd2 target (a slice there closes versions in the table it writes; promote would have to close them again)`, 'backfill it directly: drop strategy: staging (or pass --strategy direct)');
  }
  const orphaned = !staging.existing && (staging.state.slices.length > 0 || staging.state.phase !== 'new');
  const unit = stagingTableUnit(ctx, staging.ctx, staging.existing, staging.known, orphaned ? s.ledger.forgetTableSteps(staging.ctx.table.id) : []);
  const state = orphaned ? { ...staging.state, slices: [], phase: 'stitched' as const } : { ...staging.state, phase: staging.state.phase === 'new' ? ('stitched' as const) : staging.state.phase };
  return { ctx: staging.ctx, state, ...(unit ? { unit } : {}) };
}

/**
 * The staged windows whose rows the target has: done in the table's ledger after (or as) their staged slice was
 * done. A window staged again after its promote (legacy was corrected, and the month staged anew) is not promoted
 * until promote moves it again.
 */
export function promotedKeys(staged: SliceRecord[], table: SliceRecord[]): Set<string> {
  const doneAt = new Map(table.filter((x) => x.status === 'done').map((x) => [x.windowKey, parseLedgerTime(x.endedAt) ?? 0]));
  const promoted = new Set<string>();
  for (const x of staged) {
    if (x.status !== 'done' || !doneAt.has(x.windowKey)) continue;
    if (doneAt.get(x.windowKey)! >= (parseLedgerTime(x.endedAt) ?? 0)) promoted.add(x.windowKey);
  }
  return promoted;
}

/**
 * The windows promote moves: the staged windows (done in the staging's ledger) in the range, or with --all those not
 * promoted since they were staged (every one again with --rerun). Every month named must be staged where legacy has
 * rows in it; one that is not is refused, naming it, before anything moves.
 */
export function promoteWindows(id: string, staged: TableState, state: TableState, range: MonthRange | undefined, rerun: boolean, profile: LegacyProfile): Window[] {
  const windows = staged.slices.filter((x) => x.status === 'done').map((x) => parseWindowKey(x.windowKey)).filter((w): w is Window => w !== undefined);
  if (!windows.length) {
    throw preconditionError('NOTHING_STAGED', `${id}: no window is staged yet`, `stage first: migrate backfill --all with tables.${id}.strategy: staging (or --strategy staging)`);
  }
  if (range) {
    const end = rangeEnd(range);
    const covered = legacyCoverageOf(profile, windows);
    const missing = monthWindows(range.from, new Date(end.getTime() - 1)).filter((m) => !covered(m));
    if (missing.length) {
      throw usageError('NOT_STAGED', `${id}: ${count(missing.length, 'month')} asked for ${missing.length === 1 ? 'is' : 'are'} not staged: ${missing.map((m) => m.key).join(', ')}`, `stage ${missing.length === 1 ? 'it' : 'them'} first (migrate backfill --month … with strategy: staging); migrate status shows what is staged`);
    }
    return windows.filter((w) => w.start && w.end && w.start < end && w.end > range.from);
  }
  if (rerun) return windows;
  const promoted = promotedKeys(staged.slices, state.slices);
  return windows.filter((w) => !promoted.has(w.key));
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

/** Target columns legacy feeds that the staging table lacks (dlt added them after it was made): its rows hold none of their values. */
export function refuseStaleStaging(ctx: TableContext, staging: Staging): void {
  if (!staging.existing) return;
  const have = new Set(staging.existing.columns.map((c) => c.name.toLowerCase()));
  const fed = ctx.alignment.columns.filter((c) => c.role === 'mapped' && !have.has(c.target.name.toLowerCase())).map((c) => c.target.name);
  if (!fed.length) return;
  throw preconditionError(
    'STAGING_STALE',
    `${ctx.table.id}: the target gained ${fed.length === 1 ? 'a column' : 'columns'} legacy feeds (${fed.join(', ')}) after the staging table was made: its staged rows lack ${fed.length === 1 ? 'its values' : 'their values'}`,
    `stage again: migrate backfill --all --rerun (strategy: staging) adds ${fed.length === 1 ? 'it' : 'them'} and fills every window; then promote`,
  );
}

/** Staged windows not promoted since they were staged: what promote has yet to move. */
export function unpromoted(staged: SliceRecord[], table: SliceRecord[]): string[] {
  const promoted = promotedKeys(staged, table);
  return staged.filter((x) => x.status === 'done' && !promoted.has(x.windowKey)).map((x) => x.windowKey);
}

/**
 * Drops a table's staging (migrate drop-staging, and cutover unless --keep-staging): nothing to do where there is none.
 * Before cutover, staged windows not promoted yet are refused unless forced: their rows would be lost to the target.
 */
export async function dropStagingUnits(s: Session, ctx: TableContext, state: TableState, force: boolean): Promise<Unit[]> {
  const staging = await readStaging(s, ctx);
  if (!staging.existing && !staging.state.slices.length && staging.state.phase === 'new') return [];
  const waiting = state.phase === 'cutover' || state.phase === 'retired' ? [] : unpromoted(staging.state.slices, state.slices);
  if (waiting.length && !force) {
    throw preconditionError(
      'STAGING_NOT_PROMOTED',
      `${ctx.table.id}: ${count(waiting.length, 'staged window is', 'staged windows are')} not promoted yet (${waiting.slice(0, 4).join(', ')}${waiting.length > 4 ? ', …' : ''}); dropping the staging table loses them`,
      'run migrate promote --all first; or drop them: migrate drop-staging --force --reason "…" (the next staging backfill stages every window again); cutover --keep-staging leaves the staging table alone',
    );
  }
  return [dropStagingUnit(ctx, staging.ctx, s.ledger, staging.existing !== undefined)];
}
