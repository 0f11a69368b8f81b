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
    name: 'type parameters',
    why: 'the fork rejects TIMESTAMP_*(n)/TIME(n), and NUMBER(p,s) with p above 29, in column definitions and CAST targets; analyzed without them',
    statement: /\b(?:TIMESTAMP(?:_NTZ|_LTZ|_TZ)?|TIME|NUMBER|DECIMAL|NUMERIC)\s*\(/i,
    error: /does not support type parameters|In NUMERIC\(P, \d+\), P must be between/,
    normalize: (sql) =>
      sql
        .replace(/\b(TIMESTAMP(?:_NTZ|_LTZ|_TZ)?|TIME)\s*\(\s*\d+\s*\)/gi, '$1')
        .replace(/\b(NUMBER|DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/gi, (all, type: string, p: string, s?: string) =>
          Number(p) > 29 ? (s === undefined || s === '0' ? 'BIGINT' : type) : all,
        ),
  },
  {
    name: 'MD5 is text',
    why: "the fork's MD5 returns BYTES; Snowflake's returns the 32-character hex text: analyzed as TO_HEX(MD5(…))",
    statement: /\bMD5\s*\(/i,
    error: /BYTES/,
    normalize: (sql) => rewriteCalls(sql, 'MD5', (args) => `TO_HEX(MD5(${args.join(',')}))`),
  },
  {
    name: 'VALUES in FROM',
    why: 'the fork has no table value constructor (FROM (VALUES (…), (…)) AS v (a, b)); analyzed as SELECT … UNION ALL SELECT …',
    statement: /\(\s*VALUES\s*\(/i,
    error: /Expected keyword JOIN but got|Syntax error: Unexpected keyword VALUES|Unexpected "\("/,
    normalize: valuesAsSelects,
  },
  {
    name: 'integer NUMBER',
    why: "the fork types a column NUMBER(p,0) INT64 but CAST(… AS NUMBER(p,0)) NUMERIC; Snowflake has one NUMBER: analyzed with such casts as BIGINT",
    statement: /\bAS\s+(?:NUMBER|DECIMAL|NUMERIC)\s*\(\s*\d+\s*(?:,\s*0\s*)?\)/i,
    error: /NUMERIC which cannot be (?:inserted|assigned)[^,]*, which has type INT64|incompatible types: (?:INT64, NUMERIC|NUMERIC, INT64)/,
    normalize: (sql) => sql.replace(/\bAS\s+(?:NUMBER|DECIMAL|NUMERIC)\s*\(\s*\d+\s*(?:,\s*0\s*)?\)/gi, 'AS BIGINT'),
  },
  {
    name: 'MD5_NUMBER_UPPER64',
    why: "the fork has no MD5_NUMBER_UPPER64 (Snowflake's upper 64 bits of an MD5, a number): analyzed as FARM_FINGERPRINT, a 64-bit number of a text too",
    statement: /\bMD5_NUMBER_UPPER64\s*\(/i,
    error: /Function not found: MD5_NUMBER_UPPER64/i,
    normalize: (sql) => rewriteCalls(sql, 'MD5_NUMBER_UPPER64', (args) => `FARM_FINGERPRINT(${args.join(',')})`),
  },
  {
    name: 'COLLATE()',
    why: "the fork has no COLLATE(expr, 'spec') function (Snowflake's, for a byte-wise order of text); analyzed as the bare expression",
    statement: /\bCOLLATE\s*\(/i,
    error: /Function not found: "?COLLATE/i,
    normalize: (sql) => stripCollate(sql),
  },
];

/**
 * The comma-separated items of the parenthesized list whose `(` is at `open` (top-level commas only; nested
 * parentheses and quoted text kept whole), and the index just past its `)`.
 */
export function listAt(sql: string, open: number): { items: string[]; end: number } {
  const items: string[] = [];
  let depth = 0;
  let from = open + 1;
  for (let j = open; j < sql.length; j++) {
    const ch = sql[j];
    if (ch === "'" || ch === '"') {
      const close = sql.indexOf(ch, j + 1);
      j = close < 0 ? sql.length : close;
    } else if (ch === '(') depth++;
    else if (ch === ',' && depth === 1) {
      items.push(sql.slice(from, j));
      from = j + 1;
    } else if (ch === ')' && --depth === 0) {
      items.push(sql.slice(from, j));
      return { items, end: j + 1 };
    }
  }
  return { items, end: sql.length };
}

/** Rewrites every call of `name(...)`: `rewrite` gets its arguments as written (calls inside them rewritten first). */
export function rewriteCalls(sql: string, name: string, rewrite: (args: string[]) => string): string {
  let out = '';
  let i = 0;
  const head = new RegExp(String.raw`\b${name}\s*\(`, 'gi');
  for (let m = head.exec(sql); m; m = head.exec(sql)) {
    const { items, end } = listAt(sql, head.lastIndex - 1);
    out += sql.slice(i, m.index) + rewrite(items.map((a) => rewriteCalls(a, name, rewrite)));
    i = end;
    head.lastIndex = end;
  }
  return out + sql.slice(i);
}

/** `COLLATE(<expr>, 'utf8')` → `<expr>`. */
export function stripCollate(sql: string): string {
  return rewriteCalls(sql, 'COLLATE', (args) => args[0].trim());
}

/** `(VALUES (1, 'a'), (2, 'b')) AS v (n, s)` → `(SELECT 1 AS n, 'a' AS s UNION ALL SELECT 2, 'b') AS v`. */
export function valuesAsSelects(sql: string): string {
  const m = /\(\s*VALUES\s*(?=\()/i.exec(sql);
  if (!m) return sql;
  const rows: string[][] = [];
  let j = m.index + m[0].length;
  while (sql[j] === '(') {
    const { items, end } = listAt(sql, j);
    rows.push(items.map((v) => v.trim()));
    j = end;
    while (/[\s,]/.test(sql[j] ?? '')) j++;
  }
  const alias = /^\)\s*AS\s+(\w+)\s*\(([^)]*)\)/i.exec(sql.slice(j));
  if (!alias || rows.length === 0) return sql;
  const names = alias[2].split(',').map((n) => n.trim());
  const selects = rows.map((r, i) => `SELECT ${r.map((v, k) => (i === 0 ? `${v} AS ${names[k]}` : v)).join(', ')}`);
  return `${sql.slice(0, m.index)}(${selects.join(' UNION ALL ')}) AS ${alias[1]}${sql.slice(j + alias[0].length)}`;
}
