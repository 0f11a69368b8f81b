/**
 * dlt's default "snake_case" naming convention, so a legacy column `CreatedAt`
 * is matched to the `created_at` column dlt would have made from it. Rules as
 * dlt documents them: trim; reduce + * to x, - to _, @ to a, | to l; other
 * non-alphanumerics to _; break camel/Pascal case; lower case; prefix _ before
 * a leading digit; trailing _ become x; runs of _ collapse to one.
 */
const REDUCE: Record<string, string> = { '+': 'x', '*': 'x', '-': '_', '@': 'a', '|': 'l' };

export function dltSnakeCase(identifier: string): string {
  let s = identifier.trim().replace(/[+*\-@|]/g, (c) => REDUCE[c]);
  s = s.replace(/[^a-zA-Z0-9_]+/g, '_');
  s = s.replace(/([^_])([A-Z][a-z]+)/g, '$1_$2');
  s = s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (/^\d/.test(s)) s = `_${s}`;
  const stripped = s.replace(/_+$/, '');
  s = stripped + 'x'.repeat(s.length - stripped.length);
  return s.replace(/_+/g, '_');
}
