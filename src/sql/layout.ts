/**
 * Lays a long statement out for reading: a line longer than the width is broken at the shallowest parenthesis
 * depth (CASE … END counts as one) where it can be: before its clauses (FROM, WHERE, JOIN, UNION, SET, VALUES, …)
 * if it has any there, else after its commas and before its AND, OR, WHEN and ELSE; each piece is indented two
 * spaces past the line, and a piece still too long is broken the same way further in. A select list becomes one
 * column a line, a MERGE's change test one condition a line, a CASE one WHEN a line.
 *
 * Why our own and not sql-formatter: it was built in and measured (issue 18's note). Its parser took about 13 ms
 * a long statement, 360 ms a backfill slice of 27 statements where the slice itself runs in about 100 ms, and
 * every process paid again for each statement's shape. This pass scans once, then breaks a piece again for each
 * level of nesting it breaks (tens of microseconds for a few hundred characters, about 2 ms for 20 KB). And it
 * can promise what a re-formatter cannot: **only whitespace between tokens changes**, a space becoming a line
 * break and indentation. Quoted strings and names and comments are never entered, so a value, a name or a comment
 * reads the same; the engines, their clients and the analyzers read the same statement. A statement holding a
 * form the scan does not model (only a user's own SQL can, a column's `expr`) is left as it is.
 * test/unit/layout.test.ts holds it to that.
 *
 * It runs where a step's SQL is printed and where it is executed (plan/render.ts statementText), so the dry run
 * and the apply stay byte for byte the same.
 */

/** What the scan must know of an engine's quoting and comments to never break inside a quoted token or a comment. */
export interface Lexical {
  /** The quote characters inside which a backslash escapes the next character (MySQL's strings, Snowflake's, BigQuery's every quote). */
  readonly backslashEscapesIn: string;
  /** The server's SQL mode decides whether a backslash in a quote escapes (MySQL's NO_BACKSLASH_ESCAPES): a statement with one is left as it is. */
  readonly backslashUnsure?: boolean;
  /** `#` starts a comment that runs to the end of the line (MySQL, BigQuery); elsewhere it is an operator. */
  readonly hashComments?: boolean;
  /** ''' and """ open a string that runs to the same three quotes (BigQuery): a statement with one is left as it is. */
  readonly tripleQuotes?: boolean;
}

/** Lines are kept to this many characters where a break allows. */
export const LAYOUT_WIDTH = 100;

/** A piece of the statement: whitespace, a token the layout never enters, or punctuation and words. */
interface Token {
  text: string;
  /** Whitespace (spaces, tabs, line breaks). */
  space: boolean;
  /** Parenthesis depth before the token. */
  depth: number;
}

export function laidOut(sql: string, lexical: Lexical, width = LAYOUT_WIDTH): string {
  if (sql.length <= width || !hasLongLine(sql, width)) return sql;
  const tokens = tokenize(sql, lexical);
  if (!tokens) return sql;
  const lines: Token[][] = [[]];
  for (const t of tokens) {
    if (t.space && t.text.includes('\n')) lines.push([t]);
    else lines[lines.length - 1].push(t);
  }
  return lines.map((line) => layLine(line, width)).join('');
}

function hasLongLine(sql: string, width: number): boolean {
  let start = 0;
  for (let end = sql.indexOf('\n'); end !== -1; end = sql.indexOf('\n', start)) {
    if (end - start > width) return true;
    start = end + 1;
  }
  return sql.length - start > width;
}

/** A line (its first token the line break and indentation before it, except on the first line), broken where it is too long. */
function layLine(line: Token[], width: number): string {
  const text = line.map((t) => t.text).join('');
  const shown = text.slice(text.lastIndexOf('\n') + 1);
  if (shown.length <= width) return text;
  const lead = line[0]?.space ? line[0].text : '';
  const indent = lead.slice(lead.lastIndexOf('\n') + 1);
  return lead + breakPiece(lead ? line.slice(1) : line, indent, width);
}

/** Breaks a piece (no leading whitespace) that starts at `indent`, recursing into parts still too long. */
function breakPiece(piece: Token[], indent: string, width: number): string {
  // Measured, not joined: a part is joined once, where it stays whole, not again at every level above it.
  const length = piece.reduce((sum, t) => sum + t.text.length, 0);
  const whole = () => piece.map((t) => t.text).join('');
  // Past half the width, deeper nesting stays on its line: the indentation would outgrow what it holds.
  if (indent.length + length <= width || indent.length > width / 2) return whole();
  const breaks = breakPoints(piece);
  if (!breaks.length) return whole();
  const first = breaks.reduce((a, b) => (b.depth < a.depth || (b.depth === a.depth && b.rank < a.rank) ? b : a));
  const at = breaks.filter((b) => b.depth === first.depth && b.rank === first.rank).map((b) => b.at);
  const inner = `${indent}  `;
  const parts: string[] = [];
  let from = 0;
  for (const i of [...at, piece.length]) {
    parts.push(breakPiece(piece.slice(from, i), from === 0 ? indent : inner, width));
    from = i + 1;
  }
  return parts.join(`\n${inner}`);
}

/**
 * Where a piece breaks, in order: before a clause, before a CASE's WHEN and ELSE, after a list's comma, before OR,
 * before AND (the loosest binding first, so a condition inside a list item or a WHEN stays with it).
 */
const CLAUSES = new Set(['FROM', 'WHERE', 'GROUP', 'ORDER', 'HAVING', 'UNION', 'JOIN', 'SET', 'VALUES']);
const JOIN_KINDS = new Set(['CROSS', 'LEFT', 'RIGHT', 'FULL', 'INNER']);
const BEFORE_WORD = new Map([['WHEN', 1], ['ELSE', 1], ['OR', 3], ['AND', 4]]);
const AFTER_COMMA = 2;

/** A space a piece may break at: its index, its depth, and its rank (above: lower breaks first). */
interface BreakPoint {
  at: number;
  depth: number;
  rank: number;
}

function breakPoints(piece: Token[]): BreakPoint[] {
  const points: BreakPoint[] = [];
  const word = (i: number) => piece[i]?.text.toUpperCase();
  for (let i = 1; i < piece.length - 1; i++) {
    if (!piece[i].space) continue;
    const rank = startsClause(word(i + 1), word(i - 1), word(i + 3)) ? 0 : word(i - 1) === ',' ? AFTER_COMMA : BEFORE_WORD.get(word(i + 1));
    if (rank !== undefined) points.push({ at: i, depth: piece[i].depth, rank });
  }
  return points;
}

/**
 * Not the FROM of IS DISTINCT FROM or of DELETE FROM, nor the GROUP of WITHIN GROUP; a join breaks before its kind
 * (LEFT JOIN, LEFT OUTER JOIN), not at its JOIN.
 */
function startsClause(word: string, previous: string, next: string | undefined): boolean {
  if (word === 'FROM') return previous !== 'DISTINCT' && previous !== 'DELETE';
  if (word === 'GROUP') return previous !== 'WITHIN';
  if (word === 'JOIN') return !JOIN_KINDS.has(previous) && previous !== 'OUTER';
  if (JOIN_KINDS.has(word)) return next === 'JOIN' || next === 'OUTER';
  return CLAUSES.has(word);
}

const WORD = /[A-Za-z0-9_$]/;
/** ASCII whitespace only: the engines read a no-break or other Unicode space as part of a name. */
const SPACE = /[ \t\r\n\f]/;
/** Prefixes that change how the quote after them ends: PostgreSQL's and DuckDB's E'…' escapes, BigQuery's raw r'…'. */
const QUOTE_PREFIX = /^(E|R|RB|BR)$/i;

/**
 * Splits a statement into tokens, or says it cannot (undefined), and the statement is then printed and run as it
 * is. Strings, quoted names and comments are single tokens (with what they hold, line breaks included), so no break
 * is ever made inside one. Any of ' " ` opens a quoted token on every engine: Theseus writes each only as its
 * engine quotes with it. What a user writes as SQL (a column's `expr`) may hold forms this scan does not model, and
 * a quote misread would put a break inside a string; so it gives up on them: dollar quotes ($$…$$, $tag$…$tag$),
 * E'…' and raw strings, triple quotes where the engine has them, nested or `//` comments, and on an engine where
 * the server's SQL mode decides whether a backslash escapes (MySQL), a backslash inside a quote.
 */
function tokenize(sql: string, lexical: Lexical): Token[] | undefined {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  const push = (end: number, space = false) => {
    tokens.push({ text: sql.slice(i, end), space, depth });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i];
    if (SPACE.test(c)) {
      let end = i + 1;
      while (end < sql.length && SPACE.test(sql[end])) end++;
      push(end, true);
    } else if (c === "'" || c === '"' || c === '`') {
      const previous = tokens[tokens.length - 1];
      if (previous && !previous.space && QUOTE_PREFIX.test(previous.text)) return undefined;
      if (lexical.tripleQuotes && sql.startsWith(c.repeat(3), i)) return undefined;
      const end = quotedEnd(sql, i, lexical.backslashEscapesIn.includes(c));
      if (lexical.backslashUnsure && sql.slice(i, end).includes('\\')) return undefined;
      push(end);
    } else if ((c === '-' && sql[i + 1] === '-') || (c === '#' && lexical.hashComments)) push(lineEnd(sql, i));
    else if (c === '/' && sql[i + 1] === '/') return undefined;
    else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      const end = close === -1 ? sql.length : close + 2;
      if (sql.slice(i + 2, end).includes('/*')) return undefined;
      push(end);
    } else if (WORD.test(c)) {
      let end = i + 1;
      while (end < sql.length && WORD.test(sql[end])) end++;
      const word = sql.slice(i, end).toUpperCase();
      if (word.startsWith('$') && word.includes('$', 1)) return undefined;
      // CASE … END nests like parentheses: its WHENs break inside it, the list around it first (t.end is a name).
      const keyword = sql[i - 1] !== '.';
      if (keyword && word === 'END') depth--;
      push(end);
      if (keyword && word === 'CASE') depth++;
    } else {
      push(i + 1);
      if (c === '(') depth++;
      else if (c === ')') depth--;
    }
  }
  return tokens;
}

/** Where a quoted token opened at `start` ends: its quote doubled is one quote; a backslash escapes where the engine says so. */
function quotedEnd(sql: string, start: number, backslash: boolean): number {
  const quote = sql[start];
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslash && c === '\\') i += 2;
    else if (c === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else i++;
  }
  return sql.length;
}

function lineEnd(sql: string, start: number): number {
  const end = sql.indexOf('\n', start);
  return end === -1 ? sql.length : end;
}
