import type { TableConfig } from '../config/types';
import type { Dialect } from '../../dialects/types';
import type { DltTableHints } from '../dlt/tableHints';
import { usageError } from '../errors';
import { type AlignedColumn, type Alignment, withTimeConversion } from './alignment';
import { timeKind } from './timeConversion';

/**
 * An scd2 table (dlt's `x-merge-strategy: scd2`) keeps every version of a
 * record: `_dlt_valid_from`/`_dlt_valid_to` bound each version, and the
 * current one carries the table's active marker in valid_to (NULL, or the
 * `x-active-record-timestamp` literal). dlt's next load retires exactly the
 * rows carrying that marker (dlt/destinations/sql_jobs.py, gen_scd2_sql), so
 * a backfilled current row must carry it too, or the table keeps two current
 * versions of one record.
 *
 * A version is identified by the configured key and its valid_from, so a
 * backfill writes legacy's versions beside the ones dlt loaded (legacy's
 * history is kept, not collapsed to its latest row) and a re-run matches its
 * own rows. Each backfilled version starts at legacy's cursor (or the column
 * `columns.<valid_from>` maps), in UTC, and is written current; the slice
 * then closes every version that a later one of its key follows (plan/scd2.ts).
 */
export interface Scd2Columns {
  validFrom: AlignedColumn;
  validTo: AlignedColumn;
  /** The configured key, without valid_from: what "one current version per record" is counted on. */
  recordKey: AlignedColumn[];
  /** The active marker as SQL, typed as valid_to. */
  activeMarker: string;
  /** "<alias>.valid_to carries the active marker". */
  isActive: (alias: string) => string;
}

/** dlt's default names (dlt/common/schema/typing.py: DEFAULT_VALIDITY_COLUMN_NAMES). */
const DEFAULT_VALID_FROM = '_dlt_valid_from';
const DEFAULT_VALID_TO = '_dlt_valid_to';

export function withScd2(alignment: Alignment, hints: DltTableHints | undefined, table: TableConfig, dialect: Dialect): Alignment {
  const scd2 = hints?.scd2;
  if (!scd2) return alignment;
  const where = `tables.${table.id}`;
  const find = (name: string) => alignment.columns.find((c) => c.target.name.toLowerCase() === name.toLowerCase());
  const fromName = scd2.validFrom ?? DEFAULT_VALID_FROM;
  const toName = scd2.validTo ?? DEFAULT_VALID_TO;
  const declaredFrom = find(fromName);
  const declaredTo = find(toName);
  if (!declaredFrom || !declaredTo) {
    throw usageError('DLT_SCD2_COLUMNS', `${table.id}: dlt loads ${hints!.table} as scd2, but the target has no ${declaredFrom ? toName : fromName} column`, "run the pipeline once so dlt creates the table with its validity columns, or name them with the resource's validity_column_names");
  }
  const configured = Object.keys(table.columns).some((name) => name.toLowerCase() === declaredTo.target.name.toLowerCase());
  if (configured) {
    throw usageError('CONFIG_INVALID', `${where}.columns maps ${declaredTo.target.name}, scd2's valid_to`, 'Theseus writes it itself: the active marker for a current version, the next version\'s valid_from for an older one');
  }
  // A legacy column of the same name (legacy keeps its own history) is not copied: the versions' ends are
  // computed from the versions themselves, as dlt computes them.
  const validTo: AlignedColumn = declaredTo.role === 'mapped' ? { target: declaredTo.target, role: 'absent', legacySql: dialect.cast('NULL', declaredTo.target.type) } : declaredTo;
  // valid_from: the column the config maps to it, else legacy's cursor, converted to the target's type in UTC.
  const cursor = alignment.cursor;
  if (!cursor) throw usageError('DLT_SCD2_COLUMNS', `${table.id}: dlt loads it as scd2, whose versions start at legacy's cursor, and tables.${table.id} has none`, `set tables.${table.id}.cursor (or map ${declaredFrom.target.name} under columns:)`);
  const validFrom: AlignedColumn =
    declaredFrom.role === 'mapped'
      ? declaredFrom
      : withTimeConversion(
          { target: declaredFrom.target, role: 'mapped', rawLegacySql: cursor.rawLegacySql, rawType: cursor.rawType, legacySql: dialect.cast(cursor.rawLegacySql!, declaredFrom.target.type), from: cursor.from },
          dialect,
          table,
          true,
        );
  if (!validFrom.targetTime || validFrom.targetTime === 'epoch' || validFrom.targetTime === 'date') {
    throw usageError('DLT_SCD2_COLUMNS', `${table.id}: scd2's ${validFrom.target.name} is ${validFrom.target.type}, not a timestamp`, 'dlt creates it as a timestamp with time zone; check the target table');
  }
  const activeMarker = activeMarkerSql(dialect, validTo, scd2.activeRecordTimestamp, table.id);
  const q = dialect.quoteIdent(validTo.target.name);
  const columns = alignment.columns.map((c) => (c === declaredFrom ? validFrom : c === declaredTo ? validTo : c));
  return {
    ...alignment,
    columns,
    key: [...alignment.key, validFrom],
    payload: alignment.payload.filter((c) => c !== declaredFrom && c !== declaredTo),
    scd2: {
      validFrom,
      validTo,
      recordKey: alignment.key,
      activeMarker,
      isActive: (alias) => (scd2.activeRecordTimestamp ? `${alias}.${q} = ${activeMarker}` : `${alias}.${q} IS NULL`),
    },
  };
}

/** NULL, or dlt's `x-active-record-timestamp` (an ISO text with its offset) as a literal of valid_to's kind. */
function activeMarkerSql(dialect: Dialect, validTo: AlignedColumn, marker: string | null | undefined, tableId: string): string {
  if (!marker) return dialect.cast('NULL', validTo.target.type);
  const instant = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(marker) ? marker : `${marker}Z`);
  if (Number.isNaN(instant.getTime())) {
    throw usageError('DLT_SCD2_COLUMNS', `${tableId}: dlt's stored schema gives ${validTo.target.name} the active record timestamp "${marker}", which is not a time`, 'check the x-active-record-timestamp hint in _dlt_version');
  }
  const kind = timeKind(dialect, validTo.target.type);
  return dialect.cast(dialect.timestampLiteral(instant, kind === 'zoned'), validTo.target.type);
}
