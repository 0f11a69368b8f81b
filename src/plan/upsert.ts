import { DLT_ID, DLT_LOAD_ID } from '../align/dltColumns';
import type { AlignedColumn } from '../align/alignment';
import type { TemplateValues } from '../sql/template';
import type { TableContext } from './tableContext';
import { keyMatch, keyNames } from './tableContext';
import { keyTextSql } from './windowPredicate';

/**
 * The values every upsert template needs, for the three shapes engines offer
 * (dialect capability `upsert`):
 *  - merge:            MERGE … WHEN MATCHED AND <newer and differs> THEN UPDATE …
 *  - on_conflict:      INSERT … ON CONFLICT (key) DO UPDATE … WHERE <newer and differs>
 *  - on_duplicate_key: INSERT … ON DUPLICATE KEY UPDATE c = IF(<newer>, new, old), …
 * The rules are the same in all three: a target row is only overwritten by a
 * source row at least as new (so live ingest is never rolled back), and only
 * when something differs (so a re-run changes nothing, not even the load id).
 */
export function upsertValues(ctx: TableContext, sourceSql: string, loadId: string): TemplateValues {
  const { alignment, dialect } = ctx;
  const q = (name: string) => dialect.quoteIdent(name);
  const style = ctx.upsert;
  // How each shape names the row already in the target and the row arriving.
  const old = (c: AlignedColumn) => (style === 'on_duplicate_key' ? `${ctx.q.target}.${q(c.target.name)}` : `t.${q(c.target.name)}`);
  const incoming = (c: AlignedColumn) =>
    style === 'on_duplicate_key' ? `VALUES(${q(c.target.name)})` : style === 'on_conflict' ? `excluded.${q(c.target.name)}` : `s.${q(c.target.name)}`;

  const loadIdColumn = loadIdColumnOf(ctx);
  const loadIdValue = loadIdColumn && loadIdValueOf(ctx, loadIdColumn, loadId);
  const insertValue = (c: AlignedColumn): string => {
    if (c === loadIdColumn) return loadIdValue!;
    // scd2: every version is written current; the slice then closes those a later version follows (plan/scd2.ts).
    if (c === alignment.scd2?.validTo) return alignment.scd2.activeMarker;
    if (c.target.name.toLowerCase() === DLT_ID) return castToColumn(ctx, dltIdSql(ctx, 's'), c);
    return `s.${q(c.target.name)}`;
  };

  const { newer, updateWhen } = replaceCondition(ctx, old, incoming);

  const setAll = alignment.payload.map((c) => `${q(c.target.name)} = ${incoming(c)}`);
  if (setAll.length && loadIdColumn) setAll.push(`${q(loadIdColumn.target.name)} = ${loadIdValue}`);

  return {
    target: ctx.q.target,
    source: sourceSql,
    key_match: keyMatch(ctx, 't', 's'),
    key_columns: keyNames(ctx),
    update_set: setAll.join(', ') || undefined,
    update_when: updateWhen,
    insert_columns: alignment.columns.map((c) => q(c.target.name)).join(', '),
    insert_values: alignment.columns.map(insertValue).join(', '),
    duplicate_key_set: style === 'on_duplicate_key' ? duplicateKeySet(ctx, old, incoming, { newer, updateWhen, loadIdColumn, loadIdValue }) : undefined,
  };
}

type ColumnSql = (c: AlignedColumn) => string;

/** Does any payload column of the two rows differ (NULL-safe)? Only for a table with payload columns. */
export function rowDiffers(ctx: TableContext, old: ColumnSql, incoming: ColumnSql): string {
  return `(${ctx.alignment.payload.map((c) => ctx.dialect.isDistinct(old(c), incoming(c))).join(' OR ')})`;
}

/**
 * When an upsert replaces a target row: the incoming row is at least as new (updated_at, where there is one) and
 * differs. The upsert's templates and the pre-images a slice keeps (plan/preimages.ts) share it.
 */
export function replaceCondition(ctx: TableContext, old: ColumnSql, incoming: ColumnSql): { newer?: string; updateWhen: string } {
  const updatedAt = ctx.alignment.updatedAt;
  const newer = updatedAt ? `(${old(updatedAt)} IS NULL OR ${incoming(updatedAt)} >= ${old(updatedAt)})` : undefined;
  const differs = rowDiffers(ctx, old, incoming);
  return { newer, updateWhen: newer ? `${newer} AND ${differs}` : differs };
}

/**
 * ON DUPLICATE KEY UPDATE assigns left to right, and each assignment sees the
 * columns already assigned before it. So the load id goes first (its test
 * must see the old row), the payload next, and updated_at last (every other
 * column's "is the source newer?" test reads it).
 */
function duplicateKeySet(
  ctx: TableContext,
  old: (c: AlignedColumn) => string,
  incoming: (c: AlignedColumn) => string,
  p: { newer?: string; updateWhen: string; loadIdColumn?: AlignedColumn; loadIdValue?: string },
): string {
  const q = (c: AlignedColumn) => ctx.dialect.quoteIdent(c.target.name);
  const { payload, updatedAt, key } = ctx.alignment;
  if (payload.length === 0) return `${q(key[0])} = ${old(key[0])}`;
  const assignments: string[] = [];
  if (p.loadIdColumn) assignments.push(`${q(p.loadIdColumn)} = IF(${p.updateWhen}, ${p.loadIdValue}, ${old(p.loadIdColumn)})`);
  const ordered = [...payload.filter((c) => c !== updatedAt), ...payload.filter((c) => c === updatedAt)];
  for (const c of ordered) assignments.push(p.newer ? `${q(c)} = IF(${p.newer}, ${incoming(c)}, ${old(c)})` : `${q(c)} = ${incoming(c)}`);
  return assignments.join(',\n  ');
}

/** dlt's row id for a backfilled row: derived from the key alone, so the same on every re-run and unique per key. */
export function dltIdSql(ctx: TableContext, alias: string): string {
  return ctx.dialect.md5Hex(keyTextSql(ctx, ctx.alignment.key.map((k) => `${alias}.${ctx.dialect.quoteIdent(k.target.name)}`)));
}

/** The target's dlt load id column (`_dlt_load_id`), which tells the rows a slice wrote from everyone else's; absent on a target that is not dlt's. */
export function loadIdColumnOf(ctx: TableContext): AlignedColumn | undefined {
  return ctx.alignment.columns.find((c) => c.target.name.toLowerCase() === DLT_LOAD_ID);
}

/** A slice's load id as the load id column holds it. */
export function loadIdValueOf(ctx: TableContext, column: AlignedColumn, loadId: string): string {
  return castToColumn(ctx, ctx.dialect.stringLiteral(loadId), column);
}

function castToColumn(ctx: TableContext, expr: string, column: AlignedColumn): string {
  return ctx.dialect.sameType(column.target.type, ctx.dialect.textType) ? expr : ctx.dialect.cast(expr, column.target.type);
}
