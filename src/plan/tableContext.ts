import type { Alignment, AlignedColumn } from '../align/alignment';
import { FLAG_DLT, FLAG_LEGACY, SOURCE_FLAG } from '../align/dltColumns';
import type { TableConfig } from '../config/types';
import type { Dialect, TableInfo, UpsertStyle } from '../../dialects/types';
import { renderStatement, type TemplateValues } from '../sql/template';
import type { DltDataset } from '../dlt/dataset';
import { hardDeleteFlag } from '../dlt/hardDelete';
import { usageError } from '../errors';

/**
 * Everything a planner needs about one configured table, with every name
 * already quoted by the dialect. Built once per command from introspection.
 */
export interface TableContext {
  table: TableConfig;
  dialect: Dialect;
  legacy: TableInfo;
  target: TableInfo;
  alignment: Alignment;
  /** How slices upsert into this target (see plan/upsertStyle.ts). */
  upsert: UpsertStyle;
  /** The view as it stands before this command (undefined: there is none yet), and the grants others hold on it. */
  existingView?: { info: TableInfo; grants: string[] };
  /** The dlt dataset the target lives in: where its loads are registered, under which dlt schema. */
  dlt: DltDataset;
  /** Quoted, qualified names. */
  q: {
    legacy: string;
    target: string;
    view: string;
    viewSchema?: string;
    state: string;
  };
}

/**
 * The table's cursor, for what only a time cursor can do (time windows, days, scd2's versions, append loads). A table
 * sliced by its key alone has none: asking for it then is refused, naming what needed it.
 */
export function cursorOf(ctx: Pick<TableContext, 'alignment' | 'table'>, what: string): AlignedColumn {
  const cursor = ctx.alignment.cursor;
  if (!cursor) throw usageError('NO_CURSOR', `tables.${ctx.table.id} has no cursor, and ${what} needs one`, `set tables.${ctx.table.id}.cursor to a date or timestamp column, or backfill it in chunks of its key: backfill.slice: key`);
  return cursor;
}

/** Name of the row_number() column used for de-duplication; chosen so it cannot clash with dlt's names. */
const RN = '_theseus_rn';
/** Name under which the de-duplicating query carries dlt's hard-delete flag out to the filter after it. */
const HARD_DELETE = '_theseus_deleted';

export function renderFor(ctx: TableContext, op: string, values: TemplateValues): string {
  return renderStatement(ctx.dialect.templates, op, values);
}

const quote = (ctx: TableContext, name: string) => ctx.dialect.quoteIdent(name);

/** `"id", "customer_id", …` optionally qualified by an alias. */
export function columnList(ctx: TableContext, columns: AlignedColumn[], alias?: string): string {
  return columns.map((c) => (alias ? `${alias}.` : '') + quote(ctx, c.target.name)).join(', ');
}

export function keyNames(ctx: TableContext, alias?: string): string {
  return columnList(ctx, ctx.alignment.key, alias);
}

/** The key's target column names, for messages: the configured key, plus valid_from on an scd2 target. */
export function keyLabel(ctx: TableContext): string {
  return ctx.alignment.key.map((k) => k.target.name).join(', ');
}

/** What a row without a key lacks, for messages: on an scd2 target the key includes valid_from, legacy's cursor. */
export function nullKeyText(ctx: Pick<TableContext, 'alignment'>): string {
  return ctx.alignment.scd2 ? `a NULL key or ${ctx.alignment.cursor?.target.name ?? 'valid_from'} (an scd2 version starts at it)` : 'a NULL key';
}

/** `t."id" = s."id" AND …` */
export function keyMatch(ctx: TableContext, left: string, right: string): string {
  return ctx.alignment.key.map((k) => `${left}.${quote(ctx, k.target.name)} = ${right}.${quote(ctx, k.target.name)}`).join(' AND ');
}

export function keyNotNull(ctx: TableContext, alias?: string): string {
  return ctx.alignment.key.map((k) => `${alias ? `${alias}.` : ''}${quote(ctx, k.target.name)} IS NOT NULL`).join(' AND ');
}

export function keyNull(ctx: TableContext, alias?: string): string {
  return anyNull(ctx.alignment.key.map((k) => `${alias ? `${alias}.` : ''}${quote(ctx, k.target.name)}`));
}

/** `a IS NULL` or `(a IS NULL OR b IS NULL)`. */
export function anyNull(exprs: string[]): string {
  const parts = exprs.map((e) => `${e} IS NULL`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
}

/** The key is NULL in the legacy table's own terms (before alignment). */
export function rawKeyNull(ctx: TableContext): string {
  const parts = ctx.alignment.key.map((k) => `${k.rawLegacySql} IS NULL`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
}

export function rawKeyNotNull(ctx: TableContext): string {
  return ctx.alignment.key.map((k) => `${k.rawLegacySql} IS NOT NULL`).join(' AND ');
}

const aligned = (ctx: TableContext, columns: AlignedColumn[]) =>
  columns.map((c) => `${c.legacySql} AS ${quote(ctx, c.target.name)}`).join(', ');

/** A select list: expressions over one table's columns, and the names they come out as (already quoted). */
export interface Projection {
  names: string[];
  exprs: string[];
}

/**
 * Legacy rows in the target's shape (every target column, by the target's
 * names), optionally filtered by a predicate on legacy's own columns. With a
 * projection (verify's checksums), those columns instead; `keyAliases` are
 * then the projection's names for the key.
 *
 * Where dlt merges the target with a hard_delete column fed from legacy, rows
 * carrying the delete flag are left out after the de-duplication (see
 * dlt/hardDelete.ts): the one definition of "legacy rows" the slices, the
 * stitched view and verify share, so none of them expects a row dlt deletes.
 */
export function legacyRowsSql(ctx: TableContext, where?: string, projection?: Projection & { keyAliases: string[] }): string {
  const { alignment } = ctx;
  const flag = hardDeleteFlag(ctx);
  const dedupe = !alignment.legacyKeyUnique;
  // The latest version of a key wins (updated_at, then the cursor); rows tied on both are told apart by every
  // other column's exact text, so each run keeps the very same row (text: some types, e.g. json, have no order).
  const order = [alignment.updatedAt, alignment.cursor].filter((c): c is AlignedColumn => c !== undefined);
  const tieBreak = alignment.payload.filter((c) => !order.includes(c)).map((c) => ctx.dialect.exactOrderText(c.rawLegacySql!));
  // With nothing but the key (no cursor, no updated_at, no payload) the rows of a key are alike: ordered by the key
  // itself (the same across its partition), any one will do.
  const orderBy = [...order.map((c) => c.rawLegacySql!), ...tieBreak];
  const latestFirst = (orderBy.length ? orderBy : [alignment.key[0].rawLegacySql!]).map((e) => ctx.dialect.descNullsLast(e)).join(', ');
  // Without de-duplication the flag is tested on legacy's aligned value directly; with it, after it (as dlt does).
  const kept = flag && !dedupe ? flag.kept(flag.column.legacySql) : undefined;
  return renderFor(ctx, 'legacy_rows', {
    dedupe,
    names: projection ? projection.names.join(', ') : columnList(ctx, alignment.columns),
    aligned: projection ? projection.exprs.map((e, i) => `${e} AS ${projection.names[i]}`).join(', ') : aligned(ctx, alignment.columns),
    partition: alignment.key.map((k) => k.rawLegacySql!).join(', '),
    latest_first: latestFirst,
    rn: quote(ctx, RN),
    d_key_null: projection ? anyNull(projection.keyAliases.map((k) => `d.${k}`)) : keyNull(ctx, 'd'),
    legacy: ctx.q.legacy,
    where: kept ? (where ? `(${where}) AND ${kept}` : kept) : where,
    flag: flag && dedupe ? flag.column.legacySql : undefined,
    flag_name: quote(ctx, HARD_DELETE),
    kept: flag && dedupe ? flag.kept(`d.${quote(ctx, HARD_DELETE)}`) : undefined,
  });
}

/** Legacy's cursor as a UTC wall time or an instant (what days are counted on), over legacy's own columns. */
export function legacyCursorUtc(ctx: TableContext): string {
  const cursor = cursorOf(ctx, "counting legacy's rows per day");
  return cursor.utcLegacySql ?? cursor.rawLegacySql!;
}

/**
 * Legacy's rows per UTC day of the cursor (day_number, row_count; NULL day: no cursor), every row counted; with
 * `deleted`, where dlt's hard_delete flag applies, also deleted_count: the rows carrying the flag.
 */
export function legacyDaysSql(ctx: TableContext, options: { deleted?: boolean } = {}): string {
  const flag = options.deleted ? hardDeleteFlag(ctx) : undefined;
  return renderFor(ctx, 'legacy_days', { day: ctx.dialect.epochDay(legacyCursorUtc(ctx)), legacy: ctx.q.legacy, flagged: flag?.flagged(flag.column.legacySql) });
}

/** The UTC day (days since 1970-01-01) of a target cursor value, an integer epoch included. */
export function targetCursorDay(ctx: TableContext, expr: string): string {
  const d = ctx.dialect;
  return d.epochDay(cursorOf(ctx, "counting the target's rows per day").targetTime === 'epoch' ? d.epochToUtcWallTime(expr, ctx.table.cursorUnit ?? 's') : expr);
}

/**
 * Just the legacy keys, aligned (cast to the target's key types), optionally filtered: one per legacy row.
 * Where dlt's hard_delete flag applies, the keys of the rows legacyRowsSql keeps instead (de-duplicated
 * where legacy's key is not unique): a key whose latest row is flagged is one dlt deletes, and no check
 * (missing keys, the census, _dlt_id clashes) may expect it in the target.
 */
export function legacyKeysSql(ctx: TableContext, where?: string): string {
  if (hardDeleteFlag(ctx)) return `SELECT ${keyNames(ctx, 'k')} FROM (${legacyRowsSql(ctx, where)}) AS k`;
  return `SELECT ${aligned(ctx, ctx.alignment.key)} FROM ${ctx.q.legacy}${where ? ` WHERE ${where}` : ''}`;
}

export function flagLiterals(dialect: Dialect) {
  return {
    source_flag: dialect.quoteIdent(SOURCE_FLAG),
    dlt_flag: dialect.stringLiteral(FLAG_DLT),
    legacy_flag: dialect.stringLiteral(FLAG_LEGACY),
  };
}
