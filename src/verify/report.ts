import type { Phase } from '../lifecycle/phases';
import { type SampleRow, type WindowResult, describeFailures, describeMetric } from './outcome';
import { count } from '../plural';

/** What verify found for one table: the JSON `--json` prints, and what the table and the change note render. */
export interface TableReport {
  table: string;
  legacy: string;
  target: string;
  view: string;
  phase: Phase;
  /** The target column carrying dlt's hard-delete flag, where legacy feeds it (its flagged rows are not backfilled). */
  hardDelete?: string;
  /** Compared columns with their normalization, e.g. "total (decimal, 2 places)". */
  compared: string[];
  /** Target columns left out of the checksums. */
  excluded: string[];
  metrics: string[];
  tolerance: string;
  windows: WindowResult[];
  /** Legacy rows in no verified window, per month. */
  outside: Array<{ month: string; rows: number }>;
  /** The backfill runs that wrote the verified windows. */
  backfillRuns: string[];
  /** What else uses legacy, the target or the view (views, foreign keys), one line each: who the change reaches. */
  usedBy?: string[];
  /** Who ran the backfill runs behind the marks (the run log's operators). */
  operators?: string[];
  /** verify --approve: the reviewer's approval this run records (only when every window passed). */
  approval?: { approver: string; selfApproved: boolean; approvedAt: string };
  ok: boolean;
}

export interface VerifyReport {
  runId: string;
  operator: string;
  checkedAt: string;
  toolVersion: string;
  dialect: string;
  tables: TableReport[];
  ok: boolean;
}

/** An ISO instant as the change note writes it: `2026-12-03 06:09:44 UTC`. */
const utcText = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

const fmt = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'));

function resultText(r: WindowResult): string {
  if (r.failures.length) return `FAILED: ${describeFailures(r)}`;
  const notes: string[] = [];
  if (r.extraKeys) notes.push(`${fmt(r.extraKeys)} extra (live)`);
  if (r.newerInTarget) notes.push(`${fmt(r.newerInTarget)} newer in target`);
  for (const m of r.metrics.filter((x) => x.live !== undefined)) notes.push(describeMetric(m, r));
  if (r.nullKeyRows) notes.push(`${count(r.nullKeyRows, 'legacy row')} without a key`);
  return notes.length ? `ok (${notes.join(', ')})` : 'ok';
}

/**
 * What a passing verification proves, in words that stay true: superseded versions of a key and legacy rows
 * without a key are not in the target, and are named.
 */
export function verifiedText(t: TableReport): string {
  const sum = (f: (w: WindowResult) => number | undefined) => t.windows.reduce((a, w) => a + (f(w) ?? 0), 0);
  const superseded = sum((w) => w.supersededRows);
  const unkeyed = sum((w) => w.nullKeyRows);
  const deleted = sum((w) => w.deletedRows);
  const plural = (n: number, one: string, many: string) => `${fmt(n)} ${n === 1 ? one : many}`;
  let base = superseded ? `every legacy key is in the target with its latest version's values (${plural(superseded, 'older version', 'older versions')} superseded)` : `every ${unkeyed ? 'keyed ' : ''}legacy row is in the target with the same values`;
  if (deleted) base += `, but the ${plural(deleted, 'row', 'rows')} carrying dlt's delete flag (${t.hardDelete}), which dlt's merge would delete: not backfilled`;
  return unkeyed ? `${base}; ${plural(unkeyed, 'legacy row has', 'legacy rows have')} no key and ${unkeyed === 1 ? 'is' : 'are'} not in the target (cutover refuses while they exist, unless --allow-unkeyed)` : base;
}

function table(header: string[], rows: string[][], alignRight: boolean[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (alignRight[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** How a sampled row's difference reads. */
export const DIFFERENCE_TEXT: Record<SampleRow['difference'], string> = { missing: 'missing', changed: 'changed', newer_in_target: 'newer in target (live update)', extra: 'extra (live)' };

function sampleLines(samples: SampleRow[] | undefined, indent: string): string[] {
  const lines: string[] = [];
  for (const s of samples ?? []) {
    lines.push(`${indent}key ${s.key}: ${DIFFERENCE_TEXT[s.difference]}`);
    for (const c of s.columns) lines.push(`${indent}  ${c.column.padEnd(16)} legacy ${c.legacy ?? 'NULL'}  |  target ${s.difference === 'missing' ? '(no row)' : (c.target ?? 'NULL')}`);
  }
  return lines;
}

/** The terminal rendering: one line per window, then the differing rows sampled, then the verdict. */
export function formatReport(report: VerifyReport): string {
  const out: string[] = [];
  for (const t of report.tables) {
    out.push(`${t.table}: ${t.legacy} → ${t.target} (${count(t.windows.length, 'window')}, ${count(t.compared.length, 'column')} compared${t.excluded.length ? `; left out: ${t.excluded.join(', ')}` : ''})`);
    const metricHeads = t.metrics.flatMap((m) => [`${m} legacy`, `${m} target`]);
    const rows = t.windows.map((r) => [
      r.window,
      fmt(r.legacyRowsAll ?? r.legacyRows),
      fmt(r.legacyRows),
      fmt(r.supersededRows),
      ...(t.hardDelete ? [fmt(r.deletedRows)] : []),
      fmt(r.targetRows),
      fmt(r.missingKeys),
      fmt(r.extraKeys),
      fmt(r.changedRows),
      `${fmt(r.targetDuplicateKeys)}/${fmt(r.viewDuplicateKeys)}`,
      ...r.metrics.flatMap((m) => [m.legacy, m.target]),
      resultText(r),
    ]);
    const header = ['window', 'legacy', 'keys', 'superseded', ...(t.hardDelete ? ['deleted'] : []), 'target', 'missing', 'extra', 'changed', 'dup t/v', ...metricHeads, 'result'];
    out.push(...table(header, rows, header.map((_, i) => i > 0 && i < header.length - 1)).map((l) => `  ${l}`));
    for (const r of t.windows.filter((w) => w.samples?.length)) {
      out.push(`  ${r.window}: differing rows`);
      out.push(...sampleLines(r.samples, '    '));
    }
    for (const o of t.outside) out.push(`  FAILED: ${count(o.rows, 'legacy row')} of ${o.month} in no backfilled window`);
    const failed = t.windows.filter((w) => w.failures.length).length;
    out.push(t.ok ? `  verified: ${verifiedText(t)}` : `  NOT verified: ${count(failed, 'window')} failed${t.outside.length ? `, ${count(t.outside.length, 'month')} outside every window` : ''}`);
  }
  return out.join('\n');
}

const md = (text: string) => text.replace(/\|/g, '\\|');

/**
 * The change note for stakeholders (the runbook's "communicate changed
 * history"): what moved, which period, per month the counts and sums before
 * and after, the validation result, run ids, who ran it.
 */
export function formatMarkdown(report: VerifyReport): string {
  const out: string[] = [];
  const names = report.tables.map((t) => t.table).join(', ');
  out.push(`# Change note: history of ${names} moved to the dlt tables`, '');
  out.push(`Verified ${utcText(report.checkedAt)} by **${md(report.operator)}** (Theseus ${report.toolVersion}, ${report.dialect}, verify run \`${report.runId}\`).`, '');
  out.push(`**Result: ${report.ok ? 'PASSED, every legacy row is in the new table with the same values' : 'FAILED, see below'}.**`, '');
  for (const t of report.tables) {
    const timed = t.windows.filter((w) => /^\d/.test(w.window));
    const period = timed.length ? `${timed[0].window} to ${timed[timed.length - 1].window}` : 'none';
    out.push(`## ${md(t.table)}`, '');
    out.push(`- **What moved:** \`${md(t.legacy)}\` into \`${md(t.target)}\`; readers use the view \`${md(t.view)}\` (phase: ${t.phase}).`);
    out.push(`- **Period:** ${period} (${count(timed.length, 'window')}${timed.length < t.windows.length ? ', plus the rows without a date' : ''}).`);
    const total = (f: (w: WindowResult) => number) => t.windows.reduce((a, w) => a + f(w), 0);
    const legacyRows = total((w) => w.legacyRowsAll ?? w.legacyRows);
    const keys = total((w) => w.legacyRows);
    const superseded = total((w) => w.supersededRows ?? 0);
    const deleted = total((w) => w.deletedRows ?? 0);
    const unkeyed = total((w) => w.nullKeyRows);
    const matched = total((w) => w.matchedRows);
    const apart = [
      ...(superseded ? [`${fmt(superseded)} superseded by a later version of their key`] : []),
      ...(deleted ? [`${fmt(deleted)} carrying dlt's delete flag (${md(t.hardDelete ?? '')}), which dlt's merge would delete`] : []),
      ...(unkeyed ? [`${fmt(unkeyed)} without a key`] : []),
    ];
    out.push(
      legacyRows === keys
        ? `- **Rows:** ${count(legacyRows, 'legacy row')}, ${fmt(matched)} of them in the new table.`
        : `- **Rows:** ${count(legacyRows, 'legacy row')}: ${count(keys, 'distinct key')} (${apart.join(', ')}); ${fmt(matched)} of the keys in the new table.`,
    );
    out.push(`- **Validation:** ${t.ok ? 'passed' : 'FAILED'}. Compared per row: ${t.compared.map((c) => md(c.replace(/ \(text\)$/, ''))).join(', ')}${t.excluded.length ? `; not compared: ${t.excluded.map(md).join(', ')}` : ''}.${t.metrics.length ? ` Sums reconciled: ${t.metrics.map(md).join(', ')} (tolerance ${t.tolerance}).` : ''}`);
    out.push(`- **Backfill runs:** ${t.backfillRuns.length ? t.backfillRuns.map((r) => `\`${r}\``).join(', ') : 'none recorded'}.`);
    if (t.operators) out.push(`- **Operator:** ${t.operators.length ? t.operators.map(md).join(', ') : 'none recorded'} (ran the backfill).`);
    out.push(
      `- **Reviewer:** ${
        t.approval
          ? `${md(t.approval.approver)}, approved ${utcText(t.approval.approvedAt)}${t.approval.selfApproved ? ' (self-approved: the same person ran the backfill)' : ''}`
          : 'not approved yet (a reviewer runs migrate verify --approve)'
      }.`,
    );
    if (t.usedBy) out.push(`- **Downstream:** ${t.usedBy.length ? t.usedBy.map(md).join('; ') : 'nothing but the view uses legacy, the target or the view (no other view, materialized view or foreign key)'}.`);
    out.push('');
    const metricHeads = t.metrics.flatMap((m) => [`${md(m)} before`, `${md(m)} after`]);
    out.push(`| Month | Rows before | Rows after | ${metricHeads.map((h) => `${h} | `).join('')}Result |`);
    out.push(`|---|---:|---:|${metricHeads.map(() => '---:|').join('')}---|`);
    for (const w of t.windows) {
      const cells = [w.window, fmt(w.legacyRows), fmt(w.targetRows ?? w.matchedRows), ...w.metrics.flatMap((m) => [m.legacy, m.target]), md(resultText(w))];
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
    out.push('"Rows after" counts every row of the month in the new table, including rows the live pipeline loaded since (reported as extra).', '');
    if (t.outside.length) {
      out.push('**Legacy rows outside every migrated month:**', '');
      for (const o of t.outside) out.push(`- ${o.month}: ${count(o.rows, 'row')}`);
      out.push('');
    }
    const sampled = t.windows.filter((w) => w.samples?.length);
    if (sampled.length) {
      out.push('### Differing rows (sample)', '');
      for (const w of sampled) {
        out.push(`${w.window}:`, '', '| Key | Difference | Column | Legacy | New table |', '|---|---|---|---|---|');
        for (const s of w.samples!) for (const c of s.columns) out.push(`| ${md(s.key)} | ${DIFFERENCE_TEXT[s.difference]} | ${md(c.column)} | ${md(c.legacy ?? 'NULL')} | ${md(s.difference === 'missing' ? '(no row)' : (c.target ?? 'NULL'))} |`);
        out.push('');
      }
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
