/**
 * What the warehouse plan tests put in a backfilled catalog so `undo` and `prune` plan offline: a backfill run the
 * ledger can undo (a window it changed and a fresh one), and the pre-image tables it made (plan/preimages.ts).
 */
export const UNDO_RUN = '1732000000.500000-abcdef';

export const undoRecords = (phase: string) =>
  phase === 'backfilled'
    ? [
        { window: '2023-01', run_id: UNDO_RUN, load_id: '1732000000.500000', rows_inserted: 400, rows_updated: 3 },
        { window: '2023-02', run_id: UNDO_RUN, load_id: '1732000000.500001', fresh: true, rows_inserted: 380, rows_updated: 0 },
      ]
    : [];

/** A pre-image table: its bookkeeping columns (of the engine's text type), then the target's, nullable. */
export const preimageTable = (text: string, target: Array<{ name: string; type: string }>) => ({
  kind: 'table',
  columns: [...['_theseus_run_id', '_theseus_window', '_theseus_change', '_theseus_undo'].map((name) => ({ name, type: text, nullable: true })), ...target.map((c) => ({ name: c.name, type: c.type, nullable: true }))],
  unique_keys: [],
});
