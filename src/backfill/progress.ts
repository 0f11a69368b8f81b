import { count } from '../plural';

/**
 * What a backfill tells its operator, as events. Three renderings: plain log
 * lines (pipes, CI logs), the same lines with a live bar under them on a
 * terminal, and one JSON object per event on stdout for orchestrators.
 */
export type BackfillEvent =
  | { event: 'table'; table: string; legacy_rows: number; first_window?: string; last_window?: string; windows: number; already_done: number; null_key_rows: number; null_cursor_rows: number; duplicate_keys?: number; tied_keys?: number; deleted_rows?: number; hard_delete_column?: string }
  | { event: 'slice_done'; table: string; window: string; legacy_rows: number; inserted: number; updated: number; seconds: number; done: number; total: number; window_state?: string }
  | { event: 'slice_skipped'; table: string; window: string; reason: string }
  | { event: 'slice_retry'; table: string; window: string; attempt: number; of: number; delay_seconds: number; error: string }
  | { event: 'slice_failed'; table: string; window: string; error: string }
  | { event: 'estimate'; remaining_slices: number; remaining_seconds: number; seconds_per_slice: number }
  | { event: 'throttled'; signal: string; load: number; threshold: string; recheck_seconds: number }
  | { event: 'throttle_cleared'; signal: string; load: number }
  | { event: 'paused'; file: string }
  | { event: 'resumed'; file: string }
  | { event: 'stopping'; reason: string }
  | { event: 'summary'; command?: string; slices_done: number; slices_failed: number; slices_skipped: number; legacy_rows: number; inserted: number; updated: number; seconds: number; stopped?: string };

export interface Reporter {
  emit(e: BackfillEvent): void;
  /** A line that is not an event (the session's own messages). */
  line(text: string): void;
  /** Removes the bar, if any, before the process prints its last words. */
  close(): void;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

/** The plain-text line of an event; undefined where text mode says nothing. */
export function eventText(e: BackfillEvent): string | undefined {
  switch (e.event) {
    case 'table':
      return (
        `${e.table}: ${count(e.legacy_rows, 'legacy row')}` +
        (e.first_window ? ` from ${e.first_window} to ${e.last_window}` : '') +
        `; ${count(e.windows, 'window')} to run${e.already_done ? `, ${fmt(e.already_done)} already done` : ''}` +
        (e.null_key_rows ? `; ${fmt(e.null_key_rows)} with a NULL key` : '') +
        (e.null_cursor_rows ? `; ${fmt(e.null_cursor_rows)} with a NULL cursor` : '') +
        (e.duplicate_keys ? `; ${count(e.duplicate_keys, 'key')} more than once (the latest row wins)` : '') +
        (e.deleted_rows ? `; ${count(e.deleted_rows, 'legacy row carries', 'legacy rows carry')} dlt's delete flag (${e.hard_delete_column}): none is backfilled, nor any key whose latest row carries it, as dlt's merge would delete it` : '') +
        (e.tied_keys ? `; warning: ${fmt(e.tied_keys)} of them with several latest rows (same updated_at/cursor): a stable order on every column picks one, the same on every run` : '')
      );
    case 'slice_done':
      return `${e.table} ${e.window}: ${count(e.legacy_rows, 'legacy row')} → ${fmt(e.inserted)} inserted, ${fmt(e.updated)} updated (${formatDuration(e.seconds)}, ${e.done}/${e.total})`;
    case 'slice_skipped':
      return `${e.table} ${e.window}: skipped, ${e.reason}`;
    case 'slice_retry':
      return `${e.table} ${e.window}: transient error, retry ${e.attempt}/${e.of} in ${formatDuration(e.delay_seconds)}: ${e.error}`;
    case 'slice_failed':
      return `${e.table} ${e.window}: FAILED: ${e.error}`;
    case 'estimate':
      return `estimate: ${count(e.remaining_slices, 'slice')} left, about ${formatDuration(e.remaining_seconds)} at ${formatDuration(e.seconds_per_slice)} a slice`;
    case 'throttled':
      return `throttled: ${e.signal} is ${e.load}, above --max-load ${e.threshold}; no new slice starts until it drops (checking every ${formatDuration(e.recheck_seconds)})`;
    case 'throttle_cleared':
      return `resuming: ${e.signal} is down to ${e.load}`;
    case 'paused':
      return `paused: ${e.file} exists; no new slice starts until it is removed`;
    case 'resumed':
      return `resumed: ${e.file} is gone`;
    case 'stopping':
      return `stopping: ${e.reason}`;
    case 'summary':
      return (
        `${e.command ?? 'backfill'}: ${count(e.slices_done, 'slice')} done` +
        (e.slices_failed ? `, ${e.slices_failed} failed` : '') +
        (e.slices_skipped ? `, ${e.slices_skipped} skipped` : '') +
        `; ${count(e.legacy_rows, 'legacy row')} → ${fmt(e.inserted)} inserted, ${fmt(e.updated)} updated in ${formatDuration(e.seconds)}` +
        (e.seconds > 0 && e.legacy_rows > 0 ? ` (${fmt(Math.round(e.legacy_rows / e.seconds))} rows/s)` : '')
      );
  }
}

/** One JSON object per event on `out`; other lines go to `err` so stdout stays parseable. */
export function jsonReporter(out: (text: string) => void, err: (text: string) => void): Reporter {
  return {
    emit: (e) => out(`${JSON.stringify({ ...e, at: new Date().toISOString() })}\n`),
    line: (text) => err(`${text}\n`),
    close: () => undefined,
  };
}

/**
 * Log lines; on a terminal, also a bar kept on the last line (slices
 * done/total, rows, rows/s, ETA) that each new line is printed above.
 */
export function textReporter(write: (text: string) => void, tty: boolean): Reporter {
  let total = 0;
  let done = 0;
  let rows = 0;
  let eta: number | undefined;
  let barShown = false;
  // Once the run's summary is out (or the reporter closed), the bar is gone for good: later lines print plainly.
  let ended = false;
  const started = Date.now();
  const clearBar = () => {
    if (barShown) write('\r\x1b[2K');
    barShown = false;
  };
  const drawBar = () => {
    if (!tty || total === 0 || ended) return;
    const width = 24;
    const filled = Math.round((done / total) * width);
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? rows / elapsed : 0;
    write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${count(total, 'slice')} · ${count(rows, 'row')} · ${fmt(Math.round(rate))} rows/s · ETA ${eta === undefined ? '?' : formatDuration(eta)}`);
    barShown = true;
  };
  const print = (text: string) => {
    clearBar();
    write(`${text}\n`);
    drawBar();
  };
  return {
    emit: (e) => {
      if (e.event === 'slice_done') {
        done = e.done;
        total = e.total;
        rows += e.legacy_rows;
      }
      if (e.event === 'estimate') eta = e.remaining_seconds;
      if (e.event === 'table') total += e.windows;
      if (e.event === 'summary') {
        clearBar();
        ended = true;
      }
      const text = eventText(e);
      if (text !== undefined) print(text);
    },
    line: print,
    close: () => {
      clearBar();
      ended = true;
    },
  };
}
