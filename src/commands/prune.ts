import { usageError } from '../errors';
import { preimageTableRef, preimagesQ } from '../plan/preimages';
import type { Unit } from '../plan/types';
import { renderStatement } from '../sql/template';
import { count } from '../plural';
import { stateTimestampLiteral } from '../ledger/stateTime';
import { type CommandOptions, withSession } from './session';

export interface PruneOptions extends CommandOptions {
  /** YYYY-MM-DD: the pre-images of runs started before this day (UTC) go. */
  before: string;
  /** Also drop the audit log's statements of those runs (statement_log); the runs stay in the run log. */
  auditLog?: boolean;
}

/**
 * migrate prune --before DATE: drops the pre-images of backfill runs started before DATE, which can then no longer
 * be undone (the ledger says so). Pre-images grow with every run that replaces rows; this keeps them bounded.
 */
export async function runPrune(options: PruneOptions): Promise<void> {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(options.before ?? '');
  const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== options.before) {
    throw usageError('BAD_DATE', `--before ${String(options.before)} is not a day`, 'write it like 2026-11-01: the pre-images of runs started before that day (UTC) are dropped');
  }
  await withSession('prune', options, {}, async (s) => {
    const units: Unit[] = [];
    const before = stateTimestampLiteral(s.dialect, day);
    const dropped = new Map<string, number>();
    for (const table of s.tables) {
      await s.state(table);
      // Names only: legacy may be retired by now, and pruning needs neither it nor the target.
      const ctx = { table, dialect: s.dialect, q: { state: s.dialect.quoteIdent(s.config.stateSchema) } };
      if (!(await s.reads.introspect(preimageTableRef(ctx, s.config.stateSchema)))) continue;
      units.push({
        title: `${table.id}: prune pre-images of runs started before ${options.before}`,
        atomic: true,
        steps: [
          { intent: `Drop the pre-images of runs started before ${options.before}`, kind: 'exec', captureChanged: 'pruned_rows', sql: renderStatement(s.dialect.templates, 'preimage_prune', { preimages: preimagesQ(ctx), state: ctx.q.state, before }) },
          s.ledger.undoPrunedStep(table.id, before),
        ],
        report: (vars) => {
          dropped.set(table.id, Number(vars.get('pruned_rows') ?? 0));
          return [];
        },
      });
    }
    if (options.auditLog && (await s.reads.introspect({ schema: s.config.stateSchema, name: 'statement_log' }))) {
      units.push({
        title: `audit log: prune the statements of runs started before ${options.before}`,
        atomic: true,
        steps: [{ intent: `Drop the statements of runs started before ${options.before} (the runs stay in the run log)`, kind: 'exec', captureChanged: 'pruned_statements', sql: renderStatement(s.dialect.templates, 'statement_log_prune', { state: s.dialect.quoteIdent(s.config.stateSchema), before }) }],
        report: (vars) => [`audit log: ${count(Number(vars.get('pruned_statements') ?? 0), 'statement row')} of runs started before ${options.before} dropped`],
      });
    }
    await s.execute(units);
    if (options.dryRun) return;
    for (const table of s.tables) {
      const n = dropped.get(table.id);
      s.log(n === undefined ? `${table.id}: no pre-images kept` : `${table.id}: ${count(n, 'pre-image row')} of runs started before ${options.before} dropped; those runs can no longer be undone`);
    }
  });
}
