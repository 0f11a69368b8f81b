import type { Dependent } from '../../dialects/types';
import type { TableRef } from '../config/types';
import { formatTableRef } from '../config/tableRef';
import { preconditionError } from '../errors';
import type { Session } from '../commands/session';
import type { TableContext } from '../plan/tableContext';
import { count } from '../plural';

const describe = (d: Dependent) => `${d.kind} ${d.name}${d.owner ? ` (owner ${d.owner})` : ''}`;

/**
 * The objects other than Theseus's own view that read legacy or reference it (Dialect.dependents): renaming legacy
 * breaks them on engines that bind names when a view is queried (MySQL/MariaDB, DuckDB), and leaves them reading the
 * archive on PostgreSQL. From a catalog the engine cannot be asked; the session names that check as not made.
 */
export async function legacyDependents(s: Session, ctx: TableContext): Promise<Dependent[]> {
  return dependentsOf(s, ctx, ctx.legacy.ref, 'legacy');
}

/** What uses `ref` besides Theseus's own view; [] where the engine cannot say or (from a catalog) was not asked. */
async function dependentsOf(s: Session, ctx: TableContext, ref: TableRef, what: string): Promise<Dependent[]> {
  const { dependents } = s.dialect;
  if (!dependents || ref.schema === undefined) return [];
  const schema = ref.schema;
  const found = (await s.reads.dataCheck(ctx.table.id, `objects other than the view that use ${what} (views, foreign keys)`, (conn) => dependents(conn, { schema, name: ref.name }))) ?? [];
  const ours = formatTableRef(ctx.existingView?.info.ref ?? ctx.table.view).toLowerCase();
  return found.filter((d) => d.name.toLowerCase() !== ours);
}

/**
 * The blast radius of a change to a table's objects, for the plans a DBA reviews (backfill --plan, cutover's
 * SQL): each view, materialized view or foreign key that uses legacy, the target or the unified view, one line each
 * (without the table id, which the caller puts where it fits).
 */
export async function blastRadius(s: Session, ctx: TableContext): Promise<string[]> {
  const lines: string[] = [];
  const view = ctx.existingView?.info.ref;
  const touched: Array<{ ref: TableRef; what: string }> = [
    { ref: ctx.legacy.ref, what: 'legacy' },
    { ref: ctx.target.ref, what: 'the target' },
    ...(view ? [{ ref: view, what: 'the view' }] : []),
  ];
  for (const { ref, what } of touched) {
    for (const d of await dependentsOf(s, ctx, ref, what)) {
      lines.push(`${describe(d)} ${d.kind === 'foreign key' ? 'references' : 'reads'} ${what} ${formatTableRef(ref)}`);
    }
  }
  return lines;
}

/**
 * retire renames legacy: refused while anything else reads it (exit 3, LEGACY_IN_USE, naming each object), unless
 * --force with a reason, which the run log keeps (it is part of the arguments) and the warning repeats.
 */
export function refuseLegacyInUse(ctx: TableContext, found: Dependent[], forceReason: string | undefined, warn: (line: string) => void): void {
  if (!found.length) return;
  const legacy = formatTableRef(ctx.legacy.ref);
  const list = found.map(describe).join(', ');
  if (forceReason) {
    warn(`${ctx.table.id}: retiring legacy ${legacy} although ${count(found.length, 'object reads', 'objects read')} it: ${list} (--force), reason: ${forceReason}`);
    return;
  }
  throw preconditionError(
    'LEGACY_IN_USE',
    `${ctx.table.id}: ${count(found.length, 'object other than the view reads', 'objects other than the view read')} legacy ${legacy}: ${list}; retiring renames legacy, which breaks ${found.length === 1 ? 'it' : 'them'} (or leaves ${found.length === 1 ? 'it' : 'them'} reading the archive)`,
    `point ${found.length === 1 ? 'it' : 'them'} at the view ${formatTableRef(ctx.table.view)} or the target first, or retire --force --reason "…" (the reason is kept in the run log)`,
  );
}
