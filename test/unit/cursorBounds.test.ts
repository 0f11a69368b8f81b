import { bigquery } from '../../dialects/bigquery';
import { duckdb } from '../../dialects/duckdb';
import { mysql } from '../../dialects/mysql';
import { postgres } from '../../dialects/postgres';
import { snowflake } from '../../dialects/snowflake';
import { cursorBound } from '../../src/align/timeConversion';

/**
 * A window bound as each engine reads it for a DATE cursor: a date against a date (a DATE-partitioned BigQuery
 * table prunes by it; an index on the column serves), spelled so that no session format can change it (Snowflake
 * reads `DATE '…'` through DATE_INPUT_FORMAT, so it gets TO_DATE with the format written out).
 */
describe('window bounds of a DATE cursor', () => {
  const june = new Date('2024-06-01T00:00:00Z');
  it.each([
    [postgres, "DATE '2024-06-01'"],
    [mysql, "DATE '2024-06-01'"],
    [duckdb, "DATE '2024-06-01'"],
    [bigquery, "DATE '2024-06-01'"],
    [snowflake, "TO_DATE('2024-06-01', 'YYYY-MM-DD')"],
  ])('%#: a midnight bound is a DATE constant', (dialect, literal) => {
    expect(cursorBound(dialect, 'date', june, 'UTC')).toBe(literal);
  });

  it('a bound that is not a midnight (or a legacy zone other than UTC) keeps the wall-time literal', () => {
    expect(cursorBound(bigquery, 'date', new Date('2024-06-01T06:00:00Z'), 'UTC')).toBe(bigquery.timestampLiteral(new Date('2024-06-01T06:00:00Z'), false));
    expect(cursorBound(postgres, 'date', june, 'Europe/Berlin')).not.toMatch(/^DATE '/);
  });
});
