import type { TableContext } from '../plan/tableContext';
import type { LiveIncremental } from './pipelineState';

/**
 * An append table has no key for dlt to merge on: a live load that reads
 * rows the backfill already copied adds them a second time. Which rows that
 * is depends on where the live incremental starts, so the warning names the
 * last cursor value legacy holds: an incremental that starts after it cannot
 * overlap the backfill.
 */

/** Does dlt append to the target (its stored schema says so, or says no disposition, which is dlt's default)? */
export function appendsLive(ctx: Pick<TableContext, 'dlt'>): boolean {
  const h = ctx.dlt.hints;
  return h !== undefined && (h.writeDisposition ?? 'append') === 'append';
}

const CURSOR_TEXT = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A cursor value as the engine printed it (legacy's cursor read as a UTC wall
 * time, or an instant with its offset) as UTC text: `2024-03-31 23:59:59 UTC`.
 * Text of another shape is shown as it came.
 */
export function utcCursorText(text: string): string {
  const m = CURSOR_TEXT.exec(text.trim());
  if (!m) return text;
  const [, date, time, fraction = '', offset] = m;
  if (!time) return `${date} UTC`;
  const fractionText = /^\.0*$/.test(fraction) ? '' : fraction.replace(/0+$/, '');
  if (!offset || /^(z|[+-]00(:?00)?)$/i.test(offset)) return `${date} ${time}${fractionText} UTC`;
  // An instant printed in another zone: its whole seconds moved to UTC (offsets are whole minutes, so the
  // fraction, microseconds included, stays as printed).
  const instant = new Date(`${date}T${time}${offset.length === 3 ? `${offset}:00` : offset}`);
  if (Number.isNaN(instant.getTime())) return text;
  const iso = instant.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fractionText} UTC`;
}

/**
 * The warning for an append table: what a live load must start after, where legacy has a cursor value at all,
 * and where dlt's pipeline state has the live incremental, where it says (read only, never written).
 */
export function appendOverlapWarning(ctx: TableContext, legacyLastCursor: string | undefined, live?: LiveIncremental): string {
  const id = ctx.table.id;
  const table = ctx.dlt.hints?.table ?? ctx.table.target.name;
  const cursor = ctx.alignment.cursor?.target.name ?? 'cursor';
  const stands = live ? ` (pipeline ${live.pipeline}'s state has its ${cursor} incremental at ${live.lastValue})` : '';
  if (legacyLastCursor === undefined) {
    return `${id}: dlt appends to ${table}: a live load whose incremental starts before legacy's last ${cursor} would load those rows again; start it after the backfilled range${stands}`;
  }
  const utc = utcCursorText(legacyLastCursor);
  // An integer epoch cursor's incremental counts in its own unit: the integer is what initial_value must pass.
  const epoch = ctx.alignment.cursor?.legacyTime === 'epoch' ? epochText(utc, ctx.table.cursorUnit ?? 's') : undefined;
  const last = epoch === undefined ? utc : `${epoch} (${utc})`;
  return `${id}: dlt appends to ${table}: a live load whose incremental initial_value is at or before ${last} (legacy's last ${cursor}) would load those rows again; start it after that${stands}`;
}

const PER_MICROSECOND = { s: 1_000_000n, ms: 1_000n, us: 1n } as const;

/** `2024-12-28 21:59:47.123 UTC` as an epoch integer in the cursor's unit (`1735423187123` in ms); undefined for other text. */
export function epochText(utc: string, unit: keyof typeof PER_MICROSECOND): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))? UTC$/.exec(utc);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}T${m[2]}Z`) / 1000;
  if (Number.isNaN(seconds)) return undefined;
  const micros = BigInt(seconds) * 1_000_000n + BigInt((m[3] ?? '').padEnd(6, '0'));
  return String(micros / PER_MICROSECOND[unit]);
}
