import type { Dialect } from '../../dialects/types';
import type { AlignedColumn, Alignment } from './alignment';

/**
 * Where a target column is narrower than the legacy column feeding it
 * (shorter text, fewer digits or decimals, a smaller integer, coarser
 * timestamps, text into a number or a time), casting would truncate or round
 * a value without a word: the view would serve `Acm` for `Acme` and 7.3 for
 * 7.25. Such pairs are found from the declared types alone; the rows whose
 * value would change are then counted (read-only) before anything is written.
 */
type Shape =
  | { kind: 'text'; length: number }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'integer'; bytes: number; unsigned: boolean }
  | { kind: 'float'; bytes: number }
  | { kind: 'time'; precision: number; date: boolean }
  | { kind: 'other' };

const INTEGER_BYTES: Array<[RegExp, number]> = [
  [/^(tinyint|utinyint|int1)\b/, 1],
  [/^(smallint|usmallint|int2|smallserial)\b/, 2],
  [/^mediumint\b/, 3],
  [/^(int|integer|uinteger|int4|serial)\b/, 4],
  [/^(bigint|ubigint|int8|int64|bigserial)\b/, 8],
  [/^(hugeint|uhugeint)\b/, 16],
];
/** Decimal digits every value of an integer of this many bytes may need. */
const INTEGER_DIGITS: Record<number, number> = { 1: 3, 2: 5, 3: 8, 4: 10, 8: 19, 16: 39 };
/** What a type's shape depends on besides its name: the dialect's default timestamp precision and bounded text types. */
export type ShapeRules = Pick<Dialect, 'timePrecision' | 'boundedTextTypes'>;

/** The shape of a type as any engine spells it. */
export function typeShape(type: string, rules: ShapeRules): Shape {
  const timePrecision = rules.timePrecision;
  const t = type.trim().toLowerCase();
  const size = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(t);
  if (/^(character varying|varchar|character|char|nchar|nvarchar|bpchar|string|text|tinytext|mediumtext|longtext)\b/.test(t)) {
    const word = t.split(/[\s(]/)[0];
    return { kind: 'text', length: size ? Number(size[1]) : (rules.boundedTextTypes?.[word] ?? Infinity) };
  }
  if (/^(decimal|numeric|dec|fixed|number)\b/.test(t)) {
    return size ? { kind: 'decimal', precision: Number(size[1]), scale: Number(size[2] ?? 0) } : { kind: 'decimal', precision: Infinity, scale: Infinity };
  }
  for (const [pattern, bytes] of INTEGER_BYTES) if (pattern.test(t)) return { kind: 'integer', bytes, unsigned: /unsigned|^u/.test(t) };
  if (/^(real|float4|float)\b/.test(t) && !/^float8/.test(t)) return { kind: 'float', bytes: size && Number(size[1]) > 24 ? 8 : 4 };
  if (/^(double|float8|float64)\b/.test(t)) return { kind: 'float', bytes: 8 };
  if (/^date$/.test(t)) return { kind: 'time', precision: 0, date: true };
  const unitSuffix = /^timestamp_(s|ms|ns)\b/.exec(t); // DuckDB's second, millisecond and nanosecond timestamps
  if (unitSuffix) return { kind: 'time', precision: { s: 0, ms: 3, ns: 9 }[unitSuffix[1] as 's' | 'ms' | 'ns'], date: false };
  if (/^(timestamp|datetime)/.test(t)) return { kind: 'time', precision: size ? Number(size[1]) : timePrecision, date: false };
  return { kind: 'other' };
}

const digitsBeforePoint = (s: { precision: number; scale: number }) => s.precision - s.scale;

/** Why a value of `legacy` could change when cast to `target`; undefined when every value fits. */
export function narrowingReason(legacy: Shape, target: Shape): string | undefined {
  if (legacy.kind === 'text' && target.kind !== 'text' && target.kind !== 'other') return 'text into a non-text type';
  if (legacy.kind === 'text' && target.kind === 'text') return target.length < legacy.length ? 'shorter text' : undefined;
  if (target.kind === 'decimal') {
    if (legacy.kind === 'decimal') return target.scale < legacy.scale ? 'fewer decimal places' : digitsBeforePoint(target) < digitsBeforePoint(legacy) ? 'fewer digits' : undefined;
    if (legacy.kind === 'float') return 'a float into a decimal';
    if (legacy.kind === 'integer') return digitsBeforePoint(target) < INTEGER_DIGITS[legacy.bytes] ? 'fewer digits' : undefined;
  }
  if (target.kind === 'integer') {
    if (legacy.kind === 'float') return 'a float into an integer';
    if (legacy.kind === 'decimal') return legacy.scale > 0 ? 'decimals into an integer' : digitsBeforePoint(legacy) >= INTEGER_DIGITS[target.bytes] ? 'a smaller integer' : undefined;
    if (legacy.kind === 'integer') return target.bytes < legacy.bytes || (target.bytes === legacy.bytes && legacy.unsigned !== target.unsigned) ? 'a smaller integer' : undefined;
  }
  if (target.kind === 'float' && legacy.kind === 'float') return target.bytes < legacy.bytes ? 'a smaller float' : undefined;
  if (target.kind === 'time' && legacy.kind === 'time') {
    if (target.date && !legacy.date) return 'a timestamp into a date';
    return !legacy.date && target.precision < legacy.precision ? 'coarser fractions of a second' : undefined;
  }
  return undefined;
}

export interface NarrowedColumn {
  column: AlignedColumn;
  reason: string;
  /** Is a row's value changed by the cast? Over legacy's own columns. */
  changes: string;
}

/** The mapped columns whose cast could change a value, unless the config accepts it (columns.<c>.allow_narrowing). */
export function narrowedColumns(alignment: Alignment, dialect: Dialect): NarrowedColumn[] {
  const found: NarrowedColumn[] = [];
  for (const column of alignment.columns) {
    if (column.role !== 'mapped' || column.allowNarrowing || column.rawType === undefined) continue;
    const legacy = typeShape(column.rawType, dialect);
    const target = typeShape(column.target.type, dialect);
    const reason = narrowingReason(legacy, target);
    if (!reason) continue;
    const raw = column.rawLegacySql!;
    const cast = dialect.cast(raw, column.target.type);
    // Shorter text by length (not every engine's CAST truncates to a length). Text into another type changes a
    // value where the cast gives nothing (MySQL) or fails (the others: the count query then fails, and the
    // refusal quotes the engine); '12.5' becoming 12.50 is the same value, spelled otherwise. The rest by value.
    const changes =
      legacy.kind === 'text' && target.kind === 'text'
        ? `char_length(${raw}) > ${target.length}`
        : legacy.kind === 'text'
          ? `(${cast} IS NULL AND ${raw} IS NOT NULL)`
          : dialect.isDistinct(cast, raw);
    found.push({ column, reason, changes });
  }
  return found;
}
