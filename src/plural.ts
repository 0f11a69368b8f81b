/**
 * A count and its noun, agreeing: `1 legacy row`, `2 legacy rows`,
 * `12,000 windows`. Every message that prints a count goes through it, so
 * none reads "1 windows". `plural` is for nouns that do not just add an s.
 */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}
