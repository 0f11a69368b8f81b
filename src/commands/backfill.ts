import { profileLegacy, profileMonths, type LegacyProfile } from '../backfill/profile';
import { NULL_CURSOR_KEY, type Window, monthKey, monthWindow, monthWindows, parseMonth } from '../backfill/windows';
import { usageError } from '../errors';
import type { SliceRecord } from '../ledger/reads';
import { planBackfill } from '../plan/backfill';
import { keyIndexUnit } from '../plan/upsertStyle';
import type { Unit } from '../plan/types';
import { type CommandOptions, withSession } from './session';

export interface BackfillOptions extends CommandOptions {
  month?: string;
  from?: string;
  to?: string;
  all?: boolean;
  /** Load legacy rows whose cursor is NULL as a slice of their own. */
  includeNullCursor?: boolean;
  /** Where the engine upserts through a unique index on the key and the target lacks one, create it. */
  createKeyIndex?: boolean;
}

/** What one table's backfill will do, and what it leaves unhandled. */
interface TableBackfill {
  id: string;
  windows: Window[];
  skippedDone: number;
  complete: boolean;
  unhandled: string[];
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Validates the range flags up front (before any database work); undefined means --all. */
function requestedRange(options: BackfillOptions): Window[] | undefined {
  const modes = [options.month !== undefined, options.from !== undefined || options.to !== undefined, Boolean(options.all)].filter(Boolean).length;
  if (modes !== 1) {
    throw usageError('BACKFILL_RANGE', 'backfill needs exactly one of --month YYYY-MM, --from YYYY-MM --to YYYY-MM, or --all', 'e.g. migrate backfill --month 2024-03');
  }
  if (options.month !== undefined) return [monthWindow(parseMonth(options.month))];
  if (options.from !== undefined || options.to !== undefined) {
    if (options.from === undefined || options.to === undefined) throw usageError('BACKFILL_RANGE', '--from and --to go together', 'e.g. --from 2023-01 --to 2023-12');
    return monthWindows(parseMonth(options.from, '--from'), parseMonth(options.to, '--to'));
  }
  return undefined;
}

/**
 * Chooses the windows to run: explicit months always run (a re-run is how an
 * operator repairs one); --all skips windows the ledger has as done and redoes
 * failed or interrupted ones.
 */
function chooseWindows(options: BackfillOptions, range: Window[] | undefined, profile: LegacyProfile, slices: SliceRecord[]): { windows: Window[]; skippedDone: number } {
  const done = new Set(slices.filter((s) => s.status === 'done').map((s) => s.windowKey));
  const all = range === undefined;
  let windows = range ?? profileMonths(profile);
  let skippedDone = 0;
  if (all) {
    skippedDone = windows.filter((w) => done.has(w.key)).length;
    windows = windows.filter((w) => !done.has(w.key));
  }
  const wantNullSlice = options.includeNullCursor && profile.nullCursorRows > 0 && !(all && done.has(NULL_CURSOR_KEY));
  if (wantNullSlice) windows.push({ key: NULL_CURSOR_KEY });
  return { windows, skippedDone };
}

/** Will every legacy row be in a done window once these windows are done? Reports what stands in the way. */
function assessCompleteness(profile: LegacyProfile, slices: SliceRecord[], windows: Window[]): { complete: boolean; unhandled: string[] } {
  const doneAfter = new Set([...slices.filter((s) => s.status === 'done').map((s) => s.windowKey), ...windows.map((w) => w.key)]);
  const unhandled: string[] = [];
  const missing = profileMonths(profile).filter((w) => !doneAfter.has(w.key));
  if (missing.length) unhandled.push(`${missing.length} months not backfilled yet (${missing[0].key}${missing.length > 1 ? ` … ${missing[missing.length - 1].key}` : ''})`);
  if (profile.nullCursorRows > 0 && !doneAfter.has(NULL_CURSOR_KEY)) {
    unhandled.push(`${fmt(profile.nullCursorRows)} legacy rows have a NULL cursor and are in no window: add --include-null-cursor to load them as a slice of their own`);
  }
  if (profile.nullKeyRows > 0) {
    unhandled.push(`${fmt(profile.nullKeyRows)} legacy rows have a NULL key and cannot be merged: fix them in legacy (cutover refuses while they exist, unless --allow-unkeyed)`);
  }
  return { complete: unhandled.length === 0, unhandled };
}

/** migrate backfill: one idempotent MERGE per month window, each asserted and recorded in the ledger. */
export async function runBackfill(options: BackfillOptions): Promise<void> {
  const range = requestedRange(options);
  await withSession('backfill', options, {}, async (s) => {
    const units: Unit[] = [];
    const summaries: TableBackfill[] = [];
    for (const { ctx, state } of await s.preparedTables(['stitched', 'backfilling', 'backfilled'], 'backfill')) {
      const table = ctx.table;
      const keyIndex = keyIndexUnit(ctx, Boolean(options.createKeyIndex));
      if (keyIndex) units.push(keyIndex);
      const profile = await profileLegacy(s.conn, ctx);
      const { windows, skippedDone } = chooseWindows(options, range, profile, state.slices);
      const { complete, unhandled } = assessCompleteness(profile, state.slices, windows);
      s.log(
        `${table.id}: ${fmt(profile.totalRows)} legacy rows` +
          (profile.firstMonth ? ` from ${monthKey(profile.firstMonth)} to ${monthKey(profile.lastMonth!)}` : '') +
          `; ${windows.length} window${windows.length === 1 ? "" : "s"} to run${skippedDone ? `, ${skippedDone} already done` : ''}`,
      );
      units.push(...planBackfill(ctx, s.ledger, { windows, loadId: s.run.loadId, phase: state.phase, completes: complete }));
      summaries.push({ id: table.id, windows, skippedDone, complete, unhandled });
    }
    await s.execute(units);
    for (const t of summaries) {
      if (t.complete) {
        s.log(`${t.id}: complete: every legacy row is in the target${options.dryRun ? ' once this plan has run' : ''}`);
      } else {
        s.log(`${t.id}: NOT complete:`);
        t.unhandled.forEach((u) => s.log(`  - ${u}`));
      }
    }
  });
}
