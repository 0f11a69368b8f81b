import type { Dialect } from '../../dialects/types';
import { laidOut } from '../sql/layout';
import type { Plan, Step, Unit } from './types';

/**
 * Turns a plan into the SQL text a DBA reads: each unit headed by a comment,
 * each statement preceded by its intent, terminated by `;`. The executor writes
 * this same text for what it runs, so --dry-run output and an apply's --out
 * file are comparable byte for byte.
 */
export function renderPlanHeader(plan: Plan, toolVersion: string): string {
  const lines = [
    `-- Theseus ${toolVersion}: migrate ${plan.command} (${plan.dialect})`,
    '-- Statements in BEGIN … COMMIT run as one transaction. A statement with $n parameters is',
    '-- bound at run time with the values named above it. What migrate runs after a failed unit',
    '-- (its error bound) is shown after the unit, commented out.',
  ];
  for (const warning of plan.warnings) lines.push(`-- WARNING: ${warning}`);
  return lines.join('\n') + '\n';
}

export function renderUnit(unit: Unit, dialect: Dialect): string {
  const out: string[] = ['', `-- == ${unit.title} ==`];
  if (unit.nonAtomic) out.push(`-- ${unit.nonAtomic}`);
  if (unit.atomic) out.push('BEGIN;');
  unit.steps.forEach((step) => out.push(renderStep(step, dialect)));
  if (unit.atomic) out.push('COMMIT;');
  if (unit.onFailure?.length) {
    out.push(`-- If this unit fails: ${unit.atomic ? 'ROLLBACK, then ' : ''}record the failure:`);
    for (const step of unit.onFailure) out.push(...renderStep(step, dialect).split('\n').map((l) => (l.startsWith('--') ? l : `--   ${l}`)));
  }
  return out.join('\n') + '\n';
}

export function renderFinish(plan: Plan, dialect: Dialect): string {
  return renderFinishStep(plan.finish?.('succeeded', null), dialect);
}

/** The run log's closing statement as it runs (the executor's, with the outcome it had). */
export function renderFinishStep(step: Step | undefined, dialect: Dialect): string {
  return step ? `\n-- == close the run log ==\n${renderStep(step, dialect)}\n` : '';
}

export function renderStep(step: Step, dialect: Dialect): string {
  const lines = [`-- ${step.intent}`];
  if (step.expect) lines.push(`-- expect: ${step.expect}`);
  if (step.binds?.length) {
    lines.push(`-- bound: ${step.binds.map((b, i) => `${dialect.placeholder(i + 1)} = ${b.name}`).join(', ')}`);
  }
  lines.push(`${statementText(step, dialect)};`);
  return lines.join('\n');
}

/** A step's statement as it is printed and as it is executed: its SQL with long lines laid out for reading. */
export function statementText(step: Step, dialect: Dialect): string {
  return laidOut(step.sql, dialect);
}

/** The whole plan in the order an uncontended apply runs it: units, each slice's claim and merge, the closing checks. */
export function renderPlan(plan: Plan, dialect: Dialect, toolVersion: string): string {
  const units = [...plan.units, ...(plan.jobs ?? []).flatMap((j) => [j.claim(j.planned), j.slice, ...(j.settle ? [j.settle] : [])]), ...(plan.after ?? [])].filter((u) => !u.contendedOnly);
  return renderPlanHeader(plan, toolVersion) + units.map((u) => renderUnit(u, dialect)).join('') + renderFinish(plan, dialect);
}
