import type { Row } from '../../dialects/types';
import { FLAG_DLT, FLAG_LEGACY } from '../align/dltColumns';
import { assertionError, preconditionError } from '../errors';
import type { Vars } from '../plan/types';
import { count } from '../plural';

/**
 * The Definition of Done, as checks on query results. Each throws an
 * assertion error (the unit is rolled back) or returns the lines to report.
 */

const n = (value: unknown) => Number(value ?? 0);

export type Distribution = Array<{ flag: string; rows: number }>;

export function readDistribution(rows: Row[]): Distribution {
  return rows.map((r) => ({ flag: String(r.source_flag), rows: n(r.row_count) }));
}

export function formatDistribution(label: string, dist: Distribution): string[] {
  if (dist.length === 0) return [`${label}: the view is empty`];
  return [`${label}: ${dist.map((d) => `('${d.flag}', ${d.rows})`).join(' ')}`];
}

/** Every key once, and the rows with a key add up to the distinct keys across legacy and target. */
export function checkViewInvariants(tableId: string) {
  return (rows: Row[]): string[] => {
    const r = rows[0] ?? {};
    if (n(r.keys_twice) > 0) {
      throw assertionError('KEY_TWICE', `${tableId}: ${count(n(r.keys_twice), 'key appears', 'keys appear')} more than once in the view`, 'the unit was rolled back; check the key configured for this table');
    }
    if (n(r.keyed_rows) !== n(r.distinct_keys)) {
      throw assertionError(
        'COUNTS_DISAGREE',
        `${tableId}: the view holds ${count(n(r.keyed_rows), 'keyed row')} but legacy and target hold ${count(n(r.distinct_keys), 'distinct key')}`,
        'the unit was rolled back; a key is missing from the view or counted twice',
      );
    }
    return [];
  };
}

/** After stitch: with an empty target the view is exactly ('legacy', N). */
export function checkStitchedDistribution(tableId: string, label: string) {
  return (rows: Row[], vars: Vars): string[] => {
    const dist = readDistribution(rows);
    const unknown = dist.find((d) => d.flag !== FLAG_LEGACY && d.flag !== FLAG_DLT);
    if (unknown) throw assertionError('BAD_FLAG', `${tableId}: the view has source_flag '${unknown.flag}'`);
    if (n(vars.get('target_rows')) === 0 && n(vars.get('legacy_keys')) > 0) {
      if (dist.length !== 1 || dist[0].flag !== FLAG_LEGACY) {
        throw assertionError('NOT_LEGACY_ONLY', `${tableId}: with an empty target the view must show exactly one row ('legacy', N); it shows ${formatDistribution('', dist)[0]}`);
      }
    }
    return formatDistribution(label, dist);
  };
}

/** After cutover: exactly ('dlt', N) with N ≥ distinct legacy keys. */
export function checkCutoverDistribution(tableId: string, label: string) {
  return (rows: Row[], vars: Vars): string[] => {
    const dist = readDistribution(rows);
    const legacyKeys = n(vars.get('legacy_keys'));
    if (dist.length !== 1 || dist[0].flag !== FLAG_DLT) {
      throw assertionError('NOT_DLT_ONLY', `${tableId}: after cutover the view must show exactly one row ('dlt', N); it shows ${formatDistribution('', dist)[0]}`);
    }
    if (dist[0].rows < legacyKeys) {
      throw assertionError('DLT_TOO_FEW', `${tableId}: after cutover the view shows ${count(dist[0].rows, 'row')}, fewer than the ${count(legacyKeys, 'distinct legacy key')}`);
    }
    return formatDistribution(label, dist);
  };
}

/** Before cutover: every legacy key is in the target, and no legacy row is without a key (or the operator accepted that). */
export function checkAllKeysPresent(tableId: string, allowUnkeyed: boolean, nullKey = 'a NULL key') {
  return (rows: Row[]): string[] => {
    const r = rows[0] ?? {};
    if (n(r.missing_keys) > 0) {
      throw preconditionError('KEYS_MISSING', `${tableId}: ${count(n(r.missing_keys), 'legacy key is', 'legacy keys are')} not in the target yet; the view was not changed`, 'run `migrate backfill --all` (and check `migrate status`) before cutover');
    }
    if (n(r.null_key_rows) > 0 && !allowUnkeyed) {
      throw preconditionError('UNKEYED_ROWS', `${tableId}: ${count(n(r.null_key_rows), 'legacy row has', 'legacy rows have')} ${nullKey} and would vanish from the view at cutover; the view was not changed`, 'fix them in legacy, or pass --allow-unkeyed to accept losing them from the view');
    }
    return [];
  };
}

/** Marking a slice done changed its one row: no other run took the slice over while this one merged it. */
export function checkSliceStillOurs(tableId: string, windowKey: string) {
  return (rows: Row[]): string[] => {
    if (n(rows[0]?.rows_changed) !== 1) {
      throw assertionError('SLICE_TAKEN', `${tableId} ${windowKey}: the ledger no longer has this slice as this run's`, 'the slice was rolled back; another run took it over, so let that run finish it');
    }
    return [];
  };
}

/** A slice's dlt load id is claimed by this run alone: otherwise its rows would hide behind another run's `_dlt_loads` row. */
export function checkLoadIdOurs(tableId: string, loadId: string, loadsName: string) {
  return (rows: Row[]): string[] => {
    if (n(rows[0]?.foreign_claims) > 0) {
      throw assertionError('LOAD_ID_TAKEN', `${tableId}: another run already registered dlt load ${loadId} in ${loadsName}; this slice's rows would carry an id registered for other rows`, 'the slice was rolled back; run the backfill again: it takes a new load id after the latest one');
    }
    return [];
  };
}

/** After a window's MERGE: every legacy key of the window is in the target. */
export function checkWindowKeysPresent(tableId: string, windowKey: string) {
  return (rows: Row[]): string[] => {
    const missing = n(rows[0]?.missing_keys);
    if (missing > 0) throw windowKeysMissing(tableId, windowKey, missing);
    return [];
  };
}

/**
 * No key of the window twice in the target: asked in the slice (a live insert racing the merge rolls it back) and,
 * where the slice could not see every live insert, again after commit, when what is left twice was not the
 * slice's to remove.
 */
export function checkWindowKeysOnce(tableId: string, windowKey: string, when: 'in the slice' | 'after commit' = 'in the slice', cursorImmutable = false) {
  return (rows: Row[]): string[] => {
    const twice = n(rows[0]?.keys_twice);
    if (twice > 0 && when === 'in the slice' && cursorImmutable) {
      throw assertionError(
        'WINDOW_KEYS_TWICE',
        `${tableId} ${windowKey}: the target holds ${count(twice, 'key')} of this window twice after the merge: the target had ${twice === 1 ? 'it' : 'them'} under a cursor outside this window, which cursor_immutable: true says cannot happen (or a live writer inserted ${twice === 1 ? 'it' : 'them'} while the slice ran)`,
        "the window was rolled back; if a row's cursor can change once written, remove cursor_immutable from this table's config and run the backfill again",
      );
    }
    if (twice > 0 && when === 'in the slice') {
      throw assertionError(
        'WINDOW_KEYS_TWICE',
        `${tableId} ${windowKey}: the target holds ${count(twice, 'key')} of this window twice after the merge (a live writer inserted ${twice === 1 ? 'it' : 'them'} while the slice ran)`,
        "the window was rolled back, so the writer's rows stay; run the same backfill again once the writer's load has finished",
      );
    }
    if (twice > 0) {
      throw assertionError(
        'WINDOW_KEYS_TWICE',
        `${tableId} ${windowKey}: the slice committed, and the target holds ${count(twice, 'key')} of this window twice in rows the slice did not write (or that carry no load id to tell)`,
        'the window stays done; these keys were held twice by the target itself (a writer that appends keys it already has) or the target has no _dlt_load_id; find them with `migrate verify --table ' + tableId + '`',
      );
    }
    return [];
  };
}

export function windowKeysMissing(tableId: string, windowKey: string, missing: number) {
  return assertionError('WINDOW_KEYS_MISSING', `${tableId} ${windowKey}: ${count(missing, 'legacy key')} of this window ${missing === 1 ? 'is' : 'are'} not in the target after the merge`, 'the window was rolled back; a newer target row may have a different cursor, or the key mapping is wrong');
}
