import { NULL_CURSOR_KEY, monthWindows, parseMonth, monthWindow } from '../../src/backfill/windows';
import { dayIndex, dayRanges } from '../../src/verify/dayTotals';
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

describe('the days windows cover, as ranges (cutover’s guard in SQL)', () => {
  test('adjacent months merge, a gap stays, and the NULL-cursor window is said apart; the same days as dayIndex', () => {
    const windows = [monthWindow(parseMonth('2024-02')), monthWindow(parseMonth('2024-01')), monthWindow(parseMonth('2024-04'))];
    const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
    expect(dayRanges(windows)).toEqual({ ranges: [[day('2024-01-01'), day('2024-03-01')], [day('2024-04-01'), day('2024-05-01')]], nullCursor: false });
    expect(dayRanges([...windows, { key: NULL_CURSOR_KEY }]).nullCursor).toBe(true);
    const covered = [...dayIndex(windows).keys()];
    const inRanges = (d: number) => dayRanges(windows).ranges.some(([from, to]) => d >= from && d < to);
    expect(covered.every((d) => d !== null && inRanges(d))).toBe(true);
    expect(covered.length).toBe(31 + 29 + 30);
  });
});
