import type { AlignedColumn } from '../align/alignment';
import type { TableContext } from '../plan/tableContext';

/**
 * dlt's `hard_delete` column hint: in a merge load, a key whose latest row
 * carries the flag is deleted from the table, and that row is not inserted
 * (dlt/destinations/sql_jobs.py, SqlMergeFollowupJob._get_hard_delete_col_and_cond,
 * applied after de-duplication by primary key in gen_select_from_dedup_sql).
 * The flag is `col = TRUE` where the column's data_type is bool, and
 * `col IS NOT NULL` for any other type (a deleted_at timestamp). A legacy
 * row so flagged is what dlt's merge would delete: the backfill must not
 * bring it (nor an older version of its key) into the target.
 */
export interface HardDeleteFlag {
  /** The target column with the hint, as the alignment feeds it from legacy. */
  column: AlignedColumn;
  /** Flagged by `= TRUE` (a bool column) rather than by `IS NOT NULL`. */
  bool: boolean;
  /** The row is not flagged (dlt's inverted condition), for an expression holding the column's aligned value. */
  kept(expr: string): string;
  /** The row is flagged, for the same expression. */
  flagged(expr: string): string;
}

/** Boolean types as engines report them (MySQL/MariaDB's BOOLEAN is tinyint(1)). */
const BOOL_TYPE = /^(bool|boolean|tinyint\s*\(\s*1\s*\))(\s|$)/i;

/**
 * The flag of a table dlt merges with a hard_delete column fed from legacy;
 * undefined where there is none (no hint, not a merge, or no legacy column
 * feeds it: then no legacy row can carry the flag, and nothing is filtered).
 */
export function hardDeleteFlag(ctx: Pick<TableContext, 'dlt' | 'alignment'>): HardDeleteFlag | undefined {
  const hints = ctx.dlt.hints;
  // Only dlt's merge job reads the hint; an append or replace load keeps flagged rows as they are.
  if (!hints?.hardDelete || hints.writeDisposition !== 'merge') return undefined;
  const name = hints.hardDelete.toLowerCase();
  const column = ctx.alignment.columns.find((c) => c.role === 'mapped' && c.target.name.toLowerCase() === name);
  if (!column) return undefined;
  // dlt decides by the stored schema's data_type; where it does not say, the target column's type does.
  const bool = hints.hardDeleteType !== undefined ? hints.hardDeleteType === 'bool' : BOOL_TYPE.test(column.target.type.trim());
  return {
    column,
    bool,
    kept: (e) => (bool ? `(${e} IS NULL OR ${e} = FALSE)` : `${e} IS NULL`),
    flagged: (e) => (bool ? `${e} = TRUE` : `${e} IS NOT NULL`),
  };
}
