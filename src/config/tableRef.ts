import { usageError } from '../errors';
import type { TableRef } from './types';

/** Parses `schema.table` (or a bare `table`). Quoting happens later, in the dialect. */
export function parseTableRef(text: unknown, where: string): TableRef {
  if (typeof text !== 'string' || text.trim() === '') {
    throw usageError('CONFIG_INVALID', `${where} must be a table name like legacy_schema.orders`);
  }
  const parts = text.trim().split('.');
  if (parts.length > 2 || parts.some((p) => p === '')) {
    throw usageError('CONFIG_INVALID', `${where} is "${text}"; write it as schema.table`, 'a name with a dot in it is not supported');
  }
  return parts.length === 2 ? { schema: parts[0], name: parts[1] } : { name: parts[0] };
}

export function formatTableRef(ref: TableRef): string {
  return ref.schema ? `${ref.schema}.${ref.name}` : ref.name;
}
