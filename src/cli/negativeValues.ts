/**
 * `--retry-delay -1s`: yargs reads `-1s` as the short flags `-1` and `-s`
 * (only a bare number like `-3` is taken as a value), so the operator got
 * "Unknown arguments: 1, s" instead of being told the delay cannot be
 * negative. No flag of `migrate` is a digit, so a word starting with `-` and a
 * digit can only be the value of the flag before it: it is attached with `=`
 * and reaches the flag's own validation.
 */
export function attachNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const next = args[i + 1];
    if (arg === '--') return [...out, ...args.slice(i)];
    if (/^--?[^-=\d][^=]*$/.test(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}
