import { bucketChunks, bucketCount, chunkByNumber, chunkKey, completePlan, parseChunkKey, rangeChunks } from '../../src/backfill/keyChunks';
import { parseWindowKey, withoutOverlaps } from '../../src/backfill/windows';

describe('key chunks (slice: key)', () => {
  it('cuts ranges from the inner bounds, open at both ends, ordered as integers (not as text), without duplicates', () => {
    const chunks = rangeChunks(['1000000', '41', '1000000', '-5', '9007199254740993']);
    expect(chunks.map(chunkKey)).toEqual(['chunk-0000:..-5', 'chunk-0001:-5..41', 'chunk-0002:41..1000000', 'chunk-0003:1000000..9007199254740993', 'chunk-0004:9007199254740993..']);
    // Beyond 2^53 the bound keeps every digit.
    expect(parseChunkKey('chunk-0004:9007199254740993..')).toEqual({ index: 4, lo: '9007199254740993' });
    expect(rangeChunks([]).map(chunkKey)).toEqual(['chunk-0000:..']);
  });

  it('parses back every key it writes, and no other', () => {
    for (const chunk of [...rangeChunks(['10', '20']), ...bucketChunks(16)]) expect(parseChunkKey(chunkKey(chunk))).toEqual(chunk);
    expect(parseChunkKey('2024-03')).toBeUndefined();
    expect(parseChunkKey('chunk-1:a..b')).toBeUndefined();
    expect(parseWindowKey('bucket-0003-of-0016')).toEqual({ key: 'bucket-0003-of-0016', chunk: { index: 3, bucket: 3, of: 16 } });
  });

  it('sizes buckets to about chunk_rows keys each, at least one', () => {
    expect(bucketCount(0, 100)).toBe(1);
    expect(bucketCount(100, 100)).toBe(1);
    expect(bucketCount(101, 100)).toBe(2);
  });

  it('finds --chunk N, and refuses a number that is no chunk', () => {
    const chunks = rangeChunks(['5', '9']);
    expect(chunkByNumber(chunks, '2')).toEqual({ index: 2, lo: '9' });
    expect(() => chunkByNumber(chunks, '3')).toThrow(/BAD_CHUNK|not a chunk/);
    expect(() => chunkByNumber(chunks, 'x')).toThrow(/not a chunk/);
  });

  it('keeps chunks beside periods when windows are de-overlapped (verify)', () => {
    const windows = ['chunk-0001:5..9', '2024-03', 'chunk-0000:..5'].map((k) => parseWindowKey(k)!);
    expect(withoutOverlaps(windows).map((w) => w.key)).toEqual(['2024-03', 'chunk-0000:..5', 'chunk-0001:5..9']);
  });

  it('makes a plan whole: gaps and missing ends become chunks of their own; overlaps and mixed plans are refused', () => {
    const keys = (cs: ReturnType<typeof completePlan>) => cs.map(chunkKey);
    expect(keys(completePlan('t', [{ index: 1, lo: '4', hi: '7' }]))).toEqual(['chunk-0001:4..7', 'chunk-0002:..4', 'chunk-0003:7..']);
    expect(keys(completePlan('t', [{ index: 0, hi: '4' }, { index: 2, lo: '7' }]))).toEqual(['chunk-0000:..4', 'chunk-0002:7..', 'chunk-0003:4..7']);
    expect(keys(completePlan('t', rangeChunks(['4', '7'])))).toEqual(keys(rangeChunks(['4', '7'])));
    expect(keys(completePlan('t', [{ index: 2, bucket: 2, of: 3 }]))).toEqual(['bucket-0002-of-0003', 'bucket-0000-of-0003', 'bucket-0001-of-0003']);
    expect(() => completePlan('t', [{ index: 0, hi: '8' }, { index: 1, lo: '7' }])).toThrow(/overlap/);
    expect(() => completePlan('t', [{ index: 0, bucket: 0, of: 3 }, { index: 1, bucket: 1, of: 4 }])).toThrow(/number of buckets/);
    expect(() => completePlan('t', [{ index: 0, bucket: 0, of: 3 }, { index: 1, lo: '1' }])).toThrow(/mix ranges/);
  });
});
