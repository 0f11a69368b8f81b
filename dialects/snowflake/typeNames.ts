/**
 * Snowflake's type names: the spellings people write (INT, TEXT, DATETIME, …)
 * are synonyms of a few real types (NUMBER, VARCHAR, FLOAT, TIMESTAMP_NTZ, …),
 * so two names mean the same type when their canonical forms are equal.
 * INFORMATION_SCHEMA.COLUMNS reports the real type without its parameters;
 * columnType puts them back, so the result can be used in CAST(… AS type).
 */

/** The longest VARCHAR (and the length of one declared without a length). */
const VARCHAR_MAX = 16_777_216;
/** Fractional-second digits of a timestamp type declared without (n). */
const DEFAULT_TIME_PRECISION = 9;

const SYNONYMS: Array<[RegExp, string]> = [
  [/^(decimal|numeric)\b/, 'number'],
  [/^(int|integer|bigint|smallint|tinyint|byteint)$/, 'number(38,0)'],
  [/^(text|string|character varying|char varying|nvarchar2?|nchar varying)\b/, 'varchar'],
  [/^(character|char|nchar)\b/, 'varchar'],
  [/^(float[48]?|double precision|double|real)$/, 'float'],
  [/^datetime\b/, 'timestamp_ntz'],
  // TIMESTAMP follows TIMESTAMP_TYPE_MAPPING, NTZ by default; an account that changed it reports the real type anyway.
  [/^timestamp(?=\(|$)/, 'timestamp_ntz'],
  [/^(varbinary)\b/, 'binary'],
];

export function canonicalType(type: string): string {
  let t = type.replace(/\s+/g, ' ').replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').replace(/\s*\)/g, ')').trim().toLowerCase();
  for (const [pattern, canonical] of SYNONYMS) t = t.replace(pattern, canonical);
  if (t === 'number') t = 'number(38,0)';
  t = t.replace(/^number\((\d+)\)$/, 'number($1,0)');
  if (t === 'char' || t === `varchar(${VARCHAR_MAX})`) t = 'varchar';
  t = t.replace(/^(timestamp_(?:ntz|ltz|tz)|time)\((\d)\)$/, (_m, base: string, p: string) => (Number(p) === DEFAULT_TIME_PRECISION ? base : `${base}(${p})`));
  return t;
}

export interface ColumnFacts {
  dataType: string;
  charLength?: number | null;
  numericPrecision?: number | null;
  numericScale?: number | null;
  datetimePrecision?: number | null;
}

/** A column's type as INFORMATION_SCHEMA describes it, spelled so CAST accepts it (NUMBER(12,2), VARCHAR(40), TIMESTAMP_NTZ(6)). */
export function columnType(c: ColumnFacts): string {
  const t = c.dataType.trim().toUpperCase();
  if (t === 'NUMBER' && c.numericPrecision != null) return `NUMBER(${c.numericPrecision},${c.numericScale ?? 0})`;
  if (t === 'TEXT') return c.charLength != null && c.charLength !== VARCHAR_MAX ? `VARCHAR(${c.charLength})` : 'VARCHAR';
  if (/^(TIMESTAMP_NTZ|TIMESTAMP_LTZ|TIMESTAMP_TZ|TIME)$/.test(t) && c.datetimePrecision != null && c.datetimePrecision !== DEFAULT_TIME_PRECISION) {
    return `${t}(${c.datetimePrecision})`;
  }
  return t;
}

/** Types holding an instant: TIMESTAMP_TZ keeps an offset, TIMESTAMP_LTZ is UTC shown in the session's zone. */
export function isZonedTimestamp(type: string): boolean {
  return /^timestamp_(tz|ltz)\b/.test(canonicalType(type));
}
