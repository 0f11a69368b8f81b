import { checkViewInvariants } from '../lifecycle/assertions';
import type { Step } from './types';
import type { LedgerWriter } from '../ledger/writes';
import type { TableInfo } from '../../dialects/types';
import { SOURCE_FLAG } from '../align/dltColumns';
import {
  type TableContext,
  columnList,
  flagLiterals,
  keyMatch,
  keyNames,
  keyNotNull,
  keyNull,
  legacyKeysSql,
  legacyRowsSql,
  renderFor,
} from './tableContext';

/**
 * The unified view while legacy and target both hold rows: target rows, plus legacy rows whose key the target lacks.
 * It shows what the table will hold once backfilled: legacy rows dlt's hard_delete flag marks deleted are hidden
 * already (legacyRowsSql leaves them out), on purpose, so readers see no row that would vanish at cutover.
 */
export function stitchedViewSql(ctx: TableContext, createView = 'CREATE OR REPLACE VIEW'): string {
  return renderFor(ctx, 'stitched_view', {
    create_view: createView,
    view: ctx.q.view,
    view_options: ctx.dialect.viewOptions,
    target: ctx.q.target,
    target_columns: columnList(ctx, ctx.alignment.columns),
    legacy_columns: columnList(ctx, ctx.alignment.columns, 'a'),
    legacy_rows: legacyRowsSql(ctx),
    key_match: keyMatch(ctx, 't', 'a'),
    ...flagLiterals(ctx.dialect),
  });
}

/** The view after cutover: the target alone, same columns, source_flag 'dlt'. */
export function targetViewSql(ctx: TableContext, createView = 'CREATE OR REPLACE VIEW'): string {
  return renderFor(ctx, 'target_view', {
    create_view: createView,
    view: ctx.q.view,
    view_options: ctx.dialect.viewOptions,
    target: ctx.q.target,
    target_columns: columnList(ctx, ctx.alignment.columns),
    ...flagLiterals(ctx.dialect),
  });
}

/**
 * Steps that put a new definition in place of the view. Where CREATE OR
 * REPLACE VIEW may only append columns (PostgreSQL) and the columns changed,
 * the view is dropped and created again in the same transaction (readers wait
 * for it; none sees the view missing) and the grants it had are given back.
 */
export function replaceViewSteps(ctx: TableContext, intent: string, sqlFor: (ctx: TableContext, createView: string) => string): Step[] {
  const existing = ctx.existingView;
  if (!existing || !ctx.dialect.capabilities.viewReplaceAppendOnly || appendsTo(ctx, existing.info.columns)) {
    return [{ intent, kind: 'exec', sql: sqlFor(ctx, 'CREATE OR REPLACE VIEW') }];
  }
  return [
    {
      intent: `Drop the view ${ctx.table.id} first: its columns change, which CREATE OR REPLACE VIEW cannot do on ${ctx.dialect.name}`,
      kind: 'exec',
      sql: renderFor(ctx, 'drop_view', { view: ctx.q.view }),
    },
    { intent, kind: 'exec', sql: sqlFor(ctx, 'CREATE VIEW') },
    ...existing.grants.map((sql) => ({ intent: 'Give back a privilege the view had before it was dropped', kind: 'exec' as const, sql })),
  ];
}

/** Do the view's current columns come first, by name and type, in the new definition (target columns, then source_flag)? */
function appendsTo(ctx: TableContext, current: TableInfo['columns']): boolean {
  const wanted = [...ctx.alignment.columns.map((c) => ({ name: c.target.name, type: c.target.type })), { name: SOURCE_FLAG, type: ctx.dialect.textType }];
  return current.length <= wanted.length && current.every((c, i) => c.name === wanted[i].name && ctx.dialect.sameType(c.type, wanted[i].type));
}

export function createViewSchemaStep(ctx: TableContext): Step | undefined {
  if (!ctx.q.viewSchema) return undefined;
  return {
    intent: `Create the view's schema if it is missing`,
    kind: 'exec',
    sql: renderFor(ctx, 'create_schema', { schema: ctx.q.viewSchema }),
  };
}

/**
 * Counts that prove "no key twice" and "rows add up to distinct keys"; captures target_rows and legacy_keys. Then the
 * same rule as a statement that fails, for a client running the printed plan (LedgerWriter.assertionGuardStep).
 */
export function censusSteps(ctx: TableContext, ledger: LedgerWriter): Step[] {
  const census = renderFor(ctx, 'view_census', {
    view: ctx.q.view,
    target: ctx.q.target,
    key: keyNames(ctx),
    key_not_null: keyNotNull(ctx),
    legacy_keys: legacyKeysSql(ctx),
  });
  return [
    {
      intent: 'Assert: no key twice in the view, and its keyed rows add up to the distinct keys of legacy and target',
      expect: 'keys_twice = 0 and keyed_rows = distinct_keys',
      kind: 'query',
      captureRow: true,
      sql: census,
      check: checkViewInvariants(ctx.table.id),
    },
    ledger.assertionGuardStep(`${ctx.table.id}: no key twice in the view, and its keyed rows add up to the distinct keys of legacy and target`, {
      query: census,
      found: 'CASE WHEN q.keys_twice > 0 THEN q.keys_twice ELSE q.keyed_rows END',
      violated: 'NOT (q.keys_twice = 0 AND q.keyed_rows = q.distinct_keys)',
    }),
  ];
}

export function distributionStep(ctx: TableContext, intent: string, expect: string, check: Step['check']): Step {
  return {
    intent,
    expect,
    kind: 'query',
    sql: renderFor(ctx, 'view_distribution', { view: ctx.q.view, source_flag: flagLiterals(ctx.dialect).source_flag }),
    check,
  };
}

/** Legacy keys the target lacks, and legacy rows with no key at all (optionally within a window). */
export function missingKeysSql(ctx: TableContext, where?: string): string {
  return renderFor(ctx, 'missing_keys', {
    legacy_keys: legacyKeysSql(ctx, where),
    target: ctx.q.target,
    key_match: keyMatch(ctx, 't', 'a'),
    a_key_not_null: keyNotNull(ctx, 'a'),
    a_key_null: keyNull(ctx, 'a'),
  });
}
