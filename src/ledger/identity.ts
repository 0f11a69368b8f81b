import { formatTableRef } from '../config/tableRef';
import type { TableRef } from '../config/types';
import type { PlanningReads } from '../reads/planningReads';

/**
 * A table id's identity: the legacy and target tables it migrates. The ledger
 * is keyed by the id, and a state schema can be shared by several configs (on
 * MySQL/MariaDB the default `_migrate` is one database per server), so the
 * ledger records the tables of each id and a config naming other tables under
 * the same id is refused instead of reading another migration's progress.
 */
export interface TableIdentity {
  legacy: string;
  target: string;
}

/** `schema.table` as the engine stores it where the table exists (so `orders` and `public.orders` agree), else as written. */
export async function resolvedName(reads: Pick<PlanningReads, 'introspect'>, ref: TableRef): Promise<string> {
  const info = await reads.introspect(ref);
  return formatTableRef(info ? info.ref : ref);
}

/** Same table: names equal regardless of case, schemas too where both are known (an unqualified name means the default one). */
function sameTable(a: string, b: string): boolean {
  const [an, as] = splitName(a);
  const [bn, bs] = splitName(b);
  return an.toLowerCase() === bn.toLowerCase() && (as === undefined || bs === undefined || as.toLowerCase() === bs.toLowerCase());
}

function splitName(text: string): [string, string | undefined] {
  const dot = text.lastIndexOf('.');
  return dot < 0 ? [text, undefined] : [text.slice(dot + 1), text.slice(0, dot)];
}

export function sameIdentity(a: TableIdentity, b: TableIdentity): boolean {
  return sameTable(a.legacy, b.legacy) && sameTable(a.target, b.target);
}
