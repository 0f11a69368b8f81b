import { NULL_CURSOR_KEY, type Window, coverageOf, windowsBetween } from '../../src/backfill/windows';

const day = (d: string) => new Date(`${d}T00:00:00Z`);

/** The definition, spelled out: every instant of the window lies in some done window (checked at 1-hour steps). */
function coveredByDefinition(window: Window, done: Window[]): boolean {
  if (!window.start || !window.end) return done.some((d) => d.key === window.key);
  for (let t = window.start.getTime(); t < window.end.getTime(); t += 3_600_000) {
    if (!done.some((d) => d.start && d.end && d.start.getTime() <= t && t < d.end.getTime())) return false;
  }
  return true;
}

describe('coverageOf: which windows the done ones cover, asked of many windows at once', () => {
  const months = windowsBetween(day('2024-01-01'), day('2025-01-01'), 'month');
  const weeks = windowsBetween(day('2024-01-01'), day('2025-01-01'), 'week');
  const days = windowsBetween(day('2024-01-01'), day('2025-01-01'), 'day');

  it('agrees with the definition for months, weeks and days against done sets with gaps, overlaps and touching spans', () => {
    const doneSets: Window[][] = [
      [],
      months,
      days.filter((d) => d.key !== '2024-03-15'), // one day missing
      [...weeks.slice(0, 10), ...months.slice(2, 5)], // weeks overlapping months
      [...days.slice(0, 40), ...months.slice(1)], // days that reach into February, then months
      months.filter((_, i) => i % 2 === 0), // every other month
      [{ key: NULL_CURSOR_KEY }, ...months.slice(5, 6)],
    ];
    for (const done of doneSets) {
      const covered = coverageOf(done);
      for (const w of [...months, ...weeks, ...days.filter((_, i) => i % 7 === 0), { key: NULL_CURSOR_KEY }]) {
        expect([w.key, covered(w)]).toEqual([w.key, coveredByDefinition(w, done)]);
      }
    }
  });

  it('a window covered only by the union of two done windows that touch is covered; a gap of one hour is not', () => {
    const a: Window = { key: 'a', start: day('2024-03-01'), end: day('2024-03-16') };
    const b: Window = { key: 'b', start: day('2024-03-16'), end: day('2024-04-01') };
    expect(coverageOf([b, a])(months[2])).toBe(true);
    const late: Window = { key: 'late', start: new Date(day('2024-03-16').getTime() + 3_600_000), end: day('2024-04-01') };
    expect(coverageOf([a, late])(months[2])).toBe(false);
  });
});
