import { DEFAULT_CONTROLS, parseDuration, resolveControls } from '../../src/backfill/controls';
import { eventText, textReporter } from '../../src/backfill/progress';
import { transientKind } from '../../src/backfill/transient';
import { isCovered, monthWindows, parseMonth, parseWindowKey, windowsBetween } from '../../src/backfill/windows';
import { TheseusError, databaseError } from '../../src/errors';

const pg = { name: 'postgres', loadSignalNames: ['active'] };
const bq = { name: 'bigquery', loadSignalNames: ['running', 'pending'], billsBytes: true };
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return `${(e as TheseusError).code}/${(e as TheseusError).exitCode}`;
  }
  return 'no error';
};

describe('run controls', () => {
  it('defaults: month slices, oldest first, one at a time, stop on error, 3 retries', () => {
    expect(resolveControls({}, {}, pg)).toEqual({ ...DEFAULT_CONTROLS });
  });

  it('the config sets them, and a flag overrides the config', () => {
    const c = resolveControls({ slice: 'week', limit: 5, min_interval: '2s', max_load: 'active=20' }, { limit: 2, newest_first: true }, pg);
    expect(c).toMatchObject({ slice: 'week', limit: 2, newestFirst: true, minIntervalMs: 2000, maxLoad: { text: 'active=20', value: 20 } });
  });

  it.each([
    ['50 GiB', 50 * 2 ** 30],
    ['2TB', 2e12],
    ['1073741824', 2 ** 30],
    ['10 MiB', 10 * 2 ** 20],
  ])('backfill.max_bytes_billed %s on BigQuery is %d bytes', (text, bytes) => expect(resolveControls({ max_bytes_billed: text }, {}, bq).maxBytesBilled).toBe(bytes));

  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1.5m', 90_000],
    ['2', 2000],
  ])('reads the duration %s', (text, ms) => expect(parseDuration(text, '--min-interval')).toBe(ms));

  it.each<[string, Record<string, unknown>, Record<string, unknown>, { name: string; loadSignalNames?: string[]; billsBytes?: boolean }]>([
    ['a bad slice size', { slice: 'hour' }, {}, pg],
    ['a zero limit', {}, { limit: 0 }, pg],
    ['a duration without a number', {}, { min_interval: 'soon' }, pg],
    ['a load signal the engine does not read', {}, { max_load: 'threads_running=5' }, pg],
    ['a load threshold on an engine without a load signal', {}, { max_load: 'active=5' }, { name: 'duckdb' }],
    ['a critical load under the max load', {}, { max_load: 'active=20', critical_load: 'active=10' }, pg],
    ['a bytes-billed cap on an engine that does not bill bytes read', { max_bytes_billed: '50 GiB' }, {}, pg],
    ['a bytes-billed cap under the 10 MiB BigQuery bills at least', { max_bytes_billed: '5 MiB' }, {}, bq],
    ['a bytes-billed cap that is not a size', { max_bytes_billed: 'lots' }, {}, bq],
  ])('refuses %s as a usage error (exit 2)', (_what, config, flags, engine) => {
    expect(codeOf(() => resolveControls(config, flags, engine))).toBe('BAD_CONTROL/2');
  });
});

describe('windows of every size', () => {
  it('ISO weeks start on Monday and take the year of their Thursday', () => {
    const weeks = windowsBetween(new Date('2024-12-25T00:00:00Z'), new Date('2025-01-08T00:00:00Z'), 'week');
    expect(weeks.map((w) => w.key)).toEqual(['2024-W52', '2025-W01', '2025-W02']);
    expect(weeks[1].start!.toISOString()).toBe('2024-12-30T00:00:00.000Z');
    expect(weeks[1].end!.toISOString()).toBe('2025-01-06T00:00:00.000Z');
  });

  it('a month range split into days covers every day once, half-open', () => {
    const days = monthWindows(parseMonth('2024-02'), parseMonth('2024-02'), 'day');
    expect(days).toHaveLength(29);
    expect(days[28]).toMatchObject({ key: '2024-02-29' });
    expect(days[28].end!.toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });

  it('rebuilds any window from its ledger key', () => {
    for (const w of [...windowsBetween(new Date('2020-12-28T00:00:00Z'), new Date('2021-01-20T00:00:00Z'), 'week'), ...monthWindows(parseMonth('2023-11'), parseMonth('2024-02'))]) {
      expect(parseWindowKey(w.key)).toEqual(w);
    }
    expect(parseWindowKey('2024-05-17')!.start!.toISOString()).toBe('2024-05-17T00:00:00.000Z');
  });

  it('a month is covered by the days or weeks done inside it, and not while one day is missing', () => {
    const march = monthWindows(parseMonth('2024-03'), parseMonth('2024-03'))[0];
    const days = monthWindows(parseMonth('2024-03'), parseMonth('2024-03'), 'day');
    expect(isCovered(march, days)).toBe(true);
    expect(isCovered(march, days.filter((d) => d.key !== '2024-03-15'))).toBe(false);
    const weeks = windowsBetween(march.start!, march.end!, 'week');
    expect(isCovered(march, weeks)).toBe(true);
  });
});

describe('progress', () => {
  it('keeps the familiar slice line, with its time and place in the run', () => {
    expect(eventText({ event: 'slice_done', table: 'orders', window: '2024-03', legacy_rows: 4984, inserted: 4984, updated: 0, seconds: 1.23, done: 3, total: 60 })).toBe(
      'orders 2024-03: 4,984 legacy rows → 4,984 inserted, 0 updated (1.2s, 3/60)',
    );
  });

  it('on a terminal, redraws a bar under the lines: slices, rows, rows/s, ETA', () => {
    let out = '';
    const r = textReporter((t) => (out += t), true);
    r.emit({ event: 'table', table: 'orders', legacy_rows: 10, windows: 2, already_done: 0, null_key_rows: 0, null_cursor_rows: 0 });
    r.emit({ event: 'slice_done', table: 'orders', window: '2024-03', legacy_rows: 5, inserted: 5, updated: 0, seconds: 1, done: 1, total: 2 });
    r.emit({ event: 'estimate', remaining_slices: 1, remaining_seconds: 1, seconds_per_slice: 1 });
    expect(out).toContain('\r\x1b[2K[############............] 1/2 slices · 5 rows · ');
    expect(out).toMatch(/ETA 1\.0s$/);
    r.close();
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('without a terminal, plain lines only', () => {
    let out = '';
    const r = textReporter((t) => (out += t), false);
    r.emit({ event: 'paused', file: '/tmp/p' });
    expect(out).toBe('paused: /tmp/p exists; no new slice starts until it is removed\n');
  });
});

describe('transient errors', () => {
  const wrapped = (driverError: object) => databaseError(Object.assign(new Error('x'), driverError), 'orders 2024-03: backfill');
  it.each([
    [{ code: '40P01' }, 'contention'],
    [{ code: '55P03' }, 'contention'],
    [{ code: '40001' }, 'contention'],
    [{ code: '08006' }, 'connection'],
    [{ errno: 1213 }, 'contention'],
    [{ errno: 1205 }, 'contention'],
    [{ errno: 2013 }, 'connection'],
    [{ code: 'ECONNRESET' }, 'connection'],
    [{ code: '57P01' }, 'connection'],
    [{ code: '57P05' }, 'connection'],
    [{ message: 'Client has encountered a connection error and is not queryable' }, 'connection'],
    [{ message: 'Connection lost: The server closed the connection.', fatal: true }, 'connection'],
    [{ code: '23502' }, undefined],
    [{ errno: 1048 }, undefined],
  ])('%j through the error wrapper → %s', (driverError, kind) => {
    expect(transientKind(wrapped(driverError))).toBe(kind);
  });
  it('a failed reconnect is worth another attempt; a refusal is not, whatever its message quotes', () => {
    expect(transientKind(new TheseusError('database', 'CANNOT_CONNECT', 'cannot connect to PostgreSQL at 127.0.0.1:5432'))).toBe('connection');
    expect(transientKind(new TheseusError('precondition', 'LOCK_LOST', 'the operator lock was lost (its connection failed: Client has encountered a connection error and is not queryable)'))).toBeUndefined();
  });
});
