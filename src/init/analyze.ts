import { alignColumns, type AlignedColumn } from '../align/alignment';
import { dltSnakeCase } from '../align/snakeCase';
import { timeKind } from '../align/timeConversion';
import { didYouMean } from '../config/didYouMean';
import type { TableConfig } from '../config/types';
import type { DltTableHints } from '../dlt/tableHints';
import type { Dialect, TableInfo } from '../../dialects/types';

/**
 * What `migrate init` reads off the two tables' metadata, before it looks at any data: how each target column is
 * fed (and by which rule), the key a source of truth declares, the columns that could be the key or the cursor.
 * Pure: the data questions (NULLs, ranges, uniqueness) are profile.ts's.
 */

/** One target column and where its values come from. */
export interface ColumnSource {
  target: string;
  type: string;
  /** The legacy column that feeds it, where one does. */
  from?: string;
  /** The rule that matched, in words: "same name", "dlt's snake_case of OrderTotal", "no source", "dlt's own column". */
  rule: string;
  /** An unmatched legacy column it may be, by spelling: a `columns:` override to consider. */
  maybe?: string;
}

/** The key as a declaration says it (dlt's primary_key hint, a PRIMARY KEY or UNIQUE constraint). */
export interface DeclaredKey {
  columns: string[];
  why: string;
}

export interface TableShape {
  columns: ColumnSource[];
  /** Declared keys, in the order init trusts them: dlt's hint, then legacy's constraints, then the target's. */
  declaredKeys: DeclaredKey[];
  /** Fed target columns that look like a key by name (id, <table>_id, …), to test for uniqueness in the data. */
  keyCandidates: Array<{ target: string; legacySql: string }>;
  /** Fed target columns of a time type: the cursor candidates, with the legacy expression their profile reads. */
  timeColumns: Array<{ target: string; legacySql: string; type: string }>;
  /** A fed time column named like a last-change stamp (updated_at, modified_on, …). */
  updatedAt?: string;
  unusedLegacy: string[];
}

const LAST_CHANGE = /(^|_)(updated|modified|changed|last_modified|last_update|last_changed)(_at|_on|_date|_time|_ts|_timestamp)?$/i;

export function analyzeTables(id: string, legacy: TableInfo, target: TableInfo, dialect: Dialect, hints: DltTableHints | undefined): TableShape {
  // The alignment the commands would make with no overrides: the same rules, so what init reports is what stitch does.
  const probe: TableConfig = { id, legacy: legacy.ref, target: target.ref, view: target.ref, key: [], legacyTimezone: 'UTC', columns: {}, dlt: {}, verify: { sums: [], tolerance: { kind: 'absolute', amount: 0 }, ignore: [] } };
  const alignment = alignColumns(probe, legacy, target, dialect);
  const fed = alignment.columns.filter((c) => c.role === 'mapped');
  const columns = alignment.columns.map((c) => columnSource(c, dialect, alignment.unusedLegacy));
  const targetOf = (legacyColumn: string) => fed.find((c) => c.from === legacyColumn)?.target.name;
  const isFed = (name: string) => fed.some((c) => c.target.name.toLowerCase() === name.toLowerCase());

  const declaredKeys: DeclaredKey[] = [];
  if (hints?.primaryKey.length && hints.primaryKey.every(isFed)) declaredKeys.push({ columns: hints.primaryKey, why: "dlt's primary_key hint (the key its merge loads use)" });
  for (const unique of legacy.uniqueKeys) {
    const mapped = unique.map(targetOf);
    if (mapped.every((m): m is string => m !== undefined)) declaredKeys.push({ columns: mapped, why: `legacy's PRIMARY KEY/UNIQUE (${unique.join(', ')})` });
  }
  for (const unique of target.uniqueKeys) if (unique.every(isFed)) declaredKeys.push({ columns: unique, why: "the target's PRIMARY KEY/UNIQUE" });
  // The same columns declared twice (dlt's hint and legacy's primary key) are one key, named by the first reason.
  const seen = new Set<string>();
  const distinctKeys = declaredKeys.filter((k) => {
    const id = k.columns.map((c) => c.toLowerCase()).sort().join(',');
    return seen.has(id) ? false : (seen.add(id), true);
  });

  const tableWord = dltSnakeCase(target.ref.name).replace(/s$/, '');
  const keyLike = (n: string) => n === 'id' || n === `${tableWord}_id` || n === `${tableWord}_key` || /(^|_)(id|uuid|key)$/.test(n);
  const keyCandidates = fed
    .filter((c) => keyLike(c.target.name.toLowerCase()))
    .map((c) => ({ target: c.target.name, legacySql: c.rawLegacySql ?? c.legacySql }))
    // id first, then <table>_id, then the rest in the target's order.
    .sort((a, b) => rankKeyName(a.target.toLowerCase(), tableWord) - rankKeyName(b.target.toLowerCase(), tableWord));

  const timeColumns = fed
    .filter((c) => timeKind(dialect, c.target.type) !== undefined && c.from !== 'expr')
    .map((c) => ({ target: c.target.name, legacySql: c.rawLegacySql ?? c.legacySql, type: c.target.type }));
  const updatedAt = timeColumns.find((c) => LAST_CHANGE.test(c.target))?.target;
  return { columns, declaredKeys: distinctKeys, keyCandidates, timeColumns, updatedAt, unusedLegacy: alignment.unusedLegacy };
}

function rankKeyName(name: string, tableWord: string): number {
  if (name === 'id') return 0;
  if (name === `${tableWord}_id`) return 1;
  return 2;
}

function columnSource(c: AlignedColumn, dialect: Dialect, unusedLegacy: string[]): ColumnSource {
  const base = { target: c.target.name, type: c.target.type };
  if (c.role === 'dlt') return { ...base, rule: "dlt's own column: Theseus fills it" };
  if (c.role === 'absent') {
    // A legacy column left over whose dlt name is a near spelling of this one, or this one with a prefix or suffix
    // (order_total for total): the likely override.
    const snake = (n: string) => dltSnakeCase(n, dialect.dltMaxNameLength);
    const name = c.target.name.toLowerCase();
    const near = didYouMean(c.target.name, unusedLegacy.map(snake));
    const maybe =
      unusedLegacy.find((n) => near.includes(`"${snake(n)}"`)) ?? unusedLegacy.find((n) => snake(n).endsWith(`_${name}`) || snake(n).startsWith(`${name}_`));
    return { ...base, rule: 'no source: backfilled rows hold NULL here', ...(maybe ? { maybe } : {}) };
  }
  const from = c.from!;
  if (from === c.target.name) return { ...base, from, rule: 'same name' };
  if (from.toLowerCase() === c.target.name.toLowerCase()) return { ...base, from, rule: 'same name, another case' };
  return { ...base, from, rule: `dlt's snake_case of ${from}` };
}
