import { dltShortenIdentifier } from './dltShortening';

/**
 * dlt's default "snake_case" naming convention, so a legacy column `CreatedAt`
 * is matched to the `created_at` column dlt would have made from it. A port of
 * dlt 1.26 (dlt/common/normalizers/naming/snake_case.py, sql_cs_v1.py and
 * naming.py), pinned by dlt's own test vectors in test/unit/dltNaming.test.ts.
 * Where JavaScript and Python disagree, Python's meaning is kept: `\d` is any
 * Unicode decimal digit, and strip() trims Python's whitespace (which has the
 * ASCII separators \x1c-\x1f and U+0085 but not the BOM U+FEFF that trim() takes).
 */

/** The characters Python's str.isspace() accepts, so str.strip() and isspace() are reproduced exactly. */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'gu');
const PY_ALL_SPACE = new RegExp(`^[${PY_SPACE}]*$`, 'u');

/** `_REDUCE_ALPHABET`: + - * @ | become x _ x a l before anything else is replaced. */
const REDUCE: Readonly<Record<string, string>> = Object.freeze({ '+': 'x', '-': '_', '*': 'x', '@': 'a', '|': 'l' });
/** sql_cs_v1's RE_NON_ALPHANUMERIC, `[^a-zA-Z\d_]+` (each run becomes one _): Python's \d keeps every Unicode decimal digit. */
export const DLT_NON_ALPHANUMERIC = /[^a-zA-Z\p{Nd}_]+/gu;
const LEADING_DIGIT = /^\p{Nd}/u;
const BREAK_BEFORE_WORD = /([^_])([A-Z][a-z]+)/gu;
const BREAK_BEFORE_CAPITAL = /([a-z0-9])([A-Z])/gu;
/** dlt's separator of nested names: `a__b` is the column of key b inside a dict under key a. */
const PATH_SEPARATOR = '__';
/** The column dlt's relational normalizer makes from an empty or blank key (relational.py, EMPTY_KEY_IDENTIFIER). */
const EMPTY_KEY = '_empty';

function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

/**
 * `normalize_identifier`: one name (a table, or one part of a path) in snake
 * case, shortened to maxLength when given. Throws on a blank name, as dlt does.
 */
export function dltNormalizeIdentifier(identifier: string, maxLength?: number): string {
  const stripped = pyStrip(identifier);
  if (!stripped) throw new RangeError(`dlt cannot name an empty identifier (${JSON.stringify(identifier)})`);
  const reduced = stripped.replace(/[+\-*@|]/g, (c) => REDUCE[c]).replace(DLT_NON_ALPHANUMERIC, '_');
  // The tag is hashed from the stripped name as written, not from its snake case.
  return dltShortenIdentifier(toSnakeCase(reduced), stripped, maxLength);
}

/** `_to_snake_case`: break camel case, lower-case, prefix a leading digit, trailing _ → x, runs of _ → one. */
function toSnakeCase(identifier: string): string {
  let s = identifier.replace(BREAK_BEFORE_WORD, '$1_$2').replace(BREAK_BEFORE_CAPITAL, '$1_$2').toLowerCase();
  if (LEADING_DIGIT.test(s)) s = `_${s}`;
  const stripped = s.replace(/_+$/, '');
  // A trailing _ would read as half of a path separator: each one becomes an x.
  s = stripped + 'x'.repeat(s.length - stripped.length);
  return s.replace(/__+/g, '_');
}

/**
 * `normalize_path`: a name split at `__`, each non-blank part normalized, the
 * parts joined by `__` again, and the whole shortened with a tag hashed from
 * the path as written. So `Small__Love__Potion` keeps its separators.
 */
export function dltNormalizePath(path: string, maxLength?: number): string {
  const joined = dltMakePath(...dltBreakPath(path).map((part) => dltNormalizeIdentifier(part, maxLength)));
  return dltShortenIdentifier(joined, path, maxLength);
}

/** `break_path`: the parts between `__`, blank ones dropped (so `_a_____b` is `_a`, `_b`). */
export function dltBreakPath(path: string): string[] {
  return path.split(PATH_SEPARATOR).filter((part) => pyStrip(part) !== '');
}

/** `make_path`: the non-blank parts joined by `__`, neither normalized nor shortened. */
export function dltMakePath(...parts: string[]): string {
  return parts.filter((part) => pyStrip(part) !== '').join(PATH_SEPARATOR);
}

/**
 * The column dlt loads a source key into (`_flatten` in
 * dlt/common/normalizers/json/relational.py; its arrow and model normalizers
 * use normalize_path too): `_empty` for a blank key, else the key's normalized
 * path, at most maxLength characters (the destination's limit: a dialect's
 * dltMaxNameLength). Without maxLength, nothing is shortened.
 */
export function dltSnakeCase(identifier: string, maxLength?: number): string {
  if (identifier === '' || PY_ALL_SPACE.test(identifier)) return EMPTY_KEY;
  return dltNormalizePath(identifier, maxLength);
}
