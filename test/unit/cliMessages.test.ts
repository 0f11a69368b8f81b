import { eventText, textReporter } from '../../src/backfill/progress';
import { resolveControls } from '../../src/backfill/controls';
import { attachNegativeValues } from '../../src/cli/negativeValues';
import { wholeNumber } from '../../src/config/wholeNumber';
import { count } from '../../src/plural';
import type { TheseusError } from '../../src/errors';

describe('counts read right', () => {
  it('one noun agrees with its count, with thousands separators', () => {
    expect([count(0, 'window'), count(1, 'window'), count(2, 'window'), count(12_000, 'legacy row')]).toEqual(['0 windows', '1 window', '2 windows', '12,000 legacy rows']);
    expect(count(1, 'legacy row has', 'legacy rows have')).toBe('1 legacy row has');
  });

  it('backfill events with a count of one say it in the singular', () => {
    const lines = [
      eventText({ event: 'table', table: 'orders', legacy_rows: 1, windows: 1, already_done: 0, null_key_rows: 0, null_cursor_rows: 0, duplicate_keys: 1 }),
      eventText({ event: 'slice_done', table: 'orders', window: '2024-03', legacy_rows: 1, inserted: 1, updated: 0, seconds: 1, done: 1, total: 1 }),
      eventText({ event: 'estimate', remaining_slices: 1, remaining_seconds: 1, seconds_per_slice: 1 }),
      eventText({ event: 'summary', slices_done: 1, slices_failed: 0, slices_skipped: 0, legacy_rows: 1, inserted: 1, updated: 0, seconds: 1 }),
    ];
    expect(lines).toEqual([
      'orders: 1 legacy row; 1 window to run; 1 key more than once (the latest row wins)',
      'orders 2024-03: 1 legacy row → 1 inserted, 0 updated (1.0s, 1/1)',
      'estimate: 1 slice left, about 1.0s at 1.0s a slice',
      'backfill: 1 slice done; 1 legacy row → 1 inserted, 0 updated in 1.0s (1 rows/s)',
    ]);
  });
});

describe('the terminal bar', () => {
  it('is cleared when the run ends and not drawn again by the lines printed after it', () => {
    let out = '';
    const r = textReporter((t) => (out += t), true);
    r.emit({ event: 'table', table: 'orders', legacy_rows: 10, windows: 2, already_done: 0, null_key_rows: 0, null_cursor_rows: 0 });
    r.emit({ event: 'slice_done', table: 'orders', window: '2024-03', legacy_rows: 5, inserted: 5, updated: 0, seconds: 1, done: 1, total: 2 });
    expect(out).toContain('] 1/2 slices · 5 rows · ');
    r.emit({ event: 'slice_done', table: 'orders', window: '2024-04', legacy_rows: 5, inserted: 5, updated: 0, seconds: 1, done: 2, total: 2 });
    const beforeSummary = out.length;
    r.emit({ event: 'summary', slices_done: 2, slices_failed: 0, slices_skipped: 0, legacy_rows: 10, inserted: 10, updated: 0, seconds: 2 });
    r.line('orders: view after backfill: (\'dlt\', 10)');
    r.line('orders: complete: every legacy row is in the target');
    const after = out.slice(beforeSummary);
    expect(after).toBe("\r\x1b[2Kbackfill: 2 slices done; 10 legacy rows → 10 inserted, 0 updated in 2.0s (5 rows/s)\norders: view after backfill: ('dlt', 10)\norders: complete: every legacy row is in the target\n");
    r.close();
    expect(out.slice(beforeSummary)).toBe(after);
  });
});

describe('flag values', () => {
  const usage = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return `${(e as TheseusError).code}/${(e as TheseusError).exitCode}: ${(e as Error).message}`;
    }
    return 'no error';
  };
  const pg = { name: 'postgres', loadSignalNames: ['active'] };

  it('a value starting with a minus is the value of the flag before it, not flags of its own', () => {
    expect(attachNegativeValues(['backfill', '--retry-delay', '-1s', '--all'])).toEqual(['backfill', '--retry-delay=-1s', '--all']);
    expect(attachNegativeValues(['backfill', '--limit', '-3'])).toEqual(['backfill', '--limit=-3']);
    expect(attachNegativeValues(['backfill', '--all', '--dry-run', '-c', 'x.yaml'])).toEqual(['backfill', '--all', '--dry-run', '-c', 'x.yaml']);
    expect(attachNegativeValues(['stitch', '--', '--out', '-1'])).toEqual(['stitch', '--', '--out', '-1']);
  });

  it('numbers are quoted as typed when they are not whole numbers, and durations cannot be negative', () => {
    expect([wholeNumber('12'), wholeNumber(12), wholeNumber(' 7 '), wholeNumber('abc'), wholeNumber('1.5'), wholeNumber(''), wholeNumber(Number.NaN)]).toEqual([12, 12, 7, undefined, undefined, undefined, undefined]);
    expect(usage(() => resolveControls({}, { limit: 'abc' }, pg))).toBe('BAD_CONTROL/2: --limit abc must be a whole number ≥ 1');
    expect(usage(() => resolveControls({}, { retries: '' }, pg))).toBe('BAD_CONTROL/2: --retries  must be a whole number ≥ 0');
    expect(usage(() => resolveControls({}, { retry_delay: '-1s' }, pg))).toBe('BAD_CONTROL/2: --retry-delay -1s: a duration cannot be negative');
    expect(usage(() => resolveControls({ min_interval: '-5s' }, {}, pg))).toBe('BAD_CONTROL/2: backfill.min_interval -5s: a duration cannot be negative');
  });
});
