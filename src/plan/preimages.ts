import { fitIdentifier } from '../../dialects/identifierLength';
import type { TableInfo } from '../../dialects/types';
import type { Window } from '../backfill/windows';
import type { LedgerWriter } from '../ledger/writes';
import { ddlUnitMode, type Step, type Unit } from './types';
import { type TableContext, keyMatch, keyNames, renderFor } from './tableContext';
import { loadIdColumnOf, replaceCondition } from './upsert';

/**
 * Pre-images (issue 16): each slice keeps, in its own transaction and before its upsert, the target rows the upsert
 * will replace (whole, as they were), in a table of the state schema per migrated table, so `migrate undo` can put
 * the target back as it was before a run. The rows it inserts are found again by the dlt load id the slice wrote
 * them with (one per slice); only a target without `_dlt_load_id` has their keys kept, and there a fresh window (the
 * fast path found no target row in its key range) keeps none: every key of legacy's window was inserted.
 * What the slice changed is recorded in the ledger's undo_windows (the load id it wrote with, fresh or not, counts).
 *
 * Not on scd2 targets (a slice there also closes versions; undo refuses them) and not with
 * backfill.keep_preimages: false.
 */

/** The pre-image table of a migrated table: `<table id>__preimages` in the state schema, shortened where the engine needs. */
export function preimageTableName(ctx: Pick<TableContext, 'table' | 'dialect'>): string {
  return fitIdentifier(ctx.table.id, '__preimages', ctx.dialect.maxIdentifierLength);
}

export function preimageTableRef(ctx: Pick<TableContext, 'table' | 'dialect'>, stateSchema: string) {
  return { schema: stateSchema, name: preimageTableName(ctx) };
}

/** Does this table's backfill keep pre-images? */
export function keepsPreimages(ctx: TableContext, keep: boolean): boolean {
  return keep && !ctx.alignment.scd2;
}

const q = (ctx: Pick<TableContext, 'dialect'>, name: string) => ctx.dialect.quoteIdent(name);

/** The quoted, qualified pre-image table, named as the ledger's own tables are (`{{state}}.name`). */
export function preimagesQ(ctx: Pick<TableContext, 'table' | 'dialect'> & { q: Pick<TableContext['q'], 'state'> }): string {
  return `${ctx.q.state}.${q(ctx, preimageTableName(ctx))}`;
}

/**
 * Creates the pre-image table where it is missing, and adds the target's columns it lacks (dlt added a column since
 * the table was made): DDL, run before the slices.
 */
export function preimageTableUnit(ctx: TableContext, existing: TableInfo | undefined): Unit | undefined {
  const d = ctx.dialect;
  const table = preimagesQ(ctx);
  const steps: Step[] = [];
  if (!existing) {
    steps.push({
      intent: `Create ${ctx.table.id}'s pre-image table, which keeps what each slice replaces, for migrate undo`,
      kind: 'exec',
      sql: renderFor(ctx, 'preimage_table', {
        table,
        target_name: ctx.q.target,
        text: d.stateTypes.text,
        columns: ctx.target.columns.map((c) => `${q(ctx, c.name)} ${c.type}`).join(',\n  '),
      }),
    });
  } else {
    const have = new Set(existing.columns.map((c) => c.name.toLowerCase()));
    for (const c of ctx.target.columns.filter((col) => !have.has(col.name.toLowerCase()))) {
      steps.push({ intent: `Add the target's new column ${c.name} to ${ctx.table.id}'s pre-image table`, kind: 'exec', sql: renderFor(ctx, 'add_column', { table, column: q(ctx, c.name), type: c.type }) });
    }
  }
  // Two backfills started together both plan the CREATE: the one the engine refuses runs it again and finds the table.
  return steps.length ? { title: `${ctx.table.id}: the pre-image table`, ...ddlUnitMode(d), createsIfMissing: !existing, steps } : undefined;
}

/**
 * The slice's captures, before its upsert and over the same source (guarded alike on the fast path): the rows the
 * upsert will replace, and the keys it will insert, under this run's id (a literal, as in the ledger's own statements).
 */
export function preimageCaptureSteps(ctx: TableContext, ledger: LedgerWriter, window: Window, source: string): Step[] {
  const d = ctx.dialect;
  const columns = ctx.target.columns.map((c) => q(ctx, c.name));
  const common = { preimages: preimagesQ(ctx), target: ctx.q.target, source, run_id: ledger.runIdLiteral, window_key: d.stringLiteral(window.key), key_match: keyMatch(ctx, 't', 's') };
  const steps: Step[] = [];
  if (ctx.alignment.payload.length) {
    const { updateWhen } = replaceCondition(
      ctx,
      (c) => `t.${q(ctx, c.target.name)}`,
      (c) => `s.${q(ctx, c.target.name)}`,
    );
    steps.push({
      intent: 'Keep the target rows the upsert will replace, whole, for migrate undo',
      kind: 'exec',
      sql: renderFor(ctx, 'preimage_capture_updated', { ...common, columns: columns.join(', '), t_columns: columns.map((c) => `t.${c}`).join(', '), update_when: updateWhen, lock: d.lockReadRows?.('t') }),
    });
  }
  // Where the target has dlt's load id, the rows a slice inserted are found again by the load id it wrote (each slice
  // has its own): nothing is kept per inserted row (plan/undo.ts).
  if (loadIdColumnOf(ctx)) return steps;
  steps.push({
    intent: 'Keep the keys the upsert will insert, for migrate undo',
    kind: 'exec',
    sql: renderFor(ctx, 'preimage_capture_inserted', { ...common, key_columns: keyNames(ctx), s_keys: keyNames(ctx, 's') }),
  });
  return steps;
}
