import type { Row } from '../../dialects/types';
import { NULL_CURSOR_KEY, type Window, parseWindowKey, withoutOverlaps } from '../backfill/windows';
import { formatTableRef } from '../config/tableRef';
import { assertionError, preconditionError, usageError } from '../errors';
import type { Phase } from '../lifecycle/phases';
import type { TableState, ValidationRecord } from '../ledger/reads';
import { type VerifySpec, dayTotalsSql, verifySpec, windowCheckSql, windowSampleSql } from '../plan/verify';
import type { Step, Unit } from '../plan/types';
import { scd2TableSteps } from '../plan/scd2';
import { agreeingWindow, dayIndex, dayOf, dayStart, readDayTotals, totalsByWindow } from '../verify/dayTotals';
import { legacyDaysSql } from '../plan/tableContext';
import { hardDeleteFlag } from '../dlt/hardDelete';
import { type SampleRow, type WindowResult, describeFailures, readWindowCheck, sumsJson } from '../verify/outcome';
import { type TableReport, type VerifyReport, formatMarkdown, verifiedText } from '../verify/report';
import { blastRadius } from '../lifecycle/dependents';
import { describeRule } from '../verify/normalize';
import { formatTolerance } from '../verify/settings';
import { type MonthRange, monthRange, rangeEnd } from './monthRange';
import { checkWritable, writeOutput } from './outputFile';
import { type CommandOptions, type Session, withSession } from './session';
import { readRows } from '../exec/read';
import { wholeNumber } from '../config/wholeNumber';
import { count } from '../plural';
import { type MarkFacts, fingerprintOf, readRunOperators, readWriterRuns, stateFacts } from '../lifecycle/approval';
import type { TableConfig } from '../config/types';
import type { TableContext } from '../plan/tableContext';
import { readStaging } from './staging';
import { legacyRowsOutsideChunksSql, slicedByKey } from '../plan/windowPredicate';

export interface VerifyOptions extends CommandOptions {
  month?: string;
  from?: string;
  to?: string;
  /** Show up to this many differing rows per failing window (0: none); text as typed after --sample is accepted. */
  sample?: number | string;
  /** Write the change note for stakeholders to this file. */
  markdown?: string;
  /** Receives the report before the verdict (so it is shown even when verification fails). */
  onReport?: (report: VerifyReport) => void;
  /** Record, once every window passes, that this run's operator approves the validated state (lifecycle/approval.ts). */
  approve?: boolean;
  /** With approve: the approver ran the backfill too; allowed, and recorded as a self-approval. */
  selfApprove?: boolean;
  /** Compare legacy with the staging table (strategy: staging) instead of the target, before promote. */
  against?: 'target' | 'staging';
}

const VERIFIABLE: readonly Phase[] = ['stitched', 'backfilling', 'backfilled', 'cutover'];

/**
 * migrate verify: per window, is every legacy row in the target with the
 * same values? A fast pass sums row checksums per day on both sides; only
 * windows whose totals differ are joined row by row, and their differing rows
 * sampled. Each window's validation mark in the ledger is rewritten (a failure
 * removes it, so cutover refuses), and the command fails if any window does.
 */
export async function runVerify(options: VerifyOptions): Promise<VerifyReport> {
  const range = monthRange(options, 'e.g. migrate verify --month 2024-03, or no range for every window');
  const sample = wholeNumber(options.sample ?? 0) ?? -1;
  if (sample < 0) throw usageError('BAD_FLAG', `--sample ${options.sample} is not a whole number ≥ 0`, 'e.g. --sample 5');
  if (options.markdown) checkWritable(options.markdown, '--markdown');
  if (options.approve && range) throw usageError('BAD_FLAG', '--approve approves the whole table: verify every window', 'drop --month/--from/--to');
  if (options.selfApprove && !options.approve) throw usageError('BAD_FLAG', '--self-approve goes with --approve', 'migrate verify --approve --self-approve');
  return withSession('verify', options, {}, async (s) => {
    const tables: TableReport[] = [];
    const units: Unit[] = [];
    for (const configured of s.tables) {
      const { ctx, state } = await verifiedSide(s, configured, options.against ?? 'target');
      const table = ctx.table;
      if (!VERIFIABLE.includes(state.phase)) {
        throw preconditionError('WRONG_PHASE', `${table.id} is "${state.phase}": verify compares legacy with the target between stitch and retire`, state.phase === 'new' ? 'run migrate stitch and backfill first' : 'legacy is archived; verify before retire');
      }
      const spec = verifySpec(ctx);
      const windows = chooseWindows(state.slices.map((x) => x.windowKey), range);
      // Who ran the backfills behind the marks, known before the long read: a self-approval is refused first.
      const operators = await backfillOperators(s, table.id, state);
      if (options.approve && operators.includes(s.run.operator) && !options.selfApprove) {
        throw preconditionError(
          'SELF_APPROVAL',
          `${table.id}: ${s.run.operator} ran the backfill, so cannot also approve it`,
          'a reviewer other than the operator runs migrate verify --approve (the operator is THESEUS_OPERATOR, or the OS user); --self-approve allows it and records it as such',
        );
      }
      const approval = options.approve ? { operators, selfApproved: operators.includes(s.run.operator) } : undefined;
      if (options.dryRun) {
        units.push(...dryRunUnits(s, spec, windows, sample));
        if (ctx.alignment.scd2) units.push({ title: `${table.id}: scd2 current versions`, atomic: false, steps: scd2TableSteps(ctx) });
        if (approval) {
          const step = s.ledger.approvalRecordStep(table.id, { ...approval, fingerprint: () => 'fingerprint of the marks this run records', checksums: '[]' });
          units.push({ title: `${table.id}: approve`, atomic: true, steps: [step] });
        }
        continue;
      }
      const verified = await verifyTable(s, spec, state, windows, range, sample);
      const report: TableReport = {
        ...verified,
        usedBy: await blastRadius(s, ctx),
        operators,
        ...(approval && verified.ok ? { approval: { approver: s.run.operator, selfApproved: approval.selfApproved, approvedAt: new Date().toISOString() } } : {}),
      };
      tables.push(report);
      units.push(marksUnit(s, spec, report), { title: `${table.id}: verdict`, atomic: false, steps: [...scd2TableSteps(ctx), verdictStep(s, spec, report)] });
      // Only reached when the verdict passed: a failing verification approves nothing.
      // The marks this run leaves alone (a week inside a verified month) are part of the approved state as they are.
      if (approval) units.push(approvalUnit(s, report, { ...approval, windowKeys: state.slices.map((x) => x.windowKey), marks: await s.reads.validations(table.id) }));
    }
    const report: VerifyReport = {
      runId: s.run.runId,
      operator: s.run.operator,
      checkedAt: new Date().toISOString(),
      toolVersion: s.run.toolVersion,
      dialect: s.dialect.name,
      tables,
      ok: tables.every((t) => t.ok),
    };
    if (!options.dryRun) {
      if (options.markdown) writeOutput(options.markdown, formatMarkdown(report), '--markdown');
      options.onReport?.(report);
    }
    await s.execute(units);
    return report;
  });
}

/**
 * What verify compares legacy with: the target, or (--against staging) the staging table, under the staging's ledger
 * id, so its marks and approval are the staged state's (plan/staging.ts).
 */
async function verifiedSide(s: Session, table: TableConfig, against: 'target' | 'staging'): Promise<{ ctx: TableContext; state: TableState }> {
  const ctx = await s.context(table, { quiet: true });
  if (against === 'target') return { ctx, state: await s.state(table) };
  const staging = await readStaging(s, ctx);
  if (!staging.existing || !staging.state.slices.length) {
    throw preconditionError('NOTHING_STAGED', `${table.id}: nothing is staged to verify (no staging table ${formatTableRef(staging.ctx.target.ref)}, or no window staged)`, `stage first: migrate backfill --all with tables.${table.id}.strategy: staging (or --strategy staging)`);
  }
  return { ctx: staging.ctx, state: staging.state };
}

/**
 * The ledger's windows to verify: those in the range, without overlaps (a
 * period backfilled by weeks and again by months is verified once, by the
 * larger windows).
 */
function chooseWindows(keys: string[], range: MonthRange | undefined): Window[] {
  const parsed = keys.map(parseWindowKey).filter((w): w is Window => w !== undefined);
  const end = range && rangeEnd(range);
  return withoutOverlaps(parsed.filter((w) => (w.start && w.end ? !range || (w.end > range.from && w.start < end!) : !range)));
}

/** `step` says what is being read, for the error when the engine rejects it (e.g. a `columns.<c>.expr`). */
async function query(s: Session, sql: string, step: string): Promise<Row[]> {
  s.options.trace?.(sql);
  return readRows(s.conn, sql, step);
}

async function verifyTable(s: Session, spec: VerifySpec, state: TableState, windows: Window[], range: MonthRange | undefined, sample: number): Promise<TableReport> {
  const id = spec.ctx.table.id;
  if (slicedByKey(spec.ctx, windows)) return tableReport(spec, state, windows, ...(await verifyChunks(s, spec, windows, sample)));
  s.log(`${id}: checksums per day over legacy and target (one pass each)…`);
  const legacyDays = readDayTotals(spec, await query(s, dayTotalsSql(spec, 'legacy'), `${id}: verify: checksums per day over legacy`));
  const targetDays = readDayTotals(spec, await query(s, dayTotalsSql(spec, 'target'), `${id}: verify: checksums per day over the target`));
  const index = dayIndex(windows);
  const end = range && rangeEnd(range);
  const inRange = (day: number | null) => !range || (day !== null && dayStart(day) >= range.from && dayStart(day) < end!);
  const legacy = totalsByWindow(spec, legacyDays, index, inRange);
  // Every legacy row per window, before de-duplication: the versions a later one superseded are counted apart,
  // and so, in the same pass, are the rows carrying dlt's hard-delete flag (the backfill leaves them out).
  const hardDelete = hardDeleteFlag(spec.ctx);
  const allRows = new Map<string, number>();
  const deletedRows = new Map<string, number>();
  for (const r of await query(s, legacyDaysSql(spec.ctx, { deleted: true }), `${id}: verify: legacy rows per day, before de-duplication`)) {
    const key = index.get(dayOf(r));
    if (key === undefined) continue;
    allRows.set(key, (allRows.get(key) ?? 0) + Number(r.row_count ?? 0));
    if (hardDelete) deletedRows.set(key, (deletedRows.get(key) ?? 0) + Number(r.deleted_count ?? 0));
  }
  const target = totalsByWindow(spec, targetDays, index, () => false);
  const results: WindowResult[] = [];
  for (const w of windows) {
    const agreed = agreeingWindow(spec, w.key, legacy.windows.get(w.key), target.windows.get(w.key));
    if (agreed) {
      results.push(agreed);
      continue;
    }
    s.log(`${id} ${w.key}: totals differ; joining the window row by row…`);
    const [row] = await query(s, windowCheckSql(spec, w, true), `${id} ${w.key}: verify: join the window row by row`);
    const result = readWindowCheck(spec, w.key, row ?? {}, legacy.windows.get(w.key)?.nullKeyRows ?? 0);
    if (sample > 0 && (result.failures.length || (result.extraKeys ?? 0) > 0)) result.samples = await samples(s, spec, w, sample);
    results.push(result);
  }
  for (const r of results) {
    r.legacyRowsAll = allRows.get(r.window) ?? 0;
    if (hardDelete) r.deletedRows = deletedRows.get(r.window) ?? 0;
    r.supersededRows = Math.max(0, r.legacyRowsAll - r.legacyRows - r.nullKeyRows - (r.deletedRows ?? 0));
  }
  const outside = [...legacy.outside].map(([month, rows]) => ({ month, rows })).sort((a, b) => a.month.localeCompare(b.month));
  return tableReport(spec, state, windows, results, outside);
}

/**
 * slice: key: each chunk joined row by row (there are no days to total a fast pass by), and legacy's keyed rows that
 * lie in no chunk counted, reported as outside every window.
 */
async function verifyChunks(s: Session, spec: VerifySpec, windows: Window[], sample: number): Promise<[WindowResult[], TableReport['outside']]> {
  const id = spec.ctx.table.id;
  const results: WindowResult[] = [];
  for (const w of windows) {
    s.log(`${id} ${w.key}: joining the chunk row by row…`);
    const [row] = await query(s, windowCheckSql(spec, w, true), `${id} ${w.key}: verify: join the chunk row by row`);
    const result = readWindowCheck(spec, w.key, row ?? {}, 0);
    if (sample > 0 && (result.failures.length || (result.extraKeys ?? 0) > 0)) result.samples = await samples(s, spec, w, sample);
    result.legacyRowsAll = result.legacyRows;
    result.supersededRows = 0;
    results.push(result);
  }
  const [counted] = await query(s, outsideChunksSql(spec, windows), `${id}: verify: legacy's keyed rows in no chunk`);
  const rows = Number(counted?.legacy_rows ?? 0);
  return [results, rows ? [{ month: 'no chunk', rows }] : []];
}

/** Legacy's keyed rows in none of the windows' chunks: the count verify reports as outside every window. */
const outsideChunksSql = (spec: VerifySpec, windows: Window[]) => legacyRowsOutsideChunksSql(spec.ctx, windows.filter((w) => w.chunk).map((w) => w.chunk!));

function tableReport(spec: VerifySpec, state: TableState, windows: Window[], results: WindowResult[], outside: TableReport['outside']): TableReport {
  const id = spec.ctx.table.id;
  return {
    table: id,
    legacy: formatTableRef(spec.ctx.table.legacy),
    target: formatTableRef(spec.ctx.table.target),
    view: formatTableRef(spec.ctx.table.view),
    phase: state.phase,
    hardDelete: hardDeleteFlag(spec.ctx)?.column.target.name,
    compared: spec.compared.map((c) => `${c.column.target.name} (${describeRule(c.rule)})`),
    excluded: spec.excluded,
    metrics: spec.metrics.map((m) => m.column.target.name),
    tolerance: formatTolerance(spec.tolerance),
    windows: results,
    outside,
    // The backfill runs that wrote the verified windows.
    backfillRuns: [...new Set(state.slices.filter((x) => x.runId && windows.some((w) => w.key === x.windowKey)).map((x) => x.runId!))],
    ok: outside.length === 0 && results.every((r) => r.failures.length === 0),
  };
}

/** Up to `limit` differing rows of a window, then the target's rows legacy lacks, side by side. */
async function samples(s: Session, spec: VerifySpec, window: Window, limit: number): Promise<SampleRow[]> {
  const sql = windowSampleSql(spec, window, limit);
  const keyOf = (r: Row, prefix: string) => spec.ctx.alignment.key.map((_, i) => String(r[`${prefix}${i}`])).join(', ');
  const names = spec.compared.map((c) => c.column.target.name);
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const rows: SampleRow[] = (await query(s, sql.differing, `${spec.ctx.table.id} ${window.key}: verify: sample the differing rows`)).map((r) => {
    const missing = r.difference === 'missing';
    return {
      key: keyOf(r, '_v_k'),
      difference: missing ? 'missing' : r.difference === 'newer_in_target' ? 'newer_in_target' : 'changed',
      columns: names
        .map((column, i) => ({ column, i }))
        .filter(({ i }) => missing || text(r[`l_c${i}`]) !== text(r[`t_c${i}`]))
        .map(({ column, i }) => ({ column, legacy: text(r[`l_r${i}`]), target: missing ? null : text(r[`t_r${i}`]) })),
    };
  });
  if (rows.length < limit) {
    for (const r of (await query(s, sql.extra, `${spec.ctx.table.id} ${window.key}: verify: sample the target's rows legacy lacks`)).slice(0, limit - rows.length)) {
      rows.push({ key: keyOf(r, '_v_k'), difference: 'extra', columns: names.map((column, i) => ({ column, legacy: null, target: text(r[`t_r${i}`]) })) });
    }
  }
  return rows;
}

/**
 * The backfill operators behind the table's rows: the run log's operator of every run that changed rows of it (the
 * slices' history), not only of the run each slices row names (a rerun that changed nothing keeps an earlier one's).
 */
async function backfillOperators(s: Session, tableId: string, state: TableState): Promise<string[]> {
  const history = (await s.reads.dataCheck(tableId, 'which runs changed rows (the slices history)', (conn) => readWriterRuns(conn, s.dialect, s.config.stateSchema, tableId))) ?? [];
  const runs = [...new Set([...history, ...state.slices.map((x) => x.runId).filter((r): r is string => r !== null)])];
  if (!runs.length) return [];
  const byRun = (await s.reads.dataCheck(tableId, 'who ran the backfills (the run log)', (conn) => readRunOperators(conn, s.dialect, s.config.stateSchema))) ?? new Map<string, string>();
  return [...new Set(runs.map((r) => byRun.get(r)).filter((o): o is string => Boolean(o)))].sort();
}

/** verify --approve: the approval of the marks this run records, fingerprinted as cutover will read them back. */
function approvalUnit(s: Session, report: TableReport, approval: { operators: string[]; selfApproved: boolean; windowKeys: string[]; marks: ValidationRecord[] }): Unit {
  const rewritten = (runId: string): MarkFacts[] =>
    report.windows.map((r) => ({ windowKey: r.window, status: r.failures.length ? 'failed' : 'validated', legacyChecksum: r.legacyChecksum, targetChecksum: r.targetChecksum, runId }));
  const marks = (runId: string) => stateFacts(approval.windowKeys, approval.marks, rewritten(runId));
  const checksums = JSON.stringify(report.windows.map((r) => ({ window: r.window, legacy: r.legacyChecksum, target: r.targetChecksum })));
  return {
    title: `${report.table}: approve`,
    atomic: true,
    steps: [s.ledger.approvalRecordStep(report.table, { ...approval, fingerprint: (runId) => fingerprintOf(marks(runId)), checksums })],
    report: () => [`${report.table}: approved by ${s.run.operator}${approval.selfApproved ? ' (self-approved: the same operator ran the backfill)' : ''}; cutover may proceed until a window is validated again or backfilled`],
  };
}

/** Rewrites each verified window's mark in the ledger (one transaction, committed before the verdict, so a failure's marks stay). */
function marksUnit(s: Session, spec: VerifySpec, report: TableReport): Unit {
  const id = spec.ctx.table.id;
  const steps: Step[] = [];
  for (const r of report.windows) {
    const window = parseWindowKey(r.window)!;
    const known = {
      v_status: r.failures.length ? 'failed' : 'validated',
      v_legacy_rows: r.legacyRows,
      v_matched_rows: r.matchedRows,
      v_legacy_checksum: r.legacyChecksum,
      v_target_checksum: r.targetChecksum,
      v_sums: sumsJson(r),
      v_failures: r.failures.length ? JSON.stringify(r.failures) : null,
    };
    steps.push(s.ledger.validationClearStep(id, window), s.ledger.validationRecordStep(id, window, known));
  }
  return { title: `${id}: record the verification`, atomic: true, steps };
}

function verdictStep(s: Session, spec: VerifySpec, report: TableReport | undefined): Step {
  const id = spec.ctx.table.id;
  return {
    intent: `Assert: no window of ${id} failed this verification, and no legacy row is outside every window`,
    expect: 'failed_windows = 0',
    kind: 'query',
    sql: s.ledger.failedValidationsSql(id),
    check: (rows) => {
      if (!report) return [];
      const failed = report.windows.filter((r) => r.failures.length);
      const parts = failed.slice(0, 6).map((r) => `${r.window} (${describeFailures(r)})`);
      if (failed.length > 6) parts.push(`… ${failed.length - 6} more`);
      if (report.outside.length) parts.push(`legacy rows outside every window: ${report.outside.map((o) => `${o.month} (${count(o.rows, 'row')})`).join(', ')}`);
      if (Number(rows[0]?.failed_windows ?? 0) !== failed.length) parts.push('the ledger disagrees with this run about which windows failed');
      if (parts.length) {
        // Rows without a cursor are repaired by their own slice, not by a month.
        const nullCursor = report.outside.some((o) => o.month === NULL_CURSOR_KEY) || failed.some((r) => r.window === NULL_CURSOR_KEY);
        const onlyNullCursor = nullCursor && failed.every((r) => r.window === NULL_CURSOR_KEY) && report.outside.every((o) => o.month === NULL_CURSOR_KEY);
        const chunked = failed.some((r) => parseWindowKey(r.window)?.chunk) || report.outside.some((o) => o.month === 'no chunk');
        const hint = chunked
          ? 'their validation marks were removed, so cutover refuses; migrate verify --sample 5 shows the rows, and backfill --chunk N repairs a chunk (backfill --all fills a chunk the ledger lacks)'
          : onlyNullCursor
          ? 'the rows left are the ones without a cursor: migrate backfill --all --include-null-cursor loads and validates them as a slice of their own'
          : `their validation marks were removed, so cutover refuses; migrate verify --month YYYY-MM --sample 5 shows the rows, and backfill --month YYYY-MM repairs a window${nullCursor ? ' (rows without a cursor: backfill --all --include-null-cursor)' : ''}`;
        throw assertionError('VERIFY_FAILED', `${id}: ${count(failed.length, 'window')} failed verification: ${parts.join('; ')}`, hint);
      }
      return [`${id}: ${count(report.windows.length, 'window')} verified: ${verifiedText(report)}`];
    },
  };
}

/** One window's verify, for --dry-run: its row-by-row join (said by `join`), the samples, its new mark. */
function windowDryRunUnit(s: Session, spec: VerifySpec, w: Window, sample: number, join: string): Unit {
  const id = spec.ctx.table.id;
  const steps: Step[] = [{ intent: `${join} row by row (missing, changed, extra, duplicate keys)`, kind: 'query', sql: windowCheckSql(spec, w, true) }];
  if (sample > 0) {
    const sql = windowSampleSql(spec, w, sample);
    steps.push({ intent: `Only if ${w.key} fails: up to ${sample} differing rows, side by side`, kind: 'query', sql: sql.differing }, { intent: "…and the target's rows legacy lacks", kind: 'query', sql: sql.extra });
  }
  steps.push(s.ledger.validationClearStep(id, w), s.ledger.validationRecordStep(id, w));
  return { title: `${id} ${w.key}: verify`, atomic: false, steps };
}

/** What verify would run over key chunks, for --dry-run: each chunk joined row by row, then legacy's keyed rows in no chunk. */
function dryRunChunkUnits(s: Session, spec: VerifySpec, windows: Window[], sample: number): Unit[] {
  const units = windows.map((w) => windowDryRunUnit(s, spec, w, sample, `Join ${w.key}`));
  units.push({ title: `${spec.ctx.table.id}: verdict`, atomic: false, steps: [{ intent: "Legacy's keyed rows in no chunk", kind: 'query', sql: outsideChunksSql(spec, windows) }, verdictStep(s, spec, undefined)] });
  return units;
}

/** What verify would run, for --dry-run: the fast pass, and per window the join it runs where the totals differ. */
function dryRunUnits(s: Session, spec: VerifySpec, windows: Window[], sample: number): Unit[] {
  const id = spec.ctx.table.id;
  if (slicedByKey(spec.ctx, windows)) return dryRunChunkUnits(s, spec, windows, sample);
  const units: Unit[] = [
    {
      title: `${id}: checksums per day, one pass over each table`,
      atomic: false,
      steps: [
        { intent: `Per UTC day: legacy's rows, rows without a key, ${spec.ctx.dialect.rowSetChecksum?.describe ?? 'sums of row checksums'} (${count(spec.compared.length, 'column')})`, kind: 'query', sql: dayTotalsSql(spec, 'legacy') },
        { intent: "The same over the target's rows", kind: 'query', sql: dayTotalsSql(spec, 'target') },
      ],
    },
  ];
  for (const w of windows) units.push(windowDryRunUnit(s, spec, w, sample, `Only if ${w.key}'s totals differ: join it`));
  units.push({ title: `${id}: verdict`, atomic: false, steps: [verdictStep(s, spec, undefined)] });
  return units;
}
