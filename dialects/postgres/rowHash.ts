import type { TypedField } from '../types';

/**
 * PostgreSQL's typed row checksum (Dialect.typedRowHash60). Summed over a million rows of the bench's table it costs
 * 0.73 of hashing the joined text (259 against 355 ms), which spent most of its time writing every value as text.
 *
 * - Each field is hashed by its type's extended hash with seed 2: NULL's element hash is 0, a double's zero hashes
 *   to the seed and a decimal's zero to the seed minus one, so under seed 0 or 1 one of them would tie with NULL
 *   and a total changed from 0 to NULL would pass (the rowChecksum test plants both). Texts are hashed under the
 *   "C" collation (byte for byte; a case-insensitive column's own collation would ignore case). Microseconds are
 *   hashed as a double: int8's hash folds its two halves into 32 bits, so 2^32 integers share each hash, while a
 *   double's covers all 8 bytes, and microseconds convert exactly below 2^53, the precision date_part's double
 *   already holds them to. A decimal is hashed with its sign beside it:
 *   hash_numeric_extended hashes the digits and the weight only, so a total whose sign flipped would pass.
 * - hash_record_extended combines the fields as result·31 + hash: one changed field always changes it, but it is
 *   linear in the fields' hashes, so a sum of it over rows would equal another whenever a column's values were
 *   swapped between rows. The result is therefore hashed again, through its exact text: a double would keep only
 *   its top 53 bits, and a zero turned NULL moves it by the seed times a power of 31, which a double rounds away.
 *   The low 60 bits are kept, a non-negative bigint that sum() adds exactly.
 */
export function postgresTypedRowHash60(fields: readonly TypedField[]): string {
  const hashable = fields.flatMap((f) => {
    if (f.type === 'text') return [`(${f.expr}) COLLATE "C"`];
    if (f.type === 'micros') return [`CAST(${f.expr} AS double precision)`];
    // numeric's hash leaves out the sign (-12.50 and 12.50 hash alike), so the sign is a field of its own.
    return [f.expr, `(${f.expr}) < 0`];
  });
  return `(hashtextextended(CAST(hash_record_extended(ROW(${hashable.join(', ')}), 2) AS text) COLLATE "C", 0) & 1152921504606846975)`;
}
