import * as crypto from 'node:crypto';

/**
 * How dlt shortens a normalized name longer than its destination keeps
 * (dlt/common/normalizers/naming/naming.py, `shorten_identifier`,
 * `_compute_tag`, `_trim_and_tag`; dlt 1.26): the head and the tail of the
 * name are kept and a 6-character tag, a hash of the name as the source wrote
 * it, goes in the middle. Theseus must reproduce it exactly, or a legacy
 * column would not find the shortened column dlt made from it.
 *
 * Lengths are counted in code points, as Python's len() counts them (a
 * normalized name can still hold non-ASCII decimal digits, some of them
 * outside the BMP).
 */

/**
 * dlt sizes the tag for a collision probability of 0.001, case-insensitively:
 * int(3 * log2(1 / 0.001) // 8 + 1) = 4 bytes of shake_128, 6 base64 characters.
 */
const TAG_BYTES = 4;

/** `_compute_tag`: base64 of shake_128(utf-8), `=` stripped, `/` → a, `+` → b, lower-cased. */
export function dltTag(identifier: string): string {
  const digest = crypto.createHash('shake128', { outputLength: TAG_BYTES }).update(identifier, 'utf8').digest('base64');
  return digest.replace(/=+$/, '').replace(/\//g, 'a').replace(/\+/g, 'b').toLowerCase();
}

/** `_trim_and_tag`: the head (one character longer when the room left is odd), the tag, the tail; exactly maxLength long. */
export function dltTrimAndTag(identifier: string, tag: string, maxLength: number): string {
  const tagChars = [...tag];
  if (tagChars.length > maxLength) throw new RangeError(`a ${tagChars.length}-character tag does not fit in ${maxLength} characters`);
  const chars = [...identifier];
  const room = maxLength - tagChars.length;
  const tail = Math.floor(room / 2);
  const head = tail + (room % 2);
  // Python's identifier[len - tail:] is empty when tail is 0; slice(len) is too.
  return chars.slice(0, head).join('') + tag + chars.slice(chars.length - tail).join('');
}

/**
 * `shorten_identifier`: `normalized` as it is when it fits in maxLength (or no
 * limit is given), else cut to maxLength around a tag hashed from `raw`, the
 * name before normalization, so two long names that normalize alike differ.
 */
export function dltShortenIdentifier(normalized: string, raw: string, maxLength?: number): string {
  if (!maxLength || [...normalized].length <= maxLength) return normalized;
  return dltTrimAndTag(normalized, dltTag(raw), maxLength);
}
