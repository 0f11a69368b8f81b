import { didYouMean } from '../config/didYouMean';
import type { TableConfig } from '../config/types';
import { formatTableRef } from '../config/tableRef';
import type { ColumnInfo, Dialect, TableInfo } from '../../dialects/types';
import { usageError } from '../errors';
import { DLT_ID, DLT_LOAD_ID, SOURCE_FLAG, isDltColumn } from './dltColumns';
import { dltSnakeCase } from './snakeCase';
import type { Scd2Columns } from './scd2';
import { type TimeKind, convertTime, timeKind, utcWallTime } from './timeConversion';
import { escapeRegExp } from '../escapeRegExp';

/** How one target column is produced from a legacy row. */
export interface AlignedColumn {
  target: ColumnInfo;
  /** mapped: fed from legacy; absent: no legacy source (typed NULL); dlt: a dlt bookkeeping column. */
  role: 'mapped' | 'absent' | 'dlt';
  /** Expression over the legacy table's columns, already cast to the target column's type. */
  legacySql: string;
  /** The expression before the cast to the target type: what filters and orderings use, so indexes still apply. */
  rawLegacySql?: string;
  /** The type of rawLegacySql as far as it is known (legacy column or override type; the target's for an expression). */
  rawType?: string;
  /** Where the value comes from, for messages: a legacy column name, or "expr". */
  from?: string;
  /**
   * For a time column whose legacy value is not already a UTC wall time or an
   * instant (a naive value in another legacy_timezone, an integer epoch): the
   * legacy value as a naive UTC wall time, which day and checksum computations read.
   */
  utcLegacySql?: string;
  /** columns.<c>.allow_narrowing: the operator accepts that the target's narrower type changes values. */
  allowNarrowing?: boolean;
  /** The zone legacy's naive value is read in (legacy_timezone; UTC for a date that stays a date). */
  legacyZone?: string;
  /** The time kinds of the two sides (undefined: not a time value). */
  legacyTime?: TimeKind;
  targetTime?: TimeKind;
}

export interface Alignment {
  /** In the target's column order. */
  columns: AlignedColumn[];
  key: AlignedColumn[];
  /** Absent for a table sliced by its key alone (no cursor in its config). */
  cursor?: AlignedColumn;
  updatedAt?: AlignedColumn;
  /** Mapped columns that are neither key nor dlt columns: what a MERGE compares and updates. */
  payload: AlignedColumn[];
  /** Legacy columns that feed nothing (reported as a warning). */
  unusedLegacy: string[];
  /** The legacy key is declared PRIMARY KEY/UNIQUE, so de-duplication by key can be skipped. */
  legacyKeyUnique: boolean;
  hasDltLoadId: boolean;
  hasDltId: boolean;
  /** Where dlt loads the target as scd2: its validity columns (see scd2.ts). The key then includes valid_from. */
  scd2?: Scd2Columns;
}

/**
 * Aligns legacy columns to target columns: explicit `columns:` overrides first,
 * then an exact (case-insensitive) name match, then dlt's snake_case of the
 * legacy name (shortened to dlt's limit on the engine, as dlt shortens it).
 * Every value is cast to the target column's type unless the types already
 * agree. Pure: works on introspected metadata only.
 */
export function alignColumns(table: TableConfig, legacy: TableInfo, target: TableInfo, dialect: Dialect): Alignment {
  const where = `tables.${table.id}`;
  const legacyByLower = new Map(legacy.columns.map((c) => [c.name.toLowerCase(), c]));
  // The name dlt gives a legacy column on this engine, shortened as dlt shortens it where the engine's limit is short.
  const dltName = (name: string) => dltSnakeCase(name, dialect.dltMaxNameLength);
  const legacyBySnake = new Map<string, ColumnInfo>();
  for (const c of legacy.columns) if (!legacyBySnake.has(dltName(c.name))) legacyBySnake.set(dltName(c.name), c);
  const targetByLower = new Map(target.columns.map((c) => [c.name.toLowerCase(), c]));

  if (targetByLower.has(SOURCE_FLAG)) {
    throw usageError('COLUMN_CONFLICT', `target ${formatTableRef(table.target)} already has a column named ${SOURCE_FLAG}`, 'the stitched view adds that column; rename it in the target');
  }
  for (const name of Object.keys(table.columns)) {
    if (!targetByLower.has(name.toLowerCase())) {
      throw usageError('MISSING_COLUMN', `${where}.columns names ${name}, which is not a column of target ${formatTableRef(table.target)}${didYouMean(name, target.columns.map((c) => c.name))}`, `target columns: ${target.columns.map((c) => c.name).join(', ')}`);
    }
    if (isDltColumn(name)) throw usageError('CONFIG_INVALID', `${where}.columns cannot map ${name}: Theseus fills dlt's columns itself`);
  }

  const used = new Set<string>();
  const overridesByLower = new Map(Object.entries(table.columns).map(([k, v]) => [k.toLowerCase(), v]));
  const columns: AlignedColumn[] = target.columns.map((col) => {
    const typedNull = dialect.cast('NULL', col.type);
    if (isDltColumn(col.name)) return { target: col, role: 'dlt', legacySql: typedNull };
    const override = overridesByLower.get(col.name.toLowerCase());
    if (override?.expr !== undefined) {
      // The config author's own SQL: the one place raw SQL is accepted, and it is printed in every dry run.
      for (const c of legacy.columns) if (new RegExp(`\\b${escapeRegExp(c.name)}\\b`, 'i').test(override.expr)) used.add(c.name);
      const raw = override.type ? dialect.cast(`(${override.expr})`, override.type) : `(${override.expr})`;
      const fromExpr: AlignedColumn = { target: col, role: 'mapped', rawLegacySql: raw, rawType: override.type ?? col.type, legacySql: dialect.cast(raw, col.type), from: 'expr' };
      return withTimeConversion(fromExpr, dialect, table, col.name.toLowerCase() === table.cursor?.toLowerCase());
    }
    let source: ColumnInfo | undefined;
    if (override?.from !== undefined) {
      source = legacyByLower.get(override.from.toLowerCase());
      if (!source) {
        throw usageError('MISSING_COLUMN', `${where}.columns.${col.name}.from names ${override.from}, which is not a column of legacy ${formatTableRef(table.legacy)}${didYouMean(override.from, legacy.columns.map((c) => c.name))}`, `legacy columns: ${legacy.columns.map((c) => c.name).join(', ')}`);
      }
    } else {
      source = legacyByLower.get(col.name.toLowerCase()) ?? legacyBySnake.get(dltName(col.name));
    }
    if (!source) return { target: col, role: 'absent', legacySql: typedNull };
    used.add(source.name);
    const quoted = dialect.quoteIdent(source.name);
    const raw = override?.type ? dialect.cast(quoted, override.type) : quoted;
    const needsCast = override?.type ? !dialect.sameType(override.type, col.type) : !dialect.sameType(source.type, col.type);
    const rawType = override?.type ?? source.type;
    const aligned: AlignedColumn = { target: col, role: 'mapped', rawLegacySql: raw, rawType, legacySql: needsCast ? dialect.cast(raw, col.type) : raw, from: source.name, allowNarrowing: override?.allowNarrowing };
    return withTimeConversion(aligned, dialect, table, col.name.toLowerCase() === table.cursor?.toLowerCase());
  });

  const byName = (name: string, what: string): AlignedColumn => {
    const found = columns.find((c) => c.target.name.toLowerCase() === name.toLowerCase());
    if (!found) {
      throw usageError('MISSING_COLUMN', `${where}.${what} is ${name}, which is not a column of target ${formatTableRef(table.target)}${didYouMean(name, target.columns.map((c) => c.name))}`, `target columns: ${target.columns.map((c) => c.name).join(', ')}`);
    }
    if (found.role !== 'mapped') {
      throw usageError('MISSING_COLUMN', `${where}.${what} is ${name}, but no legacy column feeds it`, `map it under ${where}.columns, e.g. ${name}: { from: <legacy column> }`);
    }
    return found;
  };
  const key = table.key.map((k) => byName(k, 'key'));
  const cursor = table.cursor === undefined ? undefined : byName(table.cursor, 'cursor');
  if (cursor) checkCursorType(table, cursor);
  const updatedAt = table.updatedAt ? byName(table.updatedAt, 'updated_at') : undefined;
  const payload = columns.filter((c) => c.role === 'mapped' && !key.includes(c));
  const legacyKeyColumns = key.map((k) => (k.from && k.from !== 'expr' ? k.from : undefined));
  const legacyKeyUnique = legacyKeyColumns.every((c): c is string => c !== undefined) && hasUniqueKeyOn(legacy, legacyKeyColumns);

  return {
    columns,
    key,
    cursor,
    updatedAt,
    payload,
    unusedLegacy: legacy.columns.map((c) => c.name).filter((n) => !used.has(n)),
    legacyKeyUnique,
    hasDltLoadId: targetByLower.has(DLT_LOAD_ID),
    hasDltId: targetByLower.has(DLT_ID),
  };
}

/**
 * Time values are converted with their zones named (see timeConversion.ts):
 * the aligned expression, and the UTC wall time that days and checksums read
 * where legacy's own value is not one. Only the cursor can be an integer epoch.
 */
export function withTimeConversion(column: AlignedColumn, dialect: Dialect, table: TableConfig, isCursor: boolean): AlignedColumn {
  const unit = isCursor ? table.cursorUnit : undefined;
  const from = timeKind(dialect, column.rawType!, unit);
  const to = timeKind(dialect, column.target.type, unit);
  if (!from || !to) return { ...column, legacyTime: from, targetTime: to };
  // A calendar date kept as a date is the same date in every zone: only a wall time is read in legacy's zone.
  const zone = from === 'date' && to === 'date' ? 'UTC' : table.legacyTimezone;
  const converted = convertTime(dialect, column.rawLegacySql!, from, to, zone, unit);
  const utcNeeded = from === 'epoch' || ((from === 'naive' || from === 'date') && zone.toUpperCase() !== 'UTC');
  return {
    ...column,
    legacySql: converted === undefined ? column.legacySql : dialect.cast(converted, column.target.type),
    utcLegacySql: utcNeeded ? utcWallTime(dialect, column.rawLegacySql!, from, zone, unit) : undefined,
    legacyTime: from,
    targetTime: to,
    legacyZone: zone,
  };
}

/** Windows are periods of time: the cursor must be a date or timestamp on both sides, or an integer epoch with cursor_unit. */
function checkCursorType(table: TableConfig, cursor: AlignedColumn): void {
  const where = `tables.${table.id}`;
  const accepted = 'a date or timestamp column, or an integer epoch column with cursor_unit: s, ms or us';
  for (const [side, type, kind] of [['legacy', cursor.rawType ?? cursor.target.type, cursor.legacyTime], ['target', cursor.target.type, cursor.targetTime]] as const) {
    if (kind) continue;
    const integer = /int|serial/i.test(type) && !table.cursorUnit;
    throw usageError(
      'CURSOR_TYPE',
      `${where}.cursor is ${cursor.target.name}, whose ${side} type is ${type}: windows need ${accepted}`,
      integer ? `if ${cursor.target.name} counts time since 1970-01-01 UTC, say in what: ${where}.cursor_unit: s (or ms, us)` : `choose a date/time column as ${where}.cursor`,
    );
  }
  if (cursor.targetTime === 'epoch' && cursor.legacyTime !== 'epoch') {
    throw usageError('CURSOR_TYPE', `${where}.cursor ${cursor.target.name} is a ${cursor.rawType} in legacy and an integer epoch in the target: Theseus does not turn times into epochs`, `feed it with an expression that does, e.g. ${where}.columns.${cursor.target.name}.expr, or make the target's column a timestamp`);
  }
  if (table.cursorUnit && cursor.legacyTime !== 'epoch' && cursor.targetTime !== 'epoch') {
    throw usageError('CONFIG_INVALID', `${where}.cursor_unit is set, but the cursor ${cursor.target.name} is not an integer on either side`, `remove ${where}.cursor_unit`);
  }
}

/** Does the table have a primary key, unique constraint or unique index on exactly these columns (in any order, any case)? */
export function hasUniqueKeyOn(table: TableInfo, columns: string[]): boolean {
  const wanted = columns.map((c) => c.toLowerCase());
  return table.uniqueKeys.some((uk) => uk.length === wanted.length && uk.every((c) => wanted.includes(c.toLowerCase())));
}
