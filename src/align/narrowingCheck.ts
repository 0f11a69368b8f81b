import type { Connection } from '../../dialects/types';
import { TheseusError, usageError } from '../errors';
import { type TableContext, renderFor } from '../plan/tableContext';
import { narrowedColumns } from './narrowing';
import { count } from '../plural';


/**
 * Refuses (TYPE_NARROWING) before anything is written when a target column
 * narrower than its legacy source would change legacy values, naming each
 * column, both types and how many rows; a cast the engine rejects outright
 * is reported the same way. Columns whose narrowing the config accepts
 * (columns.<c>.allow_narrowing) are not checked. Returned as a probe over
 * legacy's values, run by the session's planning reads; undefined where the
 * alignment needs none (no cast, no zone change in a limited range, no
 * narrower column), so an offline plan names only what it skips.
 */
export function narrowingProbe(ctx: TableContext): ((conn: Connection) => Promise<void>) | undefined {
  const needed = castColumns(ctx).length > 0 || zoneMovedColumns(ctx).length > 0 || narrowedColumns(ctx.alignment, ctx.dialect).length > 0;
  if (!needed) return undefined;
  return async (conn) => {
    await refuseImpossibleCasts(conn, ctx);
    await refuseTimesOutsideZoneRange(conn, ctx);
    await refuseChangedValues(conn, ctx);
  };
}

/** Legacy columns read through a cast: the engine may refuse the cast outright. */
const castColumns = (ctx: TableContext) => ctx.alignment.columns.filter((c) => c.role === 'mapped' && c.legacySql !== c.rawLegacySql);

/** Naive legacy times that change zone, where the engine converts only within a range. */
const zoneMovedColumns = (ctx: TableContext) =>
  ctx.dialect.zoneConversionRange
    ? ctx.alignment.columns.filter(
        (c) => c.role === 'mapped' && (c.legacyTime === 'naive' || c.legacyTime === 'date') && ((c.legacyZone ?? 'UTC').toUpperCase() !== 'UTC' || c.targetTime === 'zoned'),
      )
    : [];

async function refuseChangedValues(conn: Connection, ctx: TableContext): Promise<void> {
  const narrowed = narrowedColumns(ctx.alignment, ctx.dialect);
  if (narrowed.length === 0) return;
  const id = ctx.table.id;
  const describe = (i: number) => {
    const c = narrowed[i].column;
    return `${c.target.name} (legacy ${c.from ?? 'expr'} ${c.rawType} → target ${c.target.type}: ${narrowed[i].reason})`;
  };
  const hint = `widen the target column, or accept the change knowingly with tables.${id}.columns.<column>.allow_narrowing: true (verify then compares at the target's type)`;
  const sql = renderFor(ctx, 'legacy_narrowing', {
    counts: narrowed.map((n, i) => `sum(CASE WHEN ${n.changes} THEN 1 ELSE 0 END) AS ${ctx.dialect.quoteIdent(`changed_${i}`)}`).join(', '),
    legacy: ctx.q.legacy,
  });
  let row: Record<string, unknown> | undefined;
  try {
    [row] = await conn.query(sql);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new TheseusError('usage', 'TYPE_NARROWING', `${id}: legacy values cannot be cast to narrower target columns (${narrowed.map((_, i) => describe(i)).join('; ')}): ${reason}`, `${hint}; or feed the column with tables.${id}.columns.<column>.expr`);
  }
  const changed = narrowed.map((_, i) => Number(row?.[`changed_${i}`] ?? 0));
  const parts = changed.flatMap((n, i) => (n > 0 ? [`${describe(i)}: ${count(n, 'legacy row')} would change`] : []));
  if (parts.length) throw new TheseusError('usage', 'TYPE_NARROWING', `${id}: target columns narrower than legacy's would change values: ${parts.join('; ')}`, hint);
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/**
 * A cast the engine refuses outright (PostgreSQL: boolean to bigint) would fail the stitch with the engine's
 * words alone. The aligned columns are type-checked first, on no rows, and each failing one is named.
 */
async function refuseImpossibleCasts(conn: Connection, ctx: TableContext): Promise<void> {
  const mapped = castColumns(ctx);
  if (mapped.length === 0) return;
  const probe = (columns: typeof mapped) => conn.query(`SELECT ${columns.map((c) => c.legacySql).join(', ')} FROM ${ctx.q.legacy} WHERE 1 = 0`);
  const failed = await probe(mapped).then(() => undefined, (err: unknown) => err);
  if (failed === undefined) return;
  const culprits: string[] = [];
  for (const c of mapped) {
    const err = await probe([c]).then(() => undefined, (e: unknown) => e);
    if (err !== undefined) culprits.push(`${c.target.name} (legacy ${c.from ?? 'expr'} ${c.rawType} → target ${c.target.type}): ${firstLine(err)}`);
  }
  const id = ctx.table.id;
  const first = ctx.alignment.columns.find((c) => culprits.some((x) => x.startsWith(`${c.target.name} (`)));
  throw usageError(
    'CAST_UNSUPPORTED',
    `${id}: legacy values cannot be cast to the target's type: ${culprits.length ? culprits.join('; ') : firstLine(failed)}`,
    `feed the column with an SQL expression over legacy's columns, e.g. tables.${id}.columns.${first?.target.name ?? '<column>'}.expr, or change the target's type`,
  );
}

/**
 * Where the engine moves times between zones only within a range (MySQL/MariaDB: 1970 to 2038), a legacy
 * wall time outside it would come out NULL or unconverted: refused, naming the column and the rows, before
 * anything is written. It matters where the value changes zone: a non-UTC legacy_timezone, or a zoned target.
 */
async function refuseTimesOutsideZoneRange(conn: Connection, ctx: TableContext): Promise<void> {
  const d = ctx.dialect;
  const range = d.zoneConversionRange;
  const moved = zoneMovedColumns(ctx);
  if (!range || moved.length === 0) return;
  const [from, until] = [d.timestampLiteral(range.from, false), d.timestampLiteral(range.until, false)];
  const counts = moved.map((c, i) => `sum(CASE WHEN ${c.rawLegacySql} < ${from} OR ${c.rawLegacySql} > ${until} THEN 1 ELSE 0 END) AS ${d.quoteIdent(`outside_${i}`)}`);
  const [row] = await conn.query(`SELECT ${counts.join(', ')} FROM ${ctx.q.legacy}`);
  const parts = moved.flatMap((c, i) => {
    const n = Number(row?.[`outside_${i}`] ?? 0);
    return n > 0 ? [`${c.target.name}: ${n.toLocaleString('en-US')} legacy row${n === 1 ? '' : 's'}`] : [];
  });
  if (parts.length === 0) return;
  const years = `${range.from.getUTCFullYear()} to ${range.until.getUTCFullYear()}`;
  throw usageError(
    'TIMEZONE_RANGE',
    `${ctx.table.id}: ${d.name} converts times between zones only from ${years}, and legacy holds times outside it (${parts.join('; ')})`,
    `feed those columns with an expression that handles them (tables.${ctx.table.id}.columns.<column>.expr), or keep the target column naive with legacy_timezone: UTC`,
  );
}
