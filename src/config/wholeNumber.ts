/**
 * A whole number as an operator writes it, in a flag or in the config: `12`
 * or `"12"`. Anything else (`abc`, `1.5`, an empty value) is undefined, so the
 * caller's message can quote what was typed rather than the NaN a number
 * parser would make of it.
 */
export function wholeNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string' || !/^\s*[+-]?\d+\s*$/.test(value)) return undefined;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}
