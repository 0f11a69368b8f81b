import type { Vars } from '../plan/types';

/**
 * A slice's counts from what its steps captured: legacy_rows and to_insert
 * (counted before the MERGE) and rows_changed (the MERGE's own count, which is
 * inserted + updated); or, where the upsert reports both itself (Snowflake's
 * MERGE result row), to_insert and upsert_updated; plus fresh_inserted, a fresh window's INSERT.
 */
export function sliceCounts(vars: Vars) {
  const legacyRows = Number(vars.get('legacy_rows') ?? 0);
  const upserted = Number(vars.get('to_insert') ?? 0);
  const reported = vars.get('upsert_updated');
  const updated = reported !== undefined && reported !== null ? Number(reported) : Number(vars.get('rows_changed') ?? 0) - upserted;
  // A fresh window's plain INSERT (plan/windowState.ts) counts its rows apart.
  return { legacyRows, inserted: upserted + Number(vars.get('fresh_inserted') ?? 0), updated };
}
