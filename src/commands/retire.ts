import { formatTableRef } from '../config/tableRef';
import { preconditionError, usageError } from '../errors';
import { archiveNameFor, planArchive, planDropArchive, planFinishArchive, planFinishDrop, snapshotNameFor } from '../plan/retire';
import type { Unit } from '../plan/types';
import { type CommandOptions, withSession } from './session';
import { forceReason } from './forceReason';
import { legacyDependents, refuseLegacyInUse } from '../lifecycle/dependents';

export interface RetireOptions extends CommandOptions {
  drop?: boolean;
  /** With --drop: the legacy table's name as configured, typed out as a confirmation. */
  confirm?: string;
  /** With --drop: drop the snapshots retire took of legacy too (engines that clone: Snowflake). */
  dropSnapshot?: boolean;
  /** Retire although objects other than the view read legacy; needs `reason`, which the run log keeps. */
  force?: boolean;
  reason?: string;
}

/**
 * migrate retire: after cutover, rename legacy to a dated archive name.
 * retire --drop --confirm <legacy>: afterwards, drop that archive.
 */
export async function runRetire(options: RetireOptions): Promise<void> {
  const reason = forceReason(options, 'why retiring legacy while other objects use it is acceptable', 'the finance views move to the unified view next sprint, TICKET-9');
  if (options.force && options.drop) throw usageError('BAD_FLAG', '--force goes with retire, not with retire --drop', 'retire --drop drops the archive retire already made');
  await withSession('retire', options, {}, async (s) => {
    if (options.drop && s.tables.length !== 1) {
      throw usageError('DROP_ONE_TABLE', 'retire --drop works on one table at a time', 'add --table NAME');
    }
    if (options.dropSnapshot && !options.drop) throw usageError('BAD_FLAG', '--drop-snapshot goes with --drop', 'retire --drop --drop-snapshot --confirm <legacy>');
    if (options.dropSnapshot && !s.dialect.capabilities.cloneSnapshot) {
      throw usageError('BAD_FLAG', `--drop-snapshot: retire takes no snapshot on ${s.dialect.name}`, 'drop --drop-snapshot');
    }
    const days = s.config.retire.snapshotDays;
    if (days !== undefined && !s.dialect.capabilities.snapshotExpiry) {
      throw usageError(
        'CONFIG_INVALID',
        `retire.snapshot_days: ${s.dialect.name} ${s.dialect.capabilities.cloneSnapshot ? 'cannot give the snapshot retire takes a lifetime' : 'takes no snapshot at retire'}`,
        s.dialect.capabilities.cloneSnapshot ? 'leave it out, and drop the snapshot with retire --drop --drop-snapshot when it is no longer needed' : 'leave retire.snapshot_days out',
      );
    }
    const units: Unit[] = [];
    const done: string[] = [];
    // What a forced retire leaves broken: said when it runs, and in the SQL a DBA reviews (--dry-run).
    const warnings: string[] = [];
    for (const table of s.tables) {
      const state = await s.state(table);
      const legacyName = formatTableRef(table.legacy);
      if (options.drop) {
        if (options.confirm !== legacyName) {
          throw usageError('DROP_NOT_CONFIRMED', `retire --drop needs --confirm ${legacyName} (the legacy table, typed out)`, 'nothing was dropped');
        }
        s.requirePhase(table.id, state.phase, ['retired'], 'drop the archive');
        const snapshots = options.dropSnapshot ? state.snapshots : [];
        const kept = !options.dropSnapshot && state.snapshots.length ? `; the snapshot ${state.snapshots.join(', ')} is kept (retire --drop --drop-snapshot drops it)` : '';
        if (!state.archiveName && snapshots.length) {
          units.push(planDropArchive(table, s.dialect, s.ledger, null, snapshots));
          done.push(`${table.id}: the snapshot ${snapshots.join(', ')} was dropped`);
          continue;
        }
        if (!state.archiveName) throw preconditionError('NOTHING_TO_DROP', `${table.id}: the archived legacy table was already dropped${kept}`);
        const archive = { schema: table.legacy.schema, name: state.archiveName };
        if (await s.reads.introspect(archive, table.id)) {
          units.push(planDropArchive(table, s.dialect, s.ledger, state.archiveName, snapshots));
          done.push(`${table.id}: the archived legacy table ${state.archiveName} was dropped${snapshots.length ? `, and the snapshot ${snapshots.join(', ')}` : kept}`);
        } else if (state.archiveDropRequested) {
          // A retire --drop was stopped after its DROP and before its ledger write (DDL commits on its own on MySQL/MariaDB).
          units.push(planFinishDrop(table, s.ledger));
          done.push(`${table.id}: the archived legacy table ${state.archiveName} had already been dropped; the interrupted retire --drop is finished`);
        } else {
          throw preconditionError(
            'ARCHIVE_MISSING',
            `${table.id}: legacy was archived as ${formatTableRef(archive)}, but no such table exists, and no retire --drop was started`,
            `if it was renamed, rename it back to ${state.archiveName} and run this again; nothing was dropped`,
          );
        }
        continue;
      }
      s.requirePhase(table.id, state.phase, ['cutover'], 'retire');
      if (state.archiveName && (await s.reads.introspect({ schema: table.legacy.schema, name: state.archiveName }, table.id)) && !(await s.reads.introspect(table.legacy))) {
        // A retire was interrupted after its rename (possible where DDL is not transactional): only the phase is left to record.
        units.push(planFinishArchive(table, s.ledger, state.archiveName));
        done.push(`${table.id}: legacy ${legacyName} had already been renamed to ${state.archiveName}; the interrupted retire is finished`);
        continue;
      }
      const ctx = await s.context(table);
      refuseLegacyInUse(ctx, await legacyDependents(s, ctx), reason, (line) => {
        if (!options.dryRun) s.warn(line);
        warnings.push(line);
      });
      const archiveName = archiveNameFor(ctx.legacy.ref, s.run.startedAt, s.dialect);
      if (await s.reads.introspect({ schema: ctx.legacy.ref.schema, name: archiveName }, table.id)) {
        throw preconditionError('ARCHIVE_EXISTS', `${table.id}: a table named ${archiveName} already exists`, 'rename or drop it, or retire on another day');
      }
      units.push(planArchive(ctx, s.ledger, archiveName, s.config.retire));
      const snapshot = s.dialect.capabilities.cloneSnapshot ? `, after a zero-copy snapshot ${snapshotNameFor(archiveName, s.dialect)}` : '';
      done.push(`${table.id}: legacy ${legacyName} was renamed to ${archiveName}${snapshot} (rename it back to undo)`);
    }
    await s.execute(units, { warnings });
    if (!options.dryRun) done.forEach((line) => s.log(line));
  });
}
