import type { Connection } from '../../dialects/types';
import { hasUniqueKeyOn } from '../align/alignment';
import { DLT_ID } from '../align/dltColumns';
import { typeShape } from '../align/narrowing';
import { usageError } from '../errors';
import { appendOverlapWarning, appendsLive } from './appendOverlap';
import type { LiveIncremental } from './pipelineState';
import { readRows } from '../exec/read';
import { count } from '../plural';
import { type TableContext, keyMatch, legacyKeysSql, renderFor } from '../plan/tableContext';
import { dltIdSql } from '../plan/upsert';

export interface DltAllowances {
  /** --allow-key-mismatch: merge into a table whose dlt primary key is not the config's key. */
  keyMismatch?: boolean;
  /** --allow-orphan-children: backfill an upsert/insert-only parent whose nested tables stay empty. */
  orphanChildren?: boolean;
}

const sameColumns = (a: string[], b: string[]) => a.length === b.length && a.every((c) => b.some((d) => d.toLowerCase() === c.toLowerCase()));

/** What the warnings name, read beforehand by the caller (this check reads nothing itself). */
export interface DltConflictFacts {
  /** Legacy's last cursor value (the backfill profile's max), for an append table; see appendOverlap.ts. */
  legacyLastCursor?: string;
  /** Where dlt's pipeline state has the live incremental on the cursor, for an append table. */
  liveIncremental?: LiveIncremental;
}

/**
 * Tables where the next live dlt load would undo or corrupt a backfill are
 * refused before anything is written; the rest get a warning where the live
 * load could still surprise. Returns the warnings.
 */
export function refuseDltConflicts(ctx: TableContext, allow: DltAllowances, facts: DltConflictFacts = {}): string[] {
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
  if (appendsLive(ctx)) warnings.push(appendOverlapWarning(ctx, facts.legacyLastCursor, facts.liveIncremental));
  return warnings;
}

/** md5 of the key, as hex: what Theseus writes into _dlt_id. */
const DLT_ID_LENGTH = 32;

/**
 * `_dlt_id` must be able to take the id Theseus writes (md5 of the key, 32 characters; dlt's own ids are 14,
 * and tables from dlt before 1.15 may be narrower), and where it is declared unique, no target row of another
 * key may already hold the id a legacy row would get: refused before writing rather than failed mid-backfill.
 * The schema half is checked at once (DLT_ID_TOO_NARROW); the data half (a query for ids already taken) is
 * returned as a probe where `_dlt_id` is unique, else undefined.
 */
export function dltIdClashProbe(ctx: TableContext): ((conn: Connection) => Promise<void>) | undefined {
  const column = ctx.target.columns.find((c) => c.name.toLowerCase() === DLT_ID);
  if (!column) return undefined;
  const id = ctx.table.id;
  const shape = typeShape(column.type, ctx.dialect);
  if (shape.kind === 'text' && shape.length < DLT_ID_LENGTH) {
    throw usageError('DLT_ID_TOO_NARROW', `${id}: the target's ${column.name} is ${column.type}, but a backfilled row's id is the md5 of its key, ${DLT_ID_LENGTH} characters`, `widen it (dlt 1.15 and later create it as varchar(64)): ALTER TABLE … ALTER COLUMN ${column.name} …`);
  }
  if (!hasUniqueKeyOn(ctx.target, [column.name])) return undefined;
  return (conn) => probeDltIdClashes(conn, ctx, column);
}

async function probeDltIdClashes(conn: Connection, ctx: TableContext, column: { name: string }): Promise<void> {
  const id = ctx.table.id;
  const d = ctx.dialect;
  const sql = renderFor(ctx, 'dlt_id_clashes', {
    legacy_keys: legacyKeysSql(ctx),
    target: ctx.q.target,
    dlt_id: d.quoteIdent(column.name),
    id_of_s: dltIdSql(ctx, 's'),
    key_match: keyMatch(ctx, 't', 's'),
  });
  const [row] = await readRows(conn, sql, `${id}: look for target rows holding a backfilled row's _dlt_id under another key`);
  const n = Number(row?.clashes ?? 0);
  if (n > 0) {
    throw usageError('DLT_ID_TAKEN', `${id}: ${count(n, 'target row holds', 'target rows hold')} the ${column.name} a legacy row of another key would get, and ${column.name} is unique: the backfill would fail on it`, `find them with the query in \`backfill --dry-run\`'s plan; give those rows their own ids, or drop the unique constraint on ${column.name}`);
  }
}
