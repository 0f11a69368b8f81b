import { duckdb } from '../../dialects/duckdb';

describe('DuckDB quoting and literals', () => {
  it('quotes identifiers by doubling embedded quotes', () => {
    expect(duckdb.quoteIdent('orders"; DROP TABLE x; --')).toBe('"orders""; DROP TABLE x; --"');
    expect(duckdb.qualify({ schema: 'a"b', name: 'c' })).toBe('"a""b"."c"');
  });

  it('renders strings by doubling single quotes', () => {
    expect(duckdb.stringLiteral("O'Brien'); DROP TABLE x; --")).toBe("'O''Brien''); DROP TABLE x; --'");
  });

  it('refuses NUL characters outright', () => {
    expect(() => duckdb.quoteIdent('a\u0000b')).toThrow();
    expect(() => duckdb.stringLiteral('a\u0000b')).toThrow();
  });

  it('writes window bounds as UTC literals of the cursor kind', () => {
    const d = new Date(Date.UTC(2024, 2, 1));
    expect(duckdb.timestampLiteral(d, false)).toBe("TIMESTAMP '2024-03-01 00:00:00'");
    expect(duckdb.timestampLiteral(d, true)).toBe("TIMESTAMPTZ '2024-03-01 00:00:00+00'");
  });
});
