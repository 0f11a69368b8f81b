import type { TableRef } from '../src/config/types';
import { escapeRegExp } from '../src/escapeRegExp';

/**
 * Does a view's stored SQL name the table? For engines that keep no view dependencies one can ask (Snowflake's
 * INFORMATION_SCHEMA has none; BigQuery's neither): `schema.table` with either part quoted ("…" or `…`) or not,
 * after a database or project or not, case-blind (an unquoted name resolves either way). A view naming a table of
 * the same name in another schema does not match; one naming it through a synonym or dynamic SQL is not found.
 */
export function viewMentions(definition: string, ref: Required<TableRef>): boolean {
  const part = (name: string) => `[\`"]?${escapeRegExp(name)}[\`"]?`;
  return new RegExp(`(^|[^\\w$])${part(ref.schema)}\\s*\\.\\s*${part(ref.name)}(?![\\w$])`, 'i').test(definition);
}
