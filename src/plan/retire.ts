import type { TableConfig, TableRef } from '../config/types';
import type { Dialect } from '../../dialects/types';
import { renderStatement } from '../sql/template';
import type { LedgerWriter } from '../ledger/writes';
import { type TableContext, renderFor } from './tableContext';
import { ddlUnitMode, type Unit } from './types';

/** The name legacy is renamed to on retire: same schema, dated, so it is easy to find and to rename back. */
export function archiveNameFor(legacy: TableRef, day: Date): string {
  const stamp = day.toISOString().slice(0, 10).replace(/-/g, '');
  return `${legacy.name}__retired_${stamp}`;
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
      { intent: `Drop the archived legacy table ${archiveName}`, kind: 'exec', sql: renderStatement(dialect.templates, 'drop_table', { table: archive }) },
      ledger.setPhaseStep(table.id, 'retired', null),
    ],
  };
}
