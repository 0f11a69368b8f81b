import { fitIdentifier } from '../../dialects/identifierLength';
import type { Dialect, TableInfo, UpsertStyle } from '../../dialects/types';
import { hasUniqueKeyOn } from '../align/alignment';
import { formatTableRef } from '../config/tableRef';
import { preconditionError } from '../errors';
import { type TableContext, keyLabel, keyNames, renderFor } from './tableContext';
import type { Unit } from './types';


/** Can a live writer's INSERT of a key race the slice's MERGE of it, with nothing to hold it off (Snowflake, BigQuery)? */
export function racesLiveInserts(ctx: TableContext): boolean {
  const caps = ctx.dialect.capabilities;
  return ctx.upsert === 'merge' && !caps.mergeLocksOutWriters && caps.concurrentSlices;
}

const UPSERT_NAMES = { on_conflict: 'INSERT … ON CONFLICT', on_duplicate_key: 'INSERT … ON DUPLICATE KEY UPDATE' } as const;

/**
 * How this table's slices upsert: the engine's own shape, except that where
 * ON CONFLICT is the safer choice and the key is indexed (PostgreSQL), it wins.
 */
export function chooseUpsert(dialect: Dialect, target: TableInfo, keyColumns: string[]): UpsertStyle {
  const caps = dialect.capabilities;
  return caps.onConflictWhenKeyIndexed && hasUniqueKeyOn(target, keyColumns) ? 'on_conflict' : caps.upsert;
}

/** The table name leads so the index is easy to find; shortened (with a hash) to what the engine keeps, as archive names are. */
export function keyIndexName(targetName: string, dialect: Pick<Dialect, 'maxIdentifierLength'>): string {
  return fitIdentifier(targetName, '__theseus_key', dialect.maxIdentifierLength);
}

/**
 * Engines without MERGE upsert through a unique index on the target's key.
 * Returns nothing when MERGE is used or the index exists; the unit that
 * creates it when the operator asked for that; otherwise refuses, naming the
 * statement that would create it. A key whose type cannot carry an index
 * that lookups use is refused either way (see refuseUnindexableKey).
 */
export function keyIndexUnit(ctx: TableContext, create: boolean): Unit | undefined {
  const style = ctx.upsert;
  if (style === 'merge') return undefined;
  refuseUnindexableKey(ctx, style);
  if (hasUniqueKeyOn(ctx.target, ctx.alignment.key.map((k) => k.target.name))) return undefined;
  const indexName = keyIndexName(ctx.target.ref.name, ctx.dialect);
  const sql = renderFor(ctx, 'create_key_index', { index: ctx.dialect.quoteIdent(indexName), target: ctx.q.target, columns: keyNames(ctx) });
  if (!create) {
    throw preconditionError(
      'KEY_INDEX_MISSING',
      `${ctx.table.id}: ${ctx.dialect.name} upserts with ${UPSERT_NAMES[style]}, which needs a unique index on the key (${keyLabel(ctx)}) of target ${formatTableRef(ctx.target.ref)}; it has none`,
      `create it yourself: ${sql}; or run backfill with --create-key-index`,
    );
  }
  return {
    title: `${ctx.table.id}: unique index on the target's key (--create-key-index)`,
    atomic: false,
    steps: [{ intent: `Create the unique index ${indexName} that ${UPSERT_NAMES[style]} needs`, kind: 'exec', sql }],
  };
}

/**
 * A slice looks keys up in the target (the upsert's conflict, the counts, the
 * validation join), so its time stays flat as the target grows only if the
 * key index serves lookups. Where the engine says a key column's type cannot
 * carry such an index (MariaDB's TEXT/BLOB: a HASH index), refuse, whether
 * the index exists already or would be created, and say what works instead.
 */
function refuseUnindexableKey(ctx: TableContext, style: keyof typeof UPSERT_NAMES): void {
  for (const k of ctx.alignment.key) {
    const why = ctx.dialect.unindexableKey?.(k.target, ctx.target.ref);
    if (!why) continue;
    throw preconditionError(
      'KEY_NOT_INDEXABLE',
      `${ctx.table.id}: ${UPSERT_NAMES[style]} upserts through a unique index on the key of target ${formatTableRef(ctx.target.ref)}, but ${why.reason}`,
      `make the key a type its index can serve lookups with: ${why.fix} (${why.note}); then run backfill again (with --create-key-index if it has no unique index yet)`,
    );
  }
}
