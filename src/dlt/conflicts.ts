import { usageError } from '../errors';
import type { TableContext } from '../plan/tableContext';

export interface DltAllowances {
  /** --allow-key-mismatch: merge into a table whose dlt primary key is not the config's key. */
  keyMismatch?: boolean;
  /** --allow-orphan-children: backfill an upsert/insert-only parent whose nested tables stay empty. */
  orphanChildren?: boolean;
}

const sameColumns = (a: string[], b: string[]) => a.length === b.length && a.every((c) => b.some((d) => d.toLowerCase() === c.toLowerCase()));

/**
 * Tables where the next live dlt load would undo or corrupt a backfill are
 * refused before anything is written; the rest get a warning where the live
 * load could still surprise. Returns the warnings.
 */
export function refuseDltConflicts(ctx: TableContext, allow: DltAllowances): string[] {
  const h = ctx.dlt.hints;
  if (!h) return [];
  const id = ctx.table.id;
  const warnings: string[] = [];
  if (h.writeDisposition === 'replace') {
    throw usageError('DLT_REPLACE_TABLE', `${id}: dlt loads ${h.table} with write_disposition replace: its next live load truncates the table, and the backfill would be lost`, 'backfill into a table the pipeline merges or appends to (change the resource\'s write_disposition first), or load history with dlt itself');
  }
  if (h.writeDisposition === 'merge' && h.primaryKey.length && !sameColumns(h.primaryKey, ctx.table.key)) {
    if (!allow.keyMismatch) {
      throw usageError('DLT_KEY_MISMATCH', `${id}: dlt merges ${h.table} on its primary key ${h.primaryKey.join(', ')}, but the config's key is ${ctx.table.key.join(', ')}: live loads would not match backfilled rows and keep both`, `set tables.${id}.key to ${h.primaryKey.join(', ')}, or pass --allow-key-mismatch if you know why they differ`);
    }
    warnings.push(`${id}: dlt merges on ${h.primaryKey.join(', ')}, the backfill on ${ctx.table.key.join(', ')} (--allow-key-mismatch)`);
  }
  if (h.children.length) {
    const byKeyHash = h.writeDisposition === 'merge' && (h.mergeStrategy === 'upsert' || h.mergeStrategy === 'insert-only');
    if (byKeyHash && !allow.orphanChildren) {
      throw usageError('DLT_NESTED_TABLES', `${id}: ${h.table} has nested tables (${h.children.join(', ')}) and dlt ${h.mergeStrategy}s it: dlt matches their rows through the parent's _dlt_id as a hash of its key, which backfilled parents do not carry, and the backfill leaves them empty`, 'pass --allow-orphan-children to backfill the parent alone, knowing live loads will not clean up its nested rows');
    }
    warnings.push(`${id}: the backfill leaves ${h.table}'s nested tables empty: ${h.children.join(', ')}`);
  }
  if ((h.writeDisposition ?? 'append') === 'append') {
    warnings.push(`${id}: dlt appends to ${h.table}: a live load whose incremental starts before legacy's last cursor value would load those rows again; start it after the backfilled range`);
  }
  return warnings;
}
