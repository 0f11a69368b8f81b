import { DLT_ID, DLT_LOAD_ID } from '../align/dltColumns';
import type { AlignedColumn } from '../align/alignment';
import { type Window } from '../backfill/windows';
import { checkStitchedDistribution, checkWindowKeysPresent } from '../lifecycle/assertions';
import type { Phase } from '../lifecycle/phases';
import type { LedgerWriter } from '../ledger/writes';
import { type TableContext, keyMatch, legacyRowsSql, rawKeyNotNull, renderFor } from './tableContext';
import type { Unit } from './types';
import { sliceCounts } from '../backfill/sliceCounts';
import { censusStep, distributionStep, missingKeysSql } from './views';

export interface BackfillPlanInput {
  windows: Window[];
  /** dlt's load id for rows this run writes: epoch seconds with a fraction, as text. */
  loadId: string;
  phase: Phase;
  /** After these windows every legacy row is in a done window: record the table as backfilled. */
  completes: boolean;
}

const fmt = (v: unknown) => Number(v ?? 0).toLocaleString('en-US');

/** The legacy rows of one window, on legacy's own cursor column so an index on it still serves. */
export function windowPredicate(ctx: TableContext, window: Window): string {
  const cursor = ctx.alignment.cursor;
  if (!window.start || !window.end) return `${cursor.rawLegacySql} IS NULL`;
  const zoned = ctx.dialect.isZonedTimestamp(cursor.rawType ?? cursor.target.type);
  const lit = (d: Date) => ctx.dialect.timestampLiteral(d, zoned);
  return `${cursor.rawLegacySql} >= ${lit(window.start)} AND ${cursor.rawLegacySql} < ${lit(window.end)}`;
}

/** The slice's source: the window's legacy rows with a key, de-duplicated by key, in the target's shape. */
function sliceSourceSql(ctx: TableContext, window: Window): string {
  return legacyRowsSql(ctx, `${windowPredicate(ctx, window)} AND ${rawKeyNotNull(ctx)}`);
}

/** dlt's row id for a backfilled row: derived from the key alone, so the same on every re-run and unique per key. */
function dltIdSql(ctx: TableContext, alias: string): string {
  const d = ctx.dialect;
  const text = (k: AlignedColumn) => d.cast(`${alias}.${d.quoteIdent(k.target.name)}`, d.textType);
  const keys = ctx.alignment.key;
  // A composite key is length-prefixed per part, so ('a|b','c') and ('a','b|c') cannot collide.
  const input = keys.length === 1 ? text(keys[0]) : d.concat(keys.flatMap((k) => [`length(${text(k)})`, "':'", text(k), "'|'"]));
  return d.md5Hex(input);
}

function castToColumn(ctx: TableContext, expr: string, column: AlignedColumn): string {
  return ctx.dialect.sameType(column.target.type, ctx.dialect.textType) ? expr : ctx.dialect.cast(expr, column.target.type);
}

export function mergeSql(ctx: TableContext, window: Window, loadId: string): string {
  const { alignment, dialect } = ctx;
  const q = (name: string) => dialect.quoteIdent(name);
  const loadIdLiteral = dialect.stringLiteral(loadId);
  const insertValue = (c: AlignedColumn): string => {
    if (c.target.name.toLowerCase() === DLT_LOAD_ID) return castToColumn(ctx, loadIdLiteral, c);
    if (c.target.name.toLowerCase() === DLT_ID) return castToColumn(ctx, dltIdSql(ctx, 's'), c);
    return `s.${q(c.target.name)}`;
  };
  const loadIdColumn = alignment.columns.find((c) => c.target.name.toLowerCase() === DLT_LOAD_ID);
  const updates = alignment.payload.map((c) => `${q(c.target.name)} = s.${q(c.target.name)}`);
  if (updates.length && loadIdColumn) updates.push(`${q(loadIdColumn.target.name)} = ${castToColumn(ctx, loadIdLiteral, loadIdColumn)}`);
  const differs = alignment.payload.map((c) => dialect.isDistinct(`t.${q(c.target.name)}`, `s.${q(c.target.name)}`)).join(' OR ');
  const u = alignment.updatedAt && q(alignment.updatedAt.target.name);
  // Newer wins: a target row (perhaps written by live dlt ingest) is never overwritten by an older source row.
  const updateWhen = u ? `(t.${u} IS NULL OR s.${u} >= t.${u}) AND (${differs})` : `(${differs})`;
  return renderFor(ctx, 'merge_slice', {
    target: ctx.q.target,
    source: sliceSourceSql(ctx, window),
    key_match: keyMatch(ctx, 't', 's'),
    update_set: updates.join(', ') || undefined,
    update_when: updateWhen,
    insert_columns: alignment.columns.map((c) => q(c.target.name)).join(', '),
    insert_values: alignment.columns.map(insertValue).join(', '),
  });
}

function windowCountsSql(ctx: TableContext, window: Window): string {
  return renderFor(ctx, 'window_counts', {
    legacy: ctx.q.legacy,
    window: windowPredicate(ctx, window),
    source: sliceSourceSql(ctx, window),
    target: ctx.q.target,
    key_match: keyMatch(ctx, 't', 's'),
  });
}

/** Two units per window: mark it running (committed on its own), then merge + assert + mark done in one transaction. */
export function planBackfill(ctx: TableContext, ledger: LedgerWriter, input: BackfillPlanInput): Unit[] {
  const id = ctx.table.id;
  const units: Unit[] = [];
  input.windows.forEach((window, index) => {
    units.push({ title: `${id} ${window.key}: claim the slice`, atomic: false, steps: [ledger.sliceStartStep(id, window)] });
    const steps = [
      {
        intent: 'Count the legacy rows of the window, and the keys the target does not hold yet',
        kind: 'query' as const,
        captureRow: true,
        sql: windowCountsSql(ctx, window),
      },
      {
        intent: `Merge the window into the target (idempotent: keyed on ${ctx.table.key.join(', ')}, ${
          ctx.alignment.legacyKeyUnique ? "legacy's key is declared unique" : 'source de-duplicated by key, latest row wins'
        })`,
        kind: 'exec' as const,
        captureChanged: 'rows_changed',
        sql: mergeSql(ctx, window, input.loadId),
      },
      {
        intent: 'Assert: every legacy key of the window is now in the target',
        expect: 'missing_keys = 0',
        kind: 'query' as const,
        sql: missingKeysSql(ctx, `${windowPredicate(ctx, window)}`),
        check: checkWindowKeysPresent(id, window.key),
      },
      censusStep(ctx),
      distributionStep(ctx, "Show the view's source distribution", "only 'legacy' and 'dlt'", checkStitchedDistribution(id, `${id}: view after ${window.key}`)),
      ledger.sliceDoneStep(id, window),
    ];
    if (index === 0 && input.phase === 'stitched') steps.push(ledger.setPhaseStep(id, 'backfilling'));
    units.push({
      title: `${id} ${window.key}: backfill`,
      atomic: true,
      steps,
      onFailure: [ledger.sliceFailedStep(id, window)],
      report: (v) => {
        const c = sliceCounts(v);
        return [`${id} ${window.key}: ${fmt(c.legacyRows)} legacy rows → ${fmt(c.inserted)} inserted, ${fmt(c.updated)} updated`];
      },
    });
  });
  if (input.completes && input.phase !== 'backfilled') {
    units.push({ title: `${id}: every window is done`, atomic: false, steps: [ledger.setPhaseStep(id, 'backfilled')] });
  }
  return units;
}
