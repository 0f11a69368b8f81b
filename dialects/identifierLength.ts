import * as crypto from 'node:crypto';
import type { IdentifierLimit } from './types';

/**
 * Identifier lengths as an engine counts them (dialect.maxIdentifierLength):
 * checking a name, and deriving a name that fits. Shared by every dialect, so
 * Snowflake (255 characters) and BigQuery (1,024 bytes) only declare their limit.
 */

export function identifierLength(name: string, limit: IdentifierLimit): number {
  return limit.unit === 'bytes' ? Buffer.byteLength(name, 'utf8') : [...name].length;
}

export function fitsIdentifier(name: string, limit: IdentifierLimit | undefined): boolean {
  return limit === undefined || identifierLength(name, limit) <= limit.max;
}

/**
 * `base + suffix` when it fits; otherwise base cut short (on a character
 * boundary) and marked with 6 hex digits of its hash, then the suffix, so two
 * long names sharing a prefix still get different results.
 */
export function fitIdentifier(base: string, suffix: string, limit: IdentifierLimit | undefined): string {
  if (fitsIdentifier(base + suffix, limit)) return base + suffix;
  const mark = `_${crypto.createHash('sha256').update(base).digest('hex').slice(0, 6)}`;
  const chars = [...base];
  while (chars.length > 0 && !fitsIdentifier(chars.join('') + mark + suffix, limit)) chars.pop();
  return chars.join('') + mark + suffix;
}
