import { bigquery } from '../../dialects/bigquery';
import { duckdb } from '../../dialects/duckdb';
import { mysql } from '../../dialects/mysql';
import { postgres } from '../../dialects/postgres';
import { snowflake } from '../../dialects/snowflake';
import type { Dialect } from '../../dialects/types';
import { LAYOUT_WIDTH, laidOut } from '../../src/sql/layout';

/**
 * The layout of long statements (src/sql/layout.ts) may only turn spaces between tokens into line breaks and
 * indentation: every test checks that the statement without its whitespace is unchanged, and that what sits
 * inside quotes and comments is there verbatim.
 */
const DIALECTS: Dialect[] = [duckdb, postgres, mysql, snowflake, bigquery];

function expectOnlyWhitespaceMoved(before: string, after: string, verbatim: string[] = []): void {
  expect(after.replace(/\s+/g, '')).toBe(before.replace(/\s+/g, ''));
  for (const piece of verbatim) expect(after).toContain(piece);
}

const longest = (sql: string) => Math.max(...sql.split('\n').map((l) => l.length));

describe.each(DIALECTS.map((d) => [d.name, d] as const))('laying out long statements on %s', (_name, d) => {
  const q = (name: string) => d.quoteIdent(name);
  const columns = Array.from({ length: 12 }, (_, i) => `CAST(${q(`column_number_${i}`)} AS VARCHAR(40)) AS ${q(`c${i}`)}`);

  test('a long select list becomes one column a line, indented past its line', () => {
    const sql = `SELECT *\nFROM (\n  SELECT ${columns.join(', ')}\n  FROM ${q('legacy')}\n) AS s`;
    const out = laidOut(sql, d);
    expectOnlyWhitespaceMoved(sql, out);
    expect(longest(out)).toBeLessThanOrEqual(LAYOUT_WIDTH);
    const lines = out.split('\n');
    expect(lines[2]).toBe(`  SELECT ${columns[0]},`);
    expect(lines.slice(3, 14)).toEqual(columns.slice(1).map((c, i) => `    ${c}${i < 10 ? ',' : ''}`));
    expect(lines.slice(14)).toEqual([`  FROM ${q('legacy')}`, ') AS s']);
  });

  test('conditions break before AND and OR at the shallowest depth first, then inside their parentheses; SET starts a clause', () => {
    const changed = Array.from({ length: 6 }, (_, i) => d.isDistinct(`t.${q(`payload_${i}`)}`, `s.${q(`payload_${i}`)}`));
    const sql = `WHEN MATCHED AND (t.${q('updated_at')} IS NULL OR s.${q('updated_at')} >= t.${q('updated_at')}) AND (${changed.join(' OR ')}) THEN UPDATE SET ${q('a')} = s.${q('a')}`;
    const out = laidOut(sql, d);
    expectOnlyWhitespaceMoved(sql, out);
    const lines = out.split('\n');
    expect(lines[0]).toBe('WHEN MATCHED');
    expect(lines[1]).toBe(`  AND (t.${q('updated_at')} IS NULL OR s.${q('updated_at')} >= t.${q('updated_at')})`);
    expect(lines[2]).toBe(`  AND (${changed[0]}`);
    expect(lines.slice(3)).toEqual([...changed.slice(1).map((c, i) => `    OR ${c}${i === 4 ? ') THEN UPDATE' : ''}`), `  SET ${q('a')} = s.${q('a')}`]);
  });

  test('clauses break first, then the lists and conditions inside them; a CASE breaks before its WHENs', () => {
    const cases = Array.from({ length: 5 }, (_, i) => `WHEN ${d.stringLiteral(`item_${i}`)} THEN CAST(m.${q(`figure_${i}`)} AS VARCHAR(40))`);
    const sql = `SELECT i.item, CASE i.item ${cases.join(' ')} END AS ${q('value')} FROM ${q('figures')} AS m CROSS JOIN ${q('items')} AS i LEFT OUTER JOIN ${q('more')} AS o ON o.id = m.id WHERE m.a IS DISTINCT FROM m.b AND ${[0, 1, 2].map((i) => `${q(`column_${i}`)} IS NOT NULL`).join(' AND ')}`;
    const out = laidOut(sql, d);
    expectOnlyWhitespaceMoved(sql, out);
    expect(out.split('\n')).toEqual([
      'SELECT i.item,',
      '  CASE i.item',
      ...cases.map((c, i) => `    ${c}${i === 4 ? ` END AS ${q('value')}` : ''}`),
      `  FROM ${q('figures')} AS m`,
      `  CROSS JOIN ${q('items')} AS i`,
      `  LEFT OUTER JOIN ${q('more')} AS o ON o.id = m.id`,
      `  WHERE m.a IS DISTINCT FROM m.b`,
      ...[0, 1, 2].map((i) => `    AND ${q(`column_${i}`)} IS NOT NULL`),
    ]);
  });

  test('a string, a quoted name or a comment holding commas and AND is never broken, whatever its length', () => {
    const text = d.stringLiteral(`a, b AND c OR d, ${'x'.repeat(120)}, e AND f`);
    const name = q(`odd, AND name OR ${'y'.repeat(100)}`);
    const sql = `SELECT ${text} AS ${q('note')}, ${name}, ${columns.slice(0, 4).join(', ')} -- a comment, AND more, ${'z'.repeat(90)}\nFROM t`;
    const out = laidOut(sql, d);
    expectOnlyWhitespaceMoved(sql, out, [text, name, `-- a comment, AND more, ${'z'.repeat(90)}\nFROM t`]);
    expect(out.split('\n')[0]).toBe(`SELECT ${text} AS ${q('note')},`);
  });

  test('a string holding line breaks stays whole, and the lines around it are laid out', () => {
    const text = d.stringLiteral(`first line, AND\n  second line, OR ${'w'.repeat(110)}`);
    const sql = `SELECT ${text} AS ${q('note')}, ${columns.join(', ')}`;
    const out = laidOut(sql, d);
    expectOnlyWhitespaceMoved(sql, out, [text]);
    expect(out.startsWith(`SELECT ${text} AS ${q('note')},\n  ${columns[0]},\n`)).toBe(true);
  });

  test('short lines, words holding AND or OR, commas without a space after them and a second layout change nothing', () => {
    const short = `SELECT a, b FROM t WHERE x AND y`;
    expect(laidOut(short, d)).toBe(short);
    const words = `SELECT ${Array.from({ length: 12 }, (_, i) => `ORDER_ANDOR_FROM_${i}`).join(' || ')} || NUMBER(19,0) || ORDERS`;
    expect(laidOut(words, d)).toBe(words);
    const sql = `SELECT ${columns.join(', ')} FROM t WHERE ${columns.map((_, i) => `${q(`c${i}`)} IS NOT NULL`).join(' AND ')}`;
    const once = laidOut(sql, d);
    expect(laidOut(once, d)).toBe(once);
  });
});

describe('a backslash in a quoted token, as each engine reads it', () => {
  // `'\'` is a whole string (one backslash) where a backslash is itself; where it escapes, the string runs on.
  const tail = Array.from({ length: 12 }, (_, i) => `column_${i}`).join(', ');
  const sql = `SELECT '\\', ${tail}, 'x'`;

  test.each([duckdb, postgres].map((d) => [d.name, d] as const))('%s: the string ends at its second quote, and the list after it is laid out', (_name, d) => {
    const out = laidOut(sql, d);
    expectOnlyWhitespaceMoved(sql, out);
    expect(out.split('\n')[0]).toBe(`SELECT '\\',`);
  });

  test.each([mysql, snowflake, bigquery].map((d) => [d.name, d] as const))('%s: the string runs to the next quote, so nothing inside it is broken', (_name, d) => {
    const out = laidOut(sql, d);
    expectOnlyWhitespaceMoved(sql, out);
    expect(out).toContain(`'\\', ${tail}, '`);
  });

  test('quoted names: a backslash escapes in BigQuery\'s backticks, not in Snowflake\'s double quotes', () => {
    const name = (d: Dialect) => d.quoteIdent(`odd\\`);
    for (const d of [snowflake, bigquery]) {
      const statement = `SELECT ${name(d)}, ${tail}, ${tail}`;
      const out = laidOut(statement, d);
      expectOnlyWhitespaceMoved(statement, out, [name(d)]);
      expect(out.split('\n')[0]).toBe(`SELECT ${name(d)},`);
    }
  });
});

/**
 * A column's `expr` is the user's own SQL, written into statements as it is: it may hold quoting and comments that
 * Theseus never writes. Where the scan could misread where one ends, the statement is left whole.
 */
describe("a user's own SQL (a column's expr)", () => {
  const list = Array.from({ length: 10 }, (_, i) => `column_number_${i}`).join(', ');
  const unchanged = (d: Dialect, expr: string) => {
    const sql = `SELECT ${expr} AS x, 'on hold, late' AS y, ${list} FROM t`;
    expect(laidOut(sql, d)).toBe(sql);
  };

  test('dollar quotes, E strings, raw and triple-quoted strings, nested and // comments leave the statement whole', () => {
    unchanged(snowflake, `IFF(s IN ($$on hold, awaiting reply$$, $$on hold, from stock$$), $$held$$, s)`);
    unchanged(postgres, `$tag$it's, AND$tag$`);
    unchanged(postgres, `replace(s, E'\\'', '')`);
    unchanged(duckdb, `replace(s, e'\\'', '')`);
    unchanged(bigquery, `REGEXP_REPLACE(n, r'[^\\']+', '')`);
    unchanged(bigquery, `'''it's, AND'''`);
    unchanged(postgres, `/* outer /* inner */ still, a comment, AND it is */ s`);
    unchanged(snowflake, `s // a comment, AND more`);
  });

  test("on MySQL a backslash in a string leaves the statement whole: the server's SQL mode decides what it means", () => {
    unchanged(mysql, `REPLACE(path, '\\', '/')`);
    const sql = `SELECT REPLACE(path, 'a', '/') AS x, 'on hold, late' AS y, ${list} FROM t`;
    expect(laidOut(sql, mysql)).not.toBe(sql);
  });

  test("a quote doubled inside a string is laid out around, and BigQuery's ''' opens a triple quote only there", () => {
    const sql = `SELECT '''' AS quote, 'on hold, late' AS y, ${list} FROM t`;
    for (const d of [duckdb, postgres, mysql, snowflake]) {
      const out = laidOut(sql, d);
      expectOnlyWhitespaceMoved(sql, out, ["SELECT '''' AS quote,", "'on hold, late' AS y,"]);
      expect(out).not.toBe(sql);
    }
  });

  test("# is PostgreSQL's operator, not a comment: the string after it is still a string", () => {
    const sql = `SELECT j #>> '{a, b}' AS x, 'on hold,\n late' AS y, ${list} FROM t`;
    const out = laidOut(sql, postgres);
    expectOnlyWhitespaceMoved(sql, out, ["j #>> '{a, b}' AS x,", "'on hold,\n late' AS y,"]);
    expect(out).not.toBe(sql);
  });

  test('a no-break space is part of a name, never a place to break', () => {
    const sql = `SELECT ${list},\u00a0amount, ${list} FROM t`;
    expect(laidOut(sql, postgres)).toContain(',\u00a0amount,');
  });

  test('deep nesting stops breaking at half the width: the indentation never outgrows the line', () => {
    const nested = Array.from({ length: 2000 }, () => 'coalesce(c, ').join('') + 'c' + ')'.repeat(2000);
    const sql = `SELECT ${nested} AS deep, ${list} FROM t`;
    const out = laidOut(sql, duckdb);
    expectOnlyWhitespaceMoved(sql, out);
    expect(Math.max(...out.split('\n').map((l) => l.length - l.trimStart().length))).toBeLessThanOrEqual(LAYOUT_WIDTH / 2 + 2);
  });
});
