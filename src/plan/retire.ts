import type { TableConfig, TableRef } from '../config/types';
import { fitIdentifier } from '../../dialects/identifierLength';
import type { Dialect } from '../../dialects/types';
import { renderStatement } from '../sql/template';
import type { LedgerWriter } from '../ledger/writes';
import { type TableContext, renderFor } from './tableContext';
import { ddlUnitMode, type Unit } from './types';

/**
 * The name legacy is renamed to on retire: same schema, dated, so it is easy
 * to find and to rename back. Where that is longer than the engine keeps, the
 * table's part is shortened and marked with a short hash, so the name recorded
 * is the name the engine creates.
 */
export function archiveNameFor(legacy: TableRef, day: Date, dialect: Pick<Dialect, 'maxIdentifierLength'>): string {
  const stamp = day.toISOString().slice(0, 10).replace(/-/g, '');
  return fitIdentifier(legacy.name, `__retired_${stamp}`, dialect.maxIdentifierLength);
}

/** retire: rename legacy to its archive name (reversible by renaming it back). */
export function planFinishArchive(table: TableConfig, ledger: LedgerWriter, archiveName: string): Unit {
  return { title: `${table.id}: finish an interrupted retire`, atomic: false, steps: [ledger.setPhaseStep(table.id, 'retired', archiveName)] };
}


export function planArchive(ctx: TableContext, ledger: LedgerWriter, archiveName: string): Unit {
  return {
    title: `${ctx.table.id}: retire (archive legacy)`,
    ...ddlUnitMode(ctx.dialect),
    steps: [
      // Recorded first: where the rename is not transactional, a retire interrupted after it can be finished by running it again.
      ledger.setPhaseStep(ctx.table.id, 'cutover', archiveName),
      {
        intent: `Rename legacy to ${archiveName} (rename it back to undo)`,
        kind: 'exec',
        sql: renderFor(ctx, 'rename_table', {
          table: ctx.q.legacy,
          new_name: ctx.dialect.quoteIdent(archiveName),
          new_qualified: ctx.dialect.qualify({ schema: ctx.legacy.ref.schema, name: archiveName }),
        }),
      },
      ledger.setPhaseStep(ctx.table.id, 'retired', archiveName),
    ],
  };
}

/** retire --drop: drop the archived copy. Only reachable after the archive exists and the operator typed its name. */
export function planDropArchive(table: TableConfig, dialect: Dialect, ledger: LedgerWriter, archiveName: string): Unit {
  const archive = dialect.qualify({ schema: table.legacy.schema, name: archiveName });
  return {
    title: `${table.id}: retire --drop`,
    ...ddlUnitMode(dialect),
    steps: [
      // Recorded first: where the DROP commits on its own, a run killed after it is finished by running it again.
      ledger.dropIntentStep(table.id, archiveName),
      { intent: `Drop the archived legacy table ${archiveName}`, kind: 'exec', sql: renderStatement(dialect.templates, 'drop_table', { table: archive }) },
      ledger.setPhaseStep(table.id, 'retired', null),
    ],
  };
}

/** retire --drop, run again after a drop that was interrupted once the archive was gone: only the ledger is left to update. */
export function planFinishDrop(table: TableConfig, ledger: LedgerWriter): Unit {
  return { title: `${table.id}: finish an interrupted retire --drop`, atomic: false, steps: [ledger.setPhaseStep(table.id, 'retired', null)] };
}
