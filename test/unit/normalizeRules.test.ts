import { classifyType, normalizeRule } from '../../src/verify/normalize';
import { scaled } from '../../src/verify/outcome';

/**
 * verify compares each column under one rule chosen from both sides' types. A type the rule misreads as
 * "other" is compared as the engine's text, and two engines' texts of one instant differ (Snowflake's
 * TIMESTAMP_NTZ prints no zone, TIMESTAMP_TZ prints +00:00): every window would fail validation.
 */
describe('normalization rules by type', () => {
  test.each([
    'TIMESTAMP_NTZ', 'TIMESTAMP_TZ(9)', 'timestamp_ltz', 'TIMESTAMP_MS', 'timestamp_ns', 'TIMESTAMP', 'timestamp with time zone',
    'DATETIME', 'datetime(6)', 'DATE', 'timestamptz',
  ])('%s is a time', (type) => {
    expect(classifyType(type).kind).toBe('time');
  });

  test('Snowflake: a TIMESTAMP_NTZ legacy against a dlt TIMESTAMP_TZ target compares UTC microseconds', () => {
    expect(normalizeRule('TIMESTAMP_NTZ', 'TIMESTAMP_TZ')).toEqual({ kind: 'utc_micros' });
    expect(normalizeRule('NUMBER(38,0)', 'NUMBER(19,0)')).toEqual({ kind: 'decimal', scale: 0 });
    expect(normalizeRule('NUMBER(12,2)', 'FLOAT')).toEqual({ kind: 'decimal', scale: 2, nonFinite: true });
    expect(normalizeRule('VARCHAR(20)', 'VARCHAR')).toEqual({ kind: 'text' });
  });

  test('types that only begin like a time are not times', () => {
    expect(classifyType('dates_text').kind).toBe('other');
    expect(classifyType('time').kind).toBe('other');
  });
});

describe('sums captured as numbers', () => {
  it('a tiny decimal captured as a number is read at its scale, not as 5e-8 (which BigInt refuses)', () => {
    expect(scaled(5e-8, 8)).toBe(5n);
    expect(scaled(-0.00000012, 8)).toBe(-12n);
    expect(scaled(1234.5, 2)).toBe(123450n);
    expect(scaled('0.00000005', 8)).toBe(5n);
  });
});
