/**
 * Does `connection:` name a server by URL (`postgres://…`, `mysql://…`) rather
 * than a file? Such a string is never resolved as a path: that collapsed its
 * `//` and took the password out of the shape the masking recognizes.
 */
export function isConnectionUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}
