import type { Window } from '../backfill/windows';
import type { LedgerWriter } from '../ledger/writes';
import type { UndoWindowRecord } from '../ledger/reads';
import type { Step, Unit, Vars } from './types';
import { type TableContext, keyMatch, keyNames, renderFor } from './tableContext';
import { sliceSourceSql } from './backfill';
import { preimagesQ } from './preimages';
import { loadIdColumnOf, loadIdValueOf, rowDiffers } from './upsert';
import { count } from '../plural';

/** What the undo of a table did, summed over its windows as each commits. */
export interface UndoTally {
  windows: number;
  removed: number;
  restored: number;
  kept: number;
  gone: number;
}

export const emptyTally = (): UndoTally => ({ windows: 0, removed: 0, restored: 0, kept: 0, gone: 0 });

/**
 * migrate undo, one window of one run (issue 16): one transaction that puts the target's rows back as they were
 * before the run, with its ledger update. A row the run wrote is undone only while it is still as the run wrote it:
 * it matches legacy's row of the window value for value and, where the target has dlt's load id, carries the load
 * id the slice wrote. Anything else (a newer version from live ingest or a later run, a row deleted since) is left
 * alone and counted. The rows still as written are deleted; the replaced ones are inserted back from their
 * pre-images, whole; the window is pending again, its validation mark and recorded state cleared.
 */
export function planUndoWindow(ctx: TableContext, ledger: LedgerWriter, record: UndoWindowRecord, window: Window, tally: UndoTally = emptyTally()): Unit {
  const id = ctx.table.id;
  const d = ctx.dialect;
  const q = (name: string) => d.quoteIdent(name);
  const columns = ctx.target.columns.map((c) => q(c.name));
  const source = sliceSourceSql(ctx, window);
  const loadIdColumn = loadIdColumnOf(ctx);
  const sameLoadAs = (alias: string) => (loadIdColumn && record.loadId ? `${alias}.${q(loadIdColumn.target.name)} = ${loadIdValueOf(ctx, loadIdColumn, record.loadId)}` : undefined);
  const sameLoad = sameLoadAs('t');
  /** Is the target row (under `alias`) still as the run wrote it: legacy's values, and the run's load id where there is one? */
  const oursAs = (alias: string) => {
    const sameValues = ctx.alignment.payload.length
      ? `NOT ${rowDiffers(
          ctx,
          (c) => `${alias}.${q(c.target.name)}`,
          (c) => `s.${q(c.target.name)}`,
        )}`
      : undefined;
    return [sameLoadAs(alias), sameValues].filter(Boolean).join(' AND ') || '1 = 1';
  };
  // Found by load id, an inserted row changed or deleted since is not listed at all: the slice's count says how many.
  const unlisted = (listed: number) => (sameLoad ? Math.max(0, record.rowsInserted - listed) : 0);
  const common = { preimages: preimagesQ(ctx), target: ctx.q.target, run_id: d.stringLiteral(record.runId), window_key: d.stringLiteral(window.key) };
  const matches = { key_match_tp: keyMatch(ctx, 't', 'p'), key_match_ts: keyMatch(ctx, 't', 's'), key_match_qp: keyMatch(ctx, ctx.q.target, 'p'), key_match_qs: keyMatch(ctx, ctx.q.target, 's') };
  const steps: Step[] = [];
  // Writers wait while the window is put back, where the engine can hold them off; elsewhere the delete asks again,
  // row by row, whether each row is still as the run wrote it.
  if (d.capabilities.mergeLocksOutWriters) {
    steps.push({ intent: "Hold off the target's writers until this window is undone", kind: 'exec', sql: renderFor(ctx, 'lock_target_for_merge', { target: ctx.q.target }) });
  }
  if (sameLoad) {
    steps.push({
      intent: `List the keys the run inserted into the window: the rows still carrying its load id ${record.loadId}, less those it replaced`,
      kind: 'exec',
      captureChanged: 'undo_listed',
      sql: renderFor(ctx, 'undo_inserted_keys', { ...common, same_load: sameLoad, key_columns: keyNames(ctx), t_keys: keyNames(ctx, 't'), key_match_tp: matches.key_match_tp }),
    });
  } else if (record.fresh) {
    steps.push({ intent: "List the keys the run inserted into the fresh window (every key of legacy's window)", kind: 'exec', sql: renderFor(ctx, 'undo_fresh_keys', { ...common, source, key_columns: keyNames(ctx), s_keys: keyNames(ctx, 's') }) });
  }
  steps.push(
    { intent: `Mark every row run ${record.runId} wrote as changed since, to begin with`, kind: 'exec', sql: renderFor(ctx, 'undo_mark_kept', common) },
    { intent: 'Mark the rows still as the run wrote them', kind: 'exec', sql: renderFor(ctx, 'undo_mark_ours', { ...common, ...matches, source, ours: oursAs('t'), load_id: sameLoad ? 'yes' : undefined }) },
    { intent: 'Mark the rows deleted since', kind: 'exec', sql: renderFor(ctx, 'undo_mark_gone', { ...common, ...matches }) },
    { intent: 'Count the rows listed and those deleted since', kind: 'query', captureRow: true, sql: renderFor(ctx, 'undo_counts', common) },
    { intent: 'Delete the rows the run wrote that are still as it wrote them', kind: 'exec', captureChanged: 'undo_removed', sql: renderFor(ctx, 'undo_delete', { ...common, ...matches, source, ours: oursAs('t'), ours_q: oursAs(ctx.q.target) }) },
    { intent: 'Insert back, whole, the rows the run replaced', kind: 'exec', captureChanged: 'undo_put_back', sql: renderFor(ctx, 'undo_restore', { ...common, key_match_tp: matches.key_match_tp, columns: columns.join(', '), p_columns: columns.map((c) => `p.${c}`).join(', ') }) },
    { intent: "Drop the window's spent pre-images", kind: 'exec', sql: renderFor(ctx, 'undo_forget', common) },
    ledger.validationClearStep(id, window),
    ledger.windowStateClearStep(id, window),
    ledger.sliceUndoneStep(id, window),
    ledger.undoDoneStep(id, window, record.runId, (vars) => tallyOf(vars).kept + tallyOf(vars).gone),
  );
  /** What the window's undo did, from what its statements changed. */
  const tallyOf = (vars: Vars): UndoTally => {
    const n = (name: string) => Number(vars.get(name) ?? 0);
    const restored = n('undo_put_back');
    const removed = Math.max(0, n('undo_removed') - restored);
    const gone = n('undo_gone');
    return { windows: 1, removed, restored, gone, kept: Math.max(0, n('undo_listed_total') - removed - restored - gone) + unlisted(n('undo_listed')) };
  };
  return {
    title: `${id} ${window.key}: undo run ${record.runId}`,
    atomic: true,
    steps,
    report: (vars) => {
      const done = tallyOf(vars);
      (Object.keys(tally) as Array<keyof UndoTally>).forEach((k) => (tally[k] += done[k]));
      return [`${id} ${window.key}: undone: ${undoText(done)}`];
    },
  };
}

/** "120 rows removed, 12 rows restored; kept: 3 rows changed since by live ingest or a later run (1 of them deleted since)". */
export function undoText(t: UndoTally): string {
  const kept = t.kept + t.gone;
  const keptText = kept ? `; kept: ${count(kept, 'row')} changed since by live ingest or a later run${t.gone ? ` (${t.gone} of them deleted since)` : ''}` : '';
  return `${count(t.removed, 'row')} removed, ${count(t.restored, 'row')} restored${keptText}`;
}
