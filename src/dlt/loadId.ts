/**
 * dlt orders loads by their id, as text (`ORDER BY load_id`, `max(load_id)`)
 * and as a number (SQLMesh casts it to a timestamp): a backfill's id must come
 * after every load the dataset has on both counts, or readers take an earlier
 * load for the latest. Ids are epoch seconds with six decimals, exactly.
 */
/** An id in microseconds, rounded up (dlt's str(float) may carry a seventh decimal: the next id must still be later). */
const micros = (id: string): bigint | undefined => {
  const m = /^(\d+)(?:\.(\d{1,6})(\d*))?$/.exec(id.trim());
  if (!m) return undefined;
  const us = BigInt(m[1]) * 1_000_000n + BigInt((m[2] ?? '').padEnd(6, '0'));
  return /[1-9]/.test(m[3] ?? '') ? us + 1n : us;
};

const format = (us: bigint) => `${us / 1_000_000n}.${String(us % 1_000_000n).padStart(6, '0')}`;

/**
 * The clock's id, or, where the dataset already holds a load at or after it, an id in the first millisecond
 * after the latest one. dlt's ids all have ten digits before the point (until 2286), so the next number is next
 * as text too. The run keeps its clock's microseconds (random, see exec/runContext.ts) in every id it mints: two
 * runs bumping past the same latest load, or started in the same millisecond, then mint disjoint ids unless their
 * random microseconds agree (and a claim of an id another run holds is refused: LOAD_ID_TAKEN).
 */
export function nextLoadId(clockId: string, existing: readonly string[]): string {
  const newest = latestLoadId(existing);
  const latest = newest === undefined ? undefined : micros(newest);
  const clock = micros(clockId);
  if (latest === undefined || (clock !== undefined && clock > latest)) return clockId;
  return format((latest / 1000n + 1n) * 1000n + ((clock ?? 0n) % 1000n));
}

/** The latest of the ids, as a number (the only one nextLoadId needs: a catalog keeps just it); ids that are not load ids are ignored. */
export function latestLoadId(existing: readonly string[]): string | undefined {
  let best: { id: string; us: bigint } | undefined;
  for (const id of existing) {
    const us = micros(id);
    if (us !== undefined && (best === undefined || us > best.us)) best = { id, us };
  }
  return best?.id;
}

/**
 * Successive load ids from a first one, a millisecond apart (keeping the run's microseconds): one per slice.
 * A slice is one transaction, so its rows and its `_dlt_loads` row commit together, and a slice's load is
 * complete when registered. One id for a whole run would be registered complete while later slices still
 * wrote rows under it, and a dbt run in between would mark it processed and never stage those rows.
 */
export function loadIdSequence(first: string): () => string {
  const start = micros(first) ?? 0n;
  let n = 0n;
  return () => format(start + 1000n * n++);
}
