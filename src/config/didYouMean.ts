import { distance } from 'fastest-levenshtein';

/**
 * `; did you mean "cursor"?` when a word is a typo of one it could have been (a few letters off, or the same in
 * another case), else ''. The bar grows with the word, so `dialekt` finds `dialect` but `zzz` finds nothing.
 */
export function didYouMean(word: string, among: readonly string[]): string {
  const lower = word.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of among) {
    const d = distance(lower, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  // Two edits (a swapped pair of letters: tpye) for words of four letters and more; one for shorter ones, where two
  // would turn any word into another.
  const bar = word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3));
  return best && best.d <= bar ? `; did you mean "${best.name}"?` : '';
}
