import type { Dialect, TypedField } from '../../dialects/types';

/**
 * How a value is written before it is hashed, so that equal values hash
 * equal whatever type each side stores them in (legacy numeric(12,2) against
 * dlt's double, timestamp against timestamptz). The rule for a column is
 * chosen from both sides' types, and both sides use the same rule:
 *  - a timestamp or date on either side: integer microseconds since 1970-01-01 UTC
 *    (a naive timestamp is read as UTC, as the backfill's windows read it);
 *  - integers on both sides: their text;
 *  - other numbers on both sides: a decimal at a fixed scale, the larger declared
 *    scale of the two; a float against a float or an integer, FLOAT_SCALE places;
 *  - anything else: the engine's text for the value.
 * NULL is written as \N, which no normalized number or timestamp can be, so it
 * never equals an empty string.
 */
export const FLOAT_SCALE = 6;
export const NULL_MARK = '\\N';

type ValueClass = { kind: 'integer' } | { kind: 'decimal'; scale?: number } | { kind: 'float' } | { kind: 'time' } | { kind: 'json' } | { kind: 'binary' } | { kind: 'other' };

/** The class of a type as any of the engines spells it (PostgreSQL, MySQL/MariaDB, DuckDB, Snowflake, BigQuery). */
export function classifyType(type: string): ValueClass {
  const t = type.trim().toLowerCase();
  if (/^(tinyint|smallint|mediumint|int|integer|bigint|hugeint|int2|int4|int8|int64|utinyint|usmallint|uinteger|ubigint|uhugeint|serial|bigserial|smallserial)\b/.test(t)) return { kind: 'integer' };
  const decimal = /^(decimal|numeric|dec|fixed|number|bignumeric)\s*(\(\s*\d+\s*(,\s*(\d+)\s*)?\))?/.exec(t);
  if (decimal) return { kind: 'decimal', scale: decimal[2] === undefined ? undefined : Number(decimal[4] ?? 0) };
  if (/^(double|float|real|float4|float8|float64)\b/.test(t)) return { kind: 'float' };
  // Also Snowflake's TIMESTAMP_NTZ/_TZ/_LTZ and DuckDB's TIMESTAMP_S/_MS/_NS (no word boundary before the `_`).
  if (/^(timestamptz|timestamp|datetime|date)(\b|_)/.test(t)) return { kind: 'time' };
  if (/^(json|jsonb)\b/.test(t)) return { kind: 'json' };
  if (/^(bytea|bytes|blob|tinyblob|mediumblob|longblob|binary|varbinary)\b/.test(t)) return { kind: 'binary' };
  return { kind: 'other' };
}

export interface NormalizeRule {
  /** json: the engine's canonical text of the document (key order, spacing), so json and jsonb compare by meaning. */
  kind: 'utc_micros' | 'decimal' | 'json' | 'binary' | 'text';
  /** For decimals: the scale both sides are rounded to. */
  scale?: number;
  /** For decimals where a side is a float: NaN and ±infinity (which no decimal holds) are written as their text. */
  nonFinite?: boolean;
  /**
   * The two sides' types have nothing in common (a timestamp kept as text, a
   * number as a string): legacy's value is taken as the backfill casts it to
   * the target's type, and the target's rule applies.
   */
  legacyAligned?: boolean;
}

/** The rule for one column, from the types of its two sides. */
export function normalizeRule(legacyType: string, targetType: string): NormalizeRule {
  const a = classifyType(legacyType);
  const b = classifyType(targetType);
  const numeric = (c: ValueClass) => c.kind === 'integer' || c.kind === 'decimal' || c.kind === 'float';
  // JSON against JSON, or against the text it was kept in, compares as documents.
  if ((a.kind === 'json' || b.kind === 'json') && [a.kind, b.kind].every((k) => k === 'json' || k === 'other')) return { kind: 'json' };
  const comparable = a.kind === b.kind || (numeric(a) && numeric(b));
  if (!comparable) return { ...normalizeRule(targetType, targetType), legacyAligned: true };
  if (a.kind === 'time') return { kind: 'utc_micros' };
  if (a.kind === 'binary') return { kind: 'binary' };
  if (!numeric(a)) return { kind: 'text' };
  // Integers print the same on both sides whatever their width, so their text serves (cheaper than a decimal cast).
  if (a.kind === 'integer' && b.kind === 'integer') return { kind: 'text' };
  const scales = [a, b].map((c) => (c.kind === 'decimal' ? (c.scale ?? FLOAT_SCALE) : c.kind === 'integer' ? 0 : undefined)).filter((s): s is number => s !== undefined);
  const declared = [a, b].some((c) => c.kind === 'decimal');
  const floats = [a, b].some((c) => c.kind === 'float');
  return { kind: 'decimal', scale: declared ? Math.max(...scales) : FLOAT_SCALE, ...(floats ? { nonFinite: true } : {}) };
}

/** The normalized text of `expr` under a rule (NULL stays NULL; the caller marks it). */
export function normalizedText(dialect: Dialect, expr: string, rule: NormalizeRule): string {
  if (rule.kind === 'utc_micros') return dialect.cast(dialect.epochMicros(expr), dialect.textType);
  if (rule.kind === 'decimal') {
    const decimal = dialect.cast(decimalAt(dialect, expr, rule.scale ?? 0), dialect.textType);
    if (!rule.nonFinite || !dialect.nonFinite) return decimal;
    return `CASE WHEN ${dialect.nonFinite(expr)} THEN ${dialect.cast(expr, dialect.textType)} ELSE ${decimal} END`;
  }
  if (rule.kind === 'json' && dialect.canonicalJson) return dialect.canonicalJson(expr);
  if (rule.kind === 'binary' && dialect.binaryText) return dialect.binaryText(expr);
  return dialect.cast(expr, dialect.textType);
}

/** `expr` as a decimal rounded to `scale` places: the form metric sums are taken in. */
export function decimalAt(dialect: Dialect, expr: string, scale: number): string {
  return dialect.cast(expr, dialect.decimalType?.(scale) ?? `DECIMAL(38,${scale})`);
}

/**
 * A metric's value for its sum: the decimal, except a float's NaN or ±infinity (which no decimal holds, and whose
 * cast fails) counts as NULL, left out of the sum on both sides alike; the row checksum still tells them apart.
 */
export function metricValue(dialect: Dialect, expr: string, scale: number, rule: NormalizeRule): string {
  const decimal = decimalAt(dialect, expr, scale);
  return rule.nonFinite && dialect.nonFinite ? `CASE WHEN ${dialect.nonFinite(expr)} THEN NULL ELSE ${decimal} END` : decimal;
}

/** What a rule means, for reports. */
export function describeRule(rule: NormalizeRule): string {
  if (rule.kind === 'utc_micros') return 'UTC microseconds';
  if (rule.kind === 'decimal') return `decimal, ${rule.scale} places`;
  if (rule.kind === 'json') return 'JSON document';
  if (rule.kind === 'binary') return 'bytes';
  return 'text';
}

/**
 * The 60-bit checksum of a row: NULLs marked, fields joined by '|', md5, first 15 hex digits. Joined with the
 * dialect's concat (no part is NULL once marked), since not every engine has concat_ws (BigQuery has not).
 */
export function rowHashSql(dialect: Dialect, fields: string[]): string {
  const mark = dialect.stringLiteral(NULL_MARK);
  const bar = dialect.stringLiteral('|');
  return dialect.hash60(dialect.concat(fields.flatMap((f, i) => [...(i ? [bar] : []), `coalesce(${f}, ${mark})`])));
}

/** A compared column's normalized value in its own type where the rule has one (for typedRowHash60), else its text. */
export function normalizedField(dialect: Dialect, expr: string, rule: NormalizeRule): TypedField {
  if (rule.kind === 'utc_micros') return { expr: dialect.epochMicros(expr), type: 'micros' };
  // A float's NaN and infinities are written as text beside the decimals (normalizedText), so that rule stays text.
  if (rule.kind === 'decimal' && !(rule.nonFinite && dialect.nonFinite)) return { expr: decimalAt(dialect, expr, rule.scale ?? 0), type: 'decimal' };
  return { expr: normalizedText(dialect, expr, rule), type: 'text' };
}

/**
 * A row's 60-bit checksum over its compared columns (each a side's expression and the column's rule): the engine's
 * typed row hash where the dialect has one, else hash60 of the normalized texts joined (rowHashSql).
 */
export function rowChecksumSql(dialect: Dialect, columns: ReadonlyArray<{ expr: string; rule: NormalizeRule }>): string {
  if (dialect.typedRowHash60 && columns.length) return dialect.typedRowHash60(columns.map((c) => normalizedField(dialect, c.expr, c.rule)));
  return rowHashSql(
    dialect,
    columns.map((c) => normalizedText(dialect, c.expr, c.rule)),
  );
}
