import { fitIdentifier } from '../../dialects/identifierLength';
import type { AlignedColumn } from '../align/alignment';
import { hardDeleteFlag } from '../dlt/hardDelete';
import type { TableInfo } from '../../dialects/types';
import type { Window } from '../backfill/windows';
import type { TableConfig, TableRef } from '../config/types';
import { formatTableRef } from '../config/tableRef';
import { preconditionError } from '../errors';
import type { LedgerWriter } from '../ledger/writes';
import { ddlUnitMode, type Step, type Unit } from './types';
import { type TableContext, columnList, keyMatch, legacyKeysSql, renderFor } from './tableContext';
import { chooseUpsert, keyIndexUnit } from './upsertStyle';
import { hasUniqueKeyOn } from '../align/alignment';
import { targetWindowPredicate, windowPredicate } from './windowPredicate';

/**
 * The staging strategy (seed 001's pattern B, seed 003's blue-green): backfill writes a staging table shaped like the
 * target, and the live target is not touched until `migrate promote` moves each window in. The staging backfill is
 * an ordinary backfill whose target is the staging table and whose ledger id is the table's id with `@staging`
 * (its slices, validations and window states are the staging's own, and every control works on it unchanged); the
 * promote is an ordinary backfill of the table whose slices read the staging table's window instead of legacy's
 * (plan/backfill.ts, `source`), so it upserts, checks, validates against legacy and records exactly as a direct one.
 */

/** The ledger id of a table's staging (config ids may not contain '@', so it names nothing else). */
export const stagingId = (tableId: string) => `${tableId}@staging`;

/**
 * The staging table: `<table id>__backfill` in staging_schema, else the state schema. Named after the table id rather
 * than the target's name: the ledger already holds one migration per id in a state schema (table_identity), while two
 * tables' targets in different schemas may share a name.
 */
export function stagingRef(table: TableConfig, stateSchema: string, dialect: Pick<TableContext['dialect'], 'maxIdentifierLength'>): TableRef {
  return { schema: table.stagingSchema ?? stateSchema, name: fitIdentifier(table.id, '__backfill', dialect.maxIdentifierLength) };
}

/** The table config the staging backfill plans with: the same legacy, view and columns, the staging table as target. */
export function stagingTableConfig(table: TableConfig, stateSchema: string, dialect: Pick<TableContext['dialect'], 'maxIdentifierLength'>): TableConfig {
  return { ...table, id: stagingId(table.id), target: stagingRef(table, stateSchema, dialect) };
}

/** Will the staging table carry a unique index on the key (the engine upserts through one, or prefers to)? */
const indexesKey = (ctx: TableContext) => ctx.dialect.capabilities.upsert !== 'merge' || ctx.dialect.capabilities.onConflictWhenKeyIndexed;

/** Made LIKE a target that has a unique key on the key columns, the staging table has it too. */
const copiesKeyIndex = (ctx: TableContext) => Boolean(ctx.dialect.stagingLikeTarget) && hasUniqueKeyOn(ctx.target, ctx.alignment.key.map((k) => k.target.name));

/**
 * The staging backfill's context: the table's, with the staging table as target (as it stands, or as it will be made:
 * the target's columns, a unique index on the key where the engine upserts through one). No dlt load is registered
 * for staged rows: the promote registers the loads that reach the target.
 */
export function stagingContext(ctx: TableContext, stateSchema: string, existing: TableInfo | undefined): TableContext {
  const d = ctx.dialect;
  const table = stagingTableConfig(ctx.table, stateSchema, d);
  const keyColumns = ctx.alignment.key.map((k) => k.target.name);
  const info: TableInfo = existing ?? { ref: table.target, kind: 'table', columns: ctx.target.columns, uniqueKeys: indexesKey(ctx) ? [keyColumns] : [] };
  return {
    ...ctx,
    table,
    target: info,
    upsert: chooseUpsert(d, info, keyColumns),
    dlt: { ...ctx.dlt, loads: undefined },
    q: { ...ctx.q, target: d.qualify(info.ref) },
    existingView: undefined,
  };
}

/**
 * Creates the staging table where it is missing (the target's columns, and the unique index an upsert needs), or adds
 * the target's columns it lacks (dlt added one since). A table already there that this migration did not make (the
 * ledger has no identity for its staging id yet) is refused: it may be someone else's.
 */
export function stagingTableUnit(ctx: TableContext, staging: TableContext, existing: TableInfo | undefined, known: boolean, before: Step[] = []): Unit | undefined {
  const d = ctx.dialect;
  const name = formatTableRef(staging.target.ref);
  if (existing && !known) {
    throw preconditionError(
      'STAGING_TABLE_TAKEN',
      `${ctx.table.id}: the staging table ${name} exists, but the ledger has no staging of this table: it was not made by this migration`,
      `drop or rename ${name} if it is not needed, or set tables.${ctx.table.id}.staging_schema to stage elsewhere`,
    );
  }
  const steps: Step[] = [...before];
  const keyColumns = ctx.alignment.key.map((k) => k.target.name);
  if (!existing) {
    // stagingRef always names the schema: staging_schema, else the state schema.
    steps.push({ intent: 'Create the staging schema if missing', kind: 'exec', sql: renderFor(ctx, 'create_schema', { schema: d.quoteIdent(staging.table.target.schema!) }) });
    steps.push({
      intent: `Create ${ctx.table.id}'s staging table, shaped like the target; the backfill writes it and migrate promote moves it into the target`,
      kind: 'exec',
      sql: renderFor(ctx, 'staging_table', { table: staging.q.target, target_name: ctx.q.target, columns: ctx.target.columns.map((c) => `${d.quoteIdent(c.name)} ${c.type}`).join(',\n  ') }),
    });
    const index = indexesKey(ctx) && !copiesKeyIndex(ctx) ? keyIndexUnit({ ...staging, target: { ...staging.target, uniqueKeys: [] } }, true) : undefined;
    if (index) steps.push(...index.steps);
    // Each promote slice reads one window of the staging table: by its cursor's index where the engine has one.
    const cursor = ctx.alignment.cursor;
    if (cursor && d.secondaryIndexes) {
      const indexName = fitIdentifier(ctx.table.id, '__backfill_cursor', d.maxIdentifierLength);
      steps.push({ intent: `Index the staging table on ${cursor.target.name}, which each promote slice reads its window by`, kind: 'exec', sql: renderFor(ctx, 'create_index', { index: d.quoteIdent(indexName), table: staging.q.target, columns: d.quoteIdent(cursor.target.name) }) });
    }
  } else {
    // A run killed between making the table and its index (MySQL/MariaDB commit DDL on its own) left it without one.
    const index = indexesKey(ctx) && !hasUniqueKeyOn(existing, keyColumns) ? keyIndexUnit(staging, true) : undefined;
    if (index) steps.push(...index.steps);
    const have = new Set(existing.columns.map((c) => c.name.toLowerCase()));
    for (const c of ctx.target.columns.filter((col) => !have.has(col.name.toLowerCase()))) {
      steps.push({ intent: `Add the target's new column ${c.name} to the staging table`, kind: 'exec', sql: renderFor(ctx, 'add_column', { table: staging.q.target, column: d.quoteIdent(c.name), type: c.type }) });
    }
  }
  return steps.length ? { title: `${ctx.table.id}: the staging table ${name}`, ...ddlUnitMode(d), steps } : undefined;
}

/**
 * What a promote slice upserts into the target: the staging table's rows of the window (its cursor is the target's)
 * whose key legacy still holds in the window: a row legacy deleted (or dlt's hard-delete flag marked) after it was
 * staged is not brought back, as a direct backfill would not write it.
 */
export function stagedRowsSql(ctx: TableContext, staging: TableContext, window: Window): string {
  const inWindow = windowPredicate(ctx, window);
  const staged = (k: AlignedColumn) => `p.${ctx.dialect.quoteIdent(k.target.name)}`;
  // Looked up in legacy row by row, by its key as legacy holds it (its index serves where the key needs no cast);
  // where dlt's hard-delete flag applies, among the keys legacy keeps (legacyKeysSql de-duplicates and filters).
  const legacyKey = hardDeleteFlag(ctx)
    ? `SELECT 1 FROM (${legacyKeysSql(ctx, inWindow)}) AS l WHERE ${keyMatch(ctx, 'l', 'p')}`
    : `SELECT 1 FROM ${ctx.q.legacy} WHERE ${inWindow} AND ${ctx.alignment.key.map((k) => `${k.legacySql} = ${staged(k)}`).join(' AND ')}`;
  return renderFor(ctx, 'staged_rows', { columns: columnList(ctx, ctx.alignment.columns, 'p'), staging: staging.q.target, window: targetWindowPredicate(ctx, window, 'p'), legacy_key: legacyKey });
}

/**
 * Drops the staging table (where it still exists) and forgets the staging's ledger rows, so a later staging backfill
 * starts from nothing instead of trusting windows whose rows are gone; and its identity, so the staging may be made
 * again elsewhere (another staging_schema).
 */
export function dropStagingUnit(ctx: TableContext, staging: TableContext, ledger: LedgerWriter, exists: boolean): Unit {
  const steps: Step[] = [];
  if (exists) steps.push({ intent: `Drop the staging table ${formatTableRef(staging.target.ref)}`, kind: 'exec', sql: renderFor(ctx, 'drop_table', { table: staging.q.target }) });
  // One transaction where DDL is transactional; elsewhere a kill between the two leaves the ledger's windows without
  // their table, which the next staging backfill forgets before staging again (commands/staging.ts).
  steps.push(...ledger.forgetTableSteps(staging.table.id, { identity: true }));
  return { title: `${ctx.table.id}: drop the staging table`, ...ddlUnitMode(ctx.dialect), steps };
}
