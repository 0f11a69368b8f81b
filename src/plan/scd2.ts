import { assertionError } from '../errors';
import { count } from '../plural';
import type { Row } from '../../dialects/types';
import { hardDeleteFlag } from '../dlt/hardDelete';
import { type TableContext, renderFor } from './tableContext';
import type { Step } from './types';

/**
 * The steps an scd2 target adds to a slice (see align/scd2.ts): after the
 * upsert wrote legacy's versions as current, close each current version that
 * a later one of its record follows, then assert that no record of the window
 * is left with two current versions. `source` is the slice's source rows.
 */
export function scd2SliceSteps(ctx: TableContext, source: string, windowWhere: string): Step[] {
  const scd2 = ctx.alignment.scd2;
  if (!scd2) return [];
  const d = ctx.dialect;
  const q = (name: string) => d.quoteIdent(name);
  const record = scd2.recordKey.map((k) => q(k.target.name));
  const match = (a: string, b: string) => record.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');
  // dlt retires a record's current version when a row flagged deleted arrives (hard_delete), and never stores
  // that row: a flagged legacy version is no row of the target, but it ends the version before it.
  const flag = hardDeleteFlag(ctx);
  const deletions = (where?: string) =>
    flag &&
    `SELECT ${[...scd2.recordKey, scd2.validFrom].map((c) => `${c.legacySql} AS ${q(c.target.name)}`).join(', ')} FROM ${ctx.q.legacy} WHERE ${flag.flagged(flag.column.legacySql)}${where ? ` AND ${where}` : ''}`;
  return [
    {
      intent: `Close the current versions of this window's records that a later version follows, at that version's ${scd2.validFrom.target.name} (scd2: dlt retires only current rows)`,
      kind: 'exec',
      sql: renderFor(ctx, 'scd2_close_superseded', {
        target: ctx.q.target,
        valid_from: q(scd2.validFrom.target.name),
        valid_to: q(scd2.validTo.target.name),
        c_x_match: match('c', 'x'),
        superseded: renderFor(ctx, 'scd2_superseded', {
          target: ctx.q.target,
          record_key: record.join(', '),
          deletions: deletions(),
          window_deletions: deletions(windowWhere),
          valid_from: q(scd2.validFrom.target.name),
          o_record_key: record.map((k) => `o.${k}`).join(', '),
          o_n_match: match('o', 'n'),
          o_s_match: match('o', 's'),
          o_active: scd2.isActive('o'),
          source,
        }),
      }),
    },
    {
      intent: `Assert: no record of the window has two current versions (${scd2.validTo.target.name} is the active marker on one version per record)`,
      expect: 'records_current_twice = 0',
      kind: 'query',
      sql: currentTwiceSql(ctx, source),
      check: checkCurrentOnce(ctx.table.id),
    },
  ];
}

/** scd2: across the whole target, no record with two current versions (live loads included). */
export function scd2TableSteps(ctx: TableContext): Step[] {
  if (!ctx.alignment.scd2) return [];
  return [{ intent: 'Assert: no record of the target has two current versions', expect: 'records_current_twice = 0', kind: 'query', sql: currentTwiceSql(ctx), check: checkCurrentOnce(ctx.table.id) }];
}

/** Records with more than one current version: of the slice's source (`source`), or of the whole target. */
export function currentTwiceSql(ctx: TableContext, source?: string): string {
  const scd2 = ctx.alignment.scd2!;
  const record = scd2.recordKey.map((k) => ctx.dialect.quoteIdent(k.target.name));
  return renderFor(ctx, 'scd2_current_twice', {
    target: ctx.q.target,
    t_record_key: record.map((k) => `t.${k}`).join(', '),
    t_active: scd2.isActive('t'),
    t_s_match: record.map((k) => `t.${k} = s.${k}`).join(' AND '),
    source,
  });
}

export function checkCurrentOnce(tableId: string) {
  return (rows: Row[]): string[] => {
    const n = Number(rows[0]?.records_current_twice ?? 0);
    if (n > 0) {
      throw assertionError('SCD2_CURRENT_TWICE', `${tableId}: ${count(n, 'record has', 'records have')} two current versions in the target`, 'the unit was rolled back; dlt retires only current versions, so both would stay. Where a live load added a version while a slice ran (engines that cannot hold writers off), `backfill --rerun` for those records\' windows closes the backfilled one');
    }
    return [];
  };
}
