import { parseWindowKey } from '../backfill/windows';
import { preconditionError, usageError } from '../errors';
import { undoable, type UndoWindowRecord } from '../ledger/reads';
import { count } from '../plural';
import { type UndoTally, emptyTally, planUndoWindow, undoText } from '../plan/undo';
import type { Unit } from '../plan/types';
import { type CommandOptions, withSession } from './session';

export interface UndoOptions extends CommandOptions {
  /** The backfill run to undo (its id, as status and migrate log show it). */
  run: string;
  /** Only these windows (YYYY-MM, YYYY-Www, YYYY-MM-DD, or the NULL-cursor window); default: every window the run changed. */
  windows?: string[];
}

/**
 * migrate undo --run R: puts the target back as it was before a backfill run, window by window (plan/undo.ts). Rows
 * changed since by live ingest are kept and counted. Refused after cutover (rollback first) and after retire, and
 * where a later run changed the same window (undo that one first: its pre-images hold this run's rows).
 */
export async function runUndo(options: UndoOptions): Promise<void> {
  if (!options.run?.trim()) throw usageError('RUN_REQUIRED', 'undo needs --run RUN_ID', 'migrate status and migrate log list the runs that can be undone');
  const runId = options.run.trim();
  const unknownWindows = (options.windows ?? []).filter((w) => !parseWindowKey(w));
  if (unknownWindows.length) throw usageError('BAD_WINDOW', `--window ${unknownWindows.join(', ')} is not a window key`, 'write it like 2024-03 (month), 2024-W09 (week) or 2024-03-05 (day)');
  await withSession('undo', options, {}, async (s) => {
    const units: Unit[] = [];
    const summary: string[] = [];
    let found = 0;
    const tallies = new Map<string, UndoTally>();
    for (const table of s.tables) {
      const id = table.id;
      const state = await s.state(table);
      const records = await s.reads.undoWindows(id);
      const ofRun = records.filter((r) => r.runId === runId && (!options.windows?.length || options.windows.includes(r.windowKey)));
      const todo = ofRun.filter(undoable);
      if (!todo.length) {
        if (ofRun.length) summary.push(`${id}: nothing to undo for run ${runId} (${whyNot(ofRun)})`);
        continue;
      }
      if (state.phase === 'cutover') throw preconditionError('UNDO_AFTER_CUTOVER', `${id}: cut over; the view reads the target alone`, 'run `migrate rollback` first, then undo');
      if (state.phase === 'retired') throw preconditionError('UNDO_AFTER_RETIRE', `${id}: retired; legacy is archived, so the rows cannot be checked against it`, 'nothing was changed');
      const ctx = await s.context(table, { quiet: true });
      if (ctx.alignment.scd2) throw preconditionError('UNDO_SCD2', `${id}: undo does not take back an scd2 backfill (its slices also close versions)`, 'nothing was changed');
      const later = laterChanges(records, todo);
      if (later.length) {
        throw preconditionError('UNDO_ORDER', `${id}: run ${later[0].runId} changed ${later.map((r) => r.windowKey).join(', ')} after run ${runId}`, `undo run ${later[0].runId} first (its pre-images hold run ${runId}'s rows), then this one`);
      }
      const tally = emptyTally();
      tallies.set(id, tally);
      if (state.phase === 'backfilled') units.push({ title: `${id}: backfilling again`, atomic: false, steps: [s.ledger.setPhaseStep(id, 'backfilling')] });
      for (const record of todo) {
        const window = parseWindowKey(record.windowKey);
        if (!window) throw preconditionError('LEDGER_WINDOW', `${id}: the ledger's window ${record.windowKey} is not one Theseus writes`, 'nothing was changed');
        units.push(planUndoWindow(ctx, s.ledger, record, window, tally));
        summary.push(`${id} ${record.windowKey}: run ${runId} inserted ${count(record.rowsInserted, 'row')}${record.fresh ? ' (fresh window)' : ''}, replaced ${count(record.rowsUpdated, 'row')}`);
      }
      found += todo.length;
    }
    if (!found) {
      summary.forEach((line) => s.log(line));
      throw preconditionError('NOTHING_TO_UNDO', `run ${runId} has no change left to undo${options.windows?.length ? ` in ${options.windows.join(', ')}` : ''}`, 'migrate status lists the runs that can be undone; a run with backfill.keep_preimages: false kept nothing to undo with');
    }
    summary.forEach((line) => s.log(`${options.dryRun ? 'would undo: ' : 'undo: '}${line}`));
    await s.execute(units);
    if (options.dryRun) return;
    for (const [id, tally] of tallies) s.log(`${id}: run ${runId} undone in ${count(tally.windows, 'window')}: ${undoText(tally)}; ${tally.windows === 1 ? 'it is' : 'they are'} pending again`);
  });
}

function whyNot(records: UndoWindowRecord[]): string {
  if (records.some((r) => r.undoneAt)) return 'already undone';
  if (records.some((r) => r.prunedAt)) return 'its pre-images were pruned';
  return 'it changed no row';
}

/** Undoable changes of other runs recorded after this run's, in windows that overlap this run's (a week inside a month too). */
function laterChanges(all: UndoWindowRecord[], todo: UndoWindowRecord[]): UndoWindowRecord[] {
  return all.filter((r) => undoable(r) && r.runId !== todo[0].runId && todo.some((t) => overlap(t.windowKey, r.windowKey) && (r.recordedAt ?? '') > (t.recordedAt ?? '')));
}

function overlap(a: string, b: string): boolean {
  const x = parseWindowKey(a);
  const y = parseWindowKey(b);
  if (!x?.start || !x.end || !y?.start || !y.end) return a === b;
  return x.start < y.end && y.start < x.end;
}
