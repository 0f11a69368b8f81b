import type { AnalyzerCatalog } from './snowflakeCatalog';

/**
 * Valid Snowflake the ZetaSQL fork cannot parse (research doc §1.2, and tried
 * here). A statement the analyzer rejects is excused only when it matches an
 * entry's statement pattern AND the analyzer's message is the gap the entry
 * names; anything else stays a failure. An excused statement must then pass
 * @polyglot-sql/sdk's Snowflake syntax check, and where the entry can
 * normalize it into something the fork knows, the normalized statement must
 * analyze too (so a wrong column inside a COPY GRANTS view is still caught).
 * Golden SQL pins the exact text of these shapes.
 *
 * Keep this list short; prefer templates the fork understands (HASH_AGG over
 * listed columns rather than HASH_AGG(*), no BEGIN … NAME, no COUNT_IF).
 */
export interface AllowlistEntry {
  name: string;
  /** Why the fork fails it, for the report. */
  why: string;
  statement: RegExp;
  /** The analyzer message this gap produces. */
  error: RegExp;
  /** A form of the statement the fork can analyze, when there is one. */
  normalize?: (sql: string) => string;
  /** What the statement does to the catalog, for statements after it (when it is not analyzed). */
  effect?: (sql: string, catalog: AnalyzerCatalog) => boolean;
}

/** `a.b."C d"` → ['A', 'B', 'C d']: unquoted parts upper-case, as Snowflake stores them. */
export function nameParts(name: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([A-Za-z_][\w$]*))\s*(\.|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < name.length && (m = re.exec(name))) {
    parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].toUpperCase());
    if (m[3] === '') break;
  }
  return parts;
}

const NAME = String.raw`((?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*)){0,2})`;

export const ALLOWLIST: readonly AllowlistEntry[] = [
  {
    name: 'COPY GRANTS',
    why: 'the fork does not parse CREATE … VIEW … COPY GRANTS; the view is analyzed without it',
    statement: /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:SECURE\s+)?VIEW\b[\s\S]*?\bCOPY\s+GRANTS\b/i,
    error: /got keyword COPY/,
    normalize: (sql) => sql.replace(/\s+COPY\s+GRANTS\b/i, ''),
  },
  {
    name: 'ALTER SESSION',
    why: 'the fork has no ALTER SESSION (SESSION is not a supported object type)',
    statement: /^\s*ALTER\s+SESSION\s+(?:SET|UNSET)\s+\w+/i,
    error: /SESSION is not a supported object type/,
  },
  {
    name: 'SWAP WITH',
    why: 'the fork does not parse ALTER TABLE … SWAP WITH',
    statement: new RegExp(String.raw`^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?${NAME}\s+SWAP\s+WITH\s+${NAME}\s*$`, 'i'),
    error: /Unexpected identifier "SWAP"/,
    effect: (sql, catalog) => {
      const m = new RegExp(String.raw`ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?${NAME}\s+SWAP\s+WITH\s+${NAME}`, 'i').exec(sql);
      if (!m) return false;
      const [a, b] = [nameParts(m[1]), nameParts(m[2])];
      const [ta, tb] = [catalog.get(a), catalog.get(b)];
      if (ta) catalog.add(b, ta.columns);
      else catalog.remove(b);
      if (tb) catalog.add(a, tb.columns);
      else catalog.remove(a);
      return true;
    },
  },
  {
    name: 'BEGIN … NAME',
    why: 'the fork does not parse a named transaction (BEGIN TRANSACTION NAME x)',
    statement: /^\s*BEGIN(?:\s+(?:WORK|TRANSACTION))?\s+NAME\s+\w+\s*$/i,
    error: /Syntax error/,
  },
  {
    name: 'DDL type parameters',
    why: 'the fork rejects TIMESTAMP_*(9)/TIME(9) and NUMBER(p,s) with p above 29 in column definitions; analyzed without them',
    statement: /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TRANSIENT\s+|TEMPORARY\s+)?TABLE\b/i,
    error: /does not support type parameters|In NUMERIC\(P, \d+\), P must be between/,
    normalize: (sql) =>
      sql
        .replace(/\b(TIMESTAMP(?:_NTZ|_LTZ|_TZ)?|TIME)\s*\(\s*\d+\s*\)/gi, '$1')
        .replace(/\b(NUMBER|DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/gi, (all, type: string, p: string, s?: string) =>
          Number(p) > 29 ? (s === undefined || s === '0' ? 'BIGINT' : type) : all,
        ),
  },
];
