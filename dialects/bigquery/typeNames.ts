/**
 * BigQuery's type names: the aliases people write (INT, INTEGER, BIGINT,
 * DECIMAL, BOOLEAN, FLOAT, …) are synonyms of a few real types (INT64,
 * NUMERIC, BOOL, FLOAT64, …), so two names mean the same type when their
 * canonical forms are equal. INFORMATION_SCHEMA.COLUMNS reports data_type
 * with its parameters (NUMERIC(10, 2), STRING(40)), usable in CAST as it is.
 */
const SYNONYMS: Array<[RegExp, string]> = [
  [/^(int|integer|bigint|smallint|tinyint|byteint)$/, 'int64'],
  [/^decimal\b/, 'numeric'],
  [/^bigdecimal\b/, 'bignumeric'],
  [/^boolean$/, 'bool'],
  [/^float$/, 'float64'],
];

export function canonicalType(type: string): string {
  let t = type.replace(/\s+/g, ' ').replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').replace(/\s*\)/g, ')').trim().toLowerCase();
  for (const [pattern, canonical] of SYNONYMS) t = t.replace(pattern, canonical);
  // NUMERIC is NUMERIC(38, 9) and BIGNUMERIC BIGNUMERIC(76.76, 38): a declared default is the bare type.
  if (t === 'numeric(38,9)') t = 'numeric';
  return t;
}

/** TIMESTAMP is an absolute instant (shown in UTC); DATETIME is a wall time with no zone. */
export function isZonedTimestamp(type: string): boolean {
  return /^timestamp\b/.test(canonicalType(type));
}
