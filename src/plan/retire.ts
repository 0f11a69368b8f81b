import type { RetireSettings, TableConfig, TableRef } from '../config/types';
import { fitIdentifier } from '../../dialects/identifierLength';
import type { Dialect } from '../../dialects/types';
import { renderStatement } from '../sql/template';
import type { LedgerWriter } from '../ledger/writes';
import { type TableContext, renderFor } from './tableContext';
import { ddlUnitMode, type Step, type Unit } from './types';

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

/** The snapshot retire takes of legacy where the engine clones: named after the archive, so the two are found together. */
export function snapshotNameFor(archiveName: string, dialect: Pick<Dialect, 'maxIdentifierLength'>): string {
  return fitIdentifier(archiveName, '__snapshot', dialect.maxIdentifierLength);
}

/** retire: rename legacy to its archive name (reversible by renaming it back). */
export function planFinishArchive(table: TableConfig, ledger: LedgerWriter, archiveName: string): Unit {
  return { title: `${table.id}: finish an interrupted retire`, atomic: false, steps: [ledger.setPhaseStep(table.id, 'retired', archiveName)] };
}


export function planArchive(ctx: TableContext, ledger: LedgerWriter, archiveName: string, settings: RetireSettings = {}): Unit {
  return {
    title: `${ctx.table.id}: retire (archive legacy)`,
    ...ddlUnitMode(ctx.dialect),
    steps: [
      // Recorded first: where the rename is not transactional, a retire interrupted after it can be finished by running it again.
      ledger.setPhaseStep(ctx.table.id, 'cutover', archiveName),
      ...snapshotSteps(ctx, ledger, archiveName, settings),
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

/** Where the engine clones: a zero-copy snapshot of legacy, recorded in the ledger, before the rename. */
function snapshotSteps(ctx: TableContext, ledger: LedgerWriter, archiveName: string, settings: RetireSettings): Step[] {
  if (!ctx.dialect.capabilities.cloneSnapshot) return [];
  const snapshot = snapshotNameFor(archiveName, ctx.dialect);
  const days = settings.snapshotDays;
  return [
    {
      intent: `Take a zero-copy snapshot of legacy as ${snapshot} (${days ? `it expires after ${days} days` : 'kept by retire --drop unless --drop-snapshot'})`,
      kind: 'exec',
      sql: renderFor(ctx, 'clone_snapshot', {
        snapshot: ctx.dialect.qualify({ schema: ctx.legacy.ref.schema, name: snapshot }),
        table: ctx.q.legacy,
        expires_after_days: days === undefined ? undefined : String(days),
      }),
    },
    ledger.snapshotRecordStep(ctx.table.id, snapshot),
  ];
}

/**
 * retire --drop: drop the archived copy (where there still is one), and with --drop-snapshot the snapshots retire
 * took too. Only reachable after the operator typed legacy's name.
 */
export function planDropArchive(table: TableConfig, dialect: Dialect, ledger: LedgerWriter, archiveName: string | null, snapshots: string[] = []): Unit {
  const drop = (name: string, op = 'drop_table') => renderStatement(dialect.templates, op, { table: dialect.qualify({ schema: table.legacy.schema, name }) });
  const steps: Step[] = [];
  if (archiveName) {
    // Recorded first: where the DROP commits on its own, a run killed after it is finished by running it again.
    steps.push(ledger.dropIntentStep(table.id, archiveName), { intent: `Drop the archived legacy table ${archiveName}`, kind: 'exec', sql: drop(archiveName) }, ledger.setPhaseStep(table.id, 'retired', null));
  }
  for (const snapshot of snapshots) {
    steps.push({ intent: `Drop the snapshot ${snapshot} (--drop-snapshot)`, kind: 'exec', sql: drop(snapshot, 'drop_snapshot') }, ledger.snapshotForgetStep(table.id, snapshot));
  }
  return { title: `${table.id}: retire --drop`, ...ddlUnitMode(dialect), steps };
}

/** retire --drop, run again after a drop that was interrupted once the archive was gone: only the ledger is left to update. */
export function planFinishDrop(table: TableConfig, ledger: LedgerWriter): Unit {
  return { title: `${table.id}: finish an interrupted retire --drop`, atomic: false, steps: [ledger.setPhaseStep(table.id, 'retired', null)] };
}
