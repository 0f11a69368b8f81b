import type { TimeKind } from '../align/timeConversion';
import { cursorBound } from '../align/timeConversion';
import type { Window } from '../backfill/windows';
import type { KeyChunk } from '../backfill/keyChunks';
import { type TableContext, cursorOf, rawKeyNotNull, renderFor } from './tableContext';

/**
 * `expr` (a cursor of that kind) falls in the window: half-open [start, end), or IS NULL for the NULL-cursor
 * window. `zone` is the zone a naive cursor's wall times are in (legacy's legacy_timezone; UTC for the target).
 */
function cursorInWindow(ctx: TableContext, expr: string, kind: TimeKind, zone: string, window: Window): string {
  if (!window.start || !window.end) return `${expr} IS NULL`;
  const bound = (d: Date) => cursorBound(ctx.dialect, kind, d, zone, ctx.table.cursorUnit);
  return `${expr} >= ${bound(window.start)} AND ${expr} < ${bound(window.end)}`;
}

/**
 * The key's text, one text for the whole key: a composite key length-prefixed per part, so ('a|b','c') and
 * ('a','b|c') cannot collide. dlt's _dlt_id of a backfilled row and the hash bucket of a key chunk are both of it.
 */
export function keyTextSql(ctx: Pick<TableContext, 'dialect'>, parts: string[]): string {
  const d = ctx.dialect;
  const text = (e: string) => d.cast(e, d.textType);
  return parts.length === 1 ? text(parts[0]) : d.concat(parts.flatMap((p) => [`length(${text(p)})`, "':'", text(p), "'|'"]));
}

/** The hash bucket (0 … of-1) of a key given by its parts: the engine's 60-bit hash of the key's text, modulo `of`. */
function bucketSql(ctx: TableContext, parts: string[], of: number): string {
  return `mod(${ctx.dialect.hash60(keyTextSql(ctx, parts))}, ${of})`;
}

/** Legacy's key parts as aligned to the target's types: what both sides hash the same text of. */
const legacyKeyParts = (ctx: TableContext) => ctx.alignment.key.map((k) => k.legacySql);

/** Are these windows (or, for a table without a cursor, any windows) chunks of the key rather than periods? */
export function slicedByKey(ctx: TableContext, windows: Window[]): boolean {
  return !ctx.alignment.cursor || windows.some((w) => w.chunk);
}

/**
 * The rows of a key chunk: a range on the single integer key (as legacy holds it, where its index serves), or a hash
 * bucket of the key's text (legacy's key as aligned to the target's types, so both sides hash the same text).
 */
function keyInChunk(ctx: TableContext, chunk: KeyChunk, side: { range: string; parts: string[] }): string {
  // A key with a NULL part is in no bucket (some engines' concat skips NULLs, which would hash what is left).
  if ('bucket' in chunk) return `${side.parts.map((p) => `${p} IS NOT NULL`).join(' AND ')} AND ${bucketSql(ctx, side.parts, chunk.of)} = ${chunk.bucket}`;
  const bounds = [chunk.lo !== undefined ? `${side.range} >= ${chunk.lo}` : undefined, chunk.hi !== undefined ? `${side.range} < ${chunk.hi}` : undefined].filter(Boolean);
  return bounds.length ? bounds.join(' AND ') : `${side.range} IS NOT NULL`;
}

/** The legacy rows of one window, on legacy's own cursor column so an index on it still serves. */
export function windowPredicate(ctx: TableContext, window: Window): string {
  if (window.chunk) return keyInChunk(ctx, window.chunk, { range: ctx.alignment.key[0].rawLegacySql!, parts: legacyKeyParts(ctx) });
  const cursor = cursorOf(ctx, `the window ${window.key}`);
  return cursorInWindow(ctx, cursor.rawLegacySql!, cursor.legacyTime!, cursor.legacyZone ?? ctx.table.legacyTimezone, window);
}

/** The target's (or the view's) rows of one window, on the target's cursor column (a naive one holds UTC wall times), of the row named `alias` if given. */
export function targetWindowPredicate(ctx: TableContext, window: Window, alias?: string): string {
  const column = (name: string) => `${alias ? `${alias}.` : ''}${ctx.dialect.quoteIdent(name)}`;
  if (window.chunk) return keyInChunk(ctx, window.chunk, { range: column(ctx.alignment.key[0].target.name), parts: ctx.alignment.key.map((k) => column(k.target.name)) });
  const cursor = cursorOf(ctx, `the window ${window.key}`);
  return cursorInWindow(ctx, `${alias ? `${alias}.` : ''}${ctx.dialect.quoteIdent(cursor.target.name)}`, cursor.targetTime!, 'UTC', window);
}

/**
 * Legacy's keyed rows in none of these chunks (slice: key): cutover's gate with the validated chunks, verify's check
 * with every chunk. Touching ranges are merged first (the usual plan, open at both ends, is then one `IS NOT NULL`);
 * buckets are listed. Nothing at all when no chunk is given: every keyed row is outside.
 */
function outsideChunksPredicate(ctx: TableContext, chunks: KeyChunk[]): string {
  const keyed = rawKeyNotNull(ctx);
  if (!chunks.length) return keyed;
  const buckets = chunks.filter((c): c is Extract<KeyChunk, { bucket: number }> => 'bucket' in c);
  if (buckets.length) {
    return `${keyed} AND ${bucketSql(ctx, legacyKeyParts(ctx), buckets[0].of)} NOT IN (${[...new Set(buckets.map((b) => b.bucket))].sort((a, b) => a - b).join(', ')})`;
  }
  const ranges = chunks.filter((c): c is Extract<KeyChunk, { lo?: string }> => !('bucket' in c));
  const big = (v: string | undefined, open: bigint) => (v === undefined ? open : BigInt(v));
  const LOW = -(2n ** 200n);
  const HIGH = 2n ** 200n;
  const sorted = [...ranges].sort((a, b) => (big(a.lo, LOW) < big(b.lo, LOW) ? -1 : 1));
  const merged: Array<{ lo?: string; hi?: string }> = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && big(r.lo, LOW) <= big(last.hi, HIGH)) {
      if (big(r.hi, HIGH) > big(last.hi, HIGH)) last.hi = r.hi;
    } else merged.push({ lo: r.lo, hi: r.hi });
  }
  const column = ctx.alignment.key[0].rawLegacySql!;
  const inside = merged.map((m) => keyInChunk(ctx, { index: 0, ...m }, { range: column, parts: [] }));
  return `${keyed} AND NOT (${inside.map((p) => `(${p})`).join(' OR ')})`;
}

/** How many of legacy's keyed rows lie in none of these chunks (`legacy_rows`): verify's check, cutover's gate. */
export function legacyRowsOutsideChunksSql(ctx: TableContext, chunks: KeyChunk[]): string {
  return renderFor(ctx, 'legacy_window_count', { legacy: ctx.q.legacy, window: outsideChunksPredicate(ctx, chunks) });
}

/**
 * Which chunk of a complete plan a legacy row is in, as one expression (the chunk's index; NULL for a row with a NULL
 * key part): the bucket number, or the range whose bounds hold the key. Completeness counts legacy's rows per chunk
 * with it, in one pass, against what each chunk's slice counted.
 */
export function legacyChunkIndexSql(ctx: TableContext, chunks: KeyChunk[]): string {
  const first = chunks[0];
  if (first && 'bucket' in first) return `CASE WHEN ${rawKeyNotNull(ctx)} THEN ${bucketSql(ctx, legacyKeyParts(ctx), first.of)} END`;
  const column = ctx.alignment.key[0].rawLegacySql!;
  const ranges = (chunks as Array<Extract<KeyChunk, { lo?: string }>>).filter((c) => c.hi !== undefined).sort((a, b) => (BigInt(a.hi!) < BigInt(b.hi!) ? -1 : 1));
  const last = chunks.find((c) => !('bucket' in c) && c.hi === undefined);
  return `CASE WHEN ${column} IS NULL THEN NULL ${ranges.map((r) => `WHEN ${column} < ${r.hi} THEN ${r.index}`).join(' ')} ELSE ${last ? last.index : 'NULL'} END`;
}