import { monthWindows, parseMonth, monthWindow } from '../../src/backfill/windows';
import { TheseusError } from '../../src/errors';

describe('month windows', () => {
  it('parses YYYY-MM as the first UTC instant of the month', () => {
    expect(parseMonth('2024-03').toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });

  it.each(['2024-13', '2024-00', '24-01', '2024-3', 'March', '2024-03-01'])('refuses %s as a usage error', (text) => {
    expect(() => parseMonth(text)).toThrow(TheseusError);
    try {
      parseMonth(text);
    } catch (e) {
      expect((e as TheseusError).code).toBe('BAD_MONTH');
      expect((e as TheseusError).exitCode).toBe(2);
    }
  });

  it('is half-open: [start of month, start of next month)', () => {
    const w = monthWindow(parseMonth('2024-12'));
    expect(w.start!.toISOString()).toBe('2024-12-01T00:00:00.000Z');
    expect(w.end!.toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });

  it('covers --from … --to inclusively across a year boundary, oldest first', () => {
    const keys = monthWindows(parseMonth('2023-11'), parseMonth('2024-02')).map((w) => w.key);
    expect(keys).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
  });

  it('refuses a range whose start is after its end', () => {
    expect(() => monthWindows(parseMonth('2024-02'), parseMonth('2024-01'))).toThrow(/after/);
  });
});
