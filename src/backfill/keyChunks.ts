import { preconditionError, usageError } from '../errors';

/**
 * Slicing without a time cursor (`slice: key`, issue 17): a table whose only usable order is its key is cut into
 * chunks of about `chunk_rows` legacy rows. A single integer key is cut into contiguous ranges planned from the
 * key's distribution (every chunk_rows-th key is a bound, so sparse keys make no empty or giant chunks); the first
 * range is open below and the last open above, so a key legacy gains after the plan still lies in a chunk. Any other
 * key (text, uuid, composite) goes into hash buckets of its text. Each chunk's bounds are in its ledger key, so
 * resume, --rerun and verify find the same chunk again.
 */
export type KeyChunk = { index: number; lo?: string; hi?: string } | { index: number; bucket: number; of: number };

/** `chunk-0017:1000000..2000000` (open bound: empty), or `bucket-0007-of-0016`. */
const RANGE_KEY = /^chunk-(\d+):(-?\d*)\.\.(-?\d*)$/;
const BUCKET_KEY = /^bucket-(\d+)-of-(\d+)$/;

const pad = (n: number) => String(n).padStart(4, '0');

export function chunkKey(chunk: KeyChunk): string {
  return 'bucket' in chunk ? `bucket-${pad(chunk.bucket)}-of-${pad(chunk.of)}` : `chunk-${pad(chunk.index)}:${chunk.lo ?? ''}..${chunk.hi ?? ''}`;
}

/** The chunk a ledger key names, or undefined for a key that is no chunk's. */
export function parseChunkKey(key: string): KeyChunk | undefined {
  let m = RANGE_KEY.exec(key);
  if (m) return { index: Number(m[1]), ...(m[2] ? { lo: m[2] } : {}), ...(m[3] ? { hi: m[3] } : {}) };
  m = BUCKET_KEY.exec(key);
  if (m) return { index: Number(m[1]), bucket: Number(m[1]), of: Number(m[2]) };
  return undefined;
}

/** Contiguous ranges from the inner bounds (ascending integers as text): (…, b1), [b1, b2), …, [bn, …). */
export function rangeChunks(bounds: string[]): KeyChunk[] {
  const sorted = [...new Set(bounds)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  const edges: Array<string | undefined> = [undefined, ...sorted, undefined];
  return edges.slice(0, -1).map((lo, i) => ({ index: i, ...(lo !== undefined ? { lo } : {}), ...(edges[i + 1] !== undefined ? { hi: edges[i + 1] } : {}) }));
}

/** `of` hash buckets of the key. */
export function bucketChunks(of: number): KeyChunk[] {
  return Array.from({ length: of }, (_, i) => ({ index: i, bucket: i, of }));
}

/** How many buckets hold about `chunkRows` of `rows` keys each (at least one). */
export function bucketCount(rows: number, chunkRows: number): number {
  return Math.max(1, Math.ceil(rows / chunkRows));
}

/** `--chunk 17` among windows: the window of the chunk of that number (keyed windows only are asked). */
export function chunkWindow<W extends { chunk?: KeyChunk }>(windows: W[], text: string): W {
  const chunk = chunkByNumber(windows.filter((w) => w.chunk).map((w) => w.chunk!), text);
  return windows.find((w) => w.chunk === chunk)!;
}

/** `--chunk 17`: the chunk of that number among the planned ones. */
export function chunkByNumber(chunks: KeyChunk[], text: string): KeyChunk {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  const found = chunks.find((c) => c.index === n);
  if (!found) {
    throw usageError('BAD_CHUNK', `--chunk ${text} is not a chunk of this table`, chunks.length ? `its chunks are numbered 0 to ${chunks.length - 1} (migrate status lists them)` : 'no chunk is planned yet: run backfill --all --slice key first');
  }
  return found;
}

type Range = Extract<KeyChunk, { lo?: string }>;
const cmp = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/**
 * The ledger's chunks made whole: every key must lie in exactly one. A plan a run registered only in part (an older
 * version registered just the chunks it ran), or a chunk the ledger lost, leaves gaps: each gap becomes a chunk of its
 * own, numbered after the others, so `backfill --all` copies its keys. Chunks that overlap, mix ranges with buckets
 * or disagree on the number of buckets (two plans) are refused: no one chunk holds a key then.
 */
export function completePlan(tableId: string, chunks: KeyChunk[]): KeyChunk[] {
  if (!chunks.length) return chunks;
  const conflict = (what: string) =>
    preconditionError('CHUNK_PLAN_CONFLICT', `${tableId}: the ledger's key chunks ${what}`, 'two plans were made for this table; undo or re-run its backfill from one plan (the ledger\'s slices of this table name them)');
  const buckets = chunks.filter((c): c is Extract<KeyChunk, { bucket: number }> => 'bucket' in c);
  let next = Math.max(...chunks.map((c) => c.index)) + 1;
  if (buckets.length) {
    if (buckets.length !== chunks.length) throw conflict('mix ranges and hash buckets');
    const of = buckets[0].of;
    if (buckets.some((b) => b.of !== of)) throw conflict(`disagree on the number of buckets (${[...new Set(buckets.map((b) => b.of))].join(', ')})`);
    const have = new Set(buckets.map((b) => b.bucket));
    return [...buckets, ...Array.from({ length: of }, (_, i) => i).filter((i) => !have.has(i)).map((i) => ({ index: i, bucket: i, of }))];
  }
  const ranges = (chunks as Range[]).slice().sort((a, b) => (a.lo === undefined ? -1 : b.lo === undefined ? 1 : cmp(a.lo, b.lo)));
  const filled: KeyChunk[] = [...ranges];
  const gap = (lo?: string, hi?: string) => filled.push({ index: next++, ...(lo !== undefined ? { lo } : {}), ...(hi !== undefined ? { hi } : {}) });
  if (ranges[0].lo !== undefined) gap(undefined, ranges[0].lo);
  for (let i = 0; i + 1 < ranges.length; i++) {
    const { hi } = ranges[i];
    const { lo } = ranges[i + 1];
    if (hi === undefined || lo === undefined || cmp(hi, lo) > 0) throw conflict(`overlap (${chunkKey(ranges[i])} and ${chunkKey(ranges[i + 1])})`);
    if (cmp(hi, lo) < 0) gap(hi, lo);
  }
  const last = ranges[ranges.length - 1];
  if (last.hi !== undefined) gap(last.hi, undefined);
  return filled.sort((a, b) => a.index - b.index);
}