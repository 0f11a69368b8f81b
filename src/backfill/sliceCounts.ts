import type { Vars } from '../plan/types';

/**
 * A slice's counts as its last statement read them back from its tally in the ledger (LedgerWriter.tallyReadStep):
 * legacy's rows of the window, the rows inserted (by the upsert or a fresh window's INSERT) and updated.
 */
export function sliceCounts(vars: Vars) {
  const n = (name: string) => Number(vars.get(name) ?? 0);
  return { legacyRows: n('legacy_rows'), inserted: n('rows_inserted'), updated: n('rows_updated') };
}
