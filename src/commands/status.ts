import { uncoveredMonths } from '../backfill/profile';
import { NULL_CURSOR_KEY, parseWindowKey, type Window } from '../backfill/windows';
import { formatTableRef } from '../config/tableRef';
import type { DltTableHints } from '../dlt/tableHints';
import { readDistribution, type Distribution } from '../lifecycle/assertions';
import type { Phase } from '../lifecycle/phases';
import { renderStatement } from '../sql/template';
import { flagLiterals } from '../plan/tableContext';
import { readRows } from '../exec/read';
import { type CommandOptions, type Session, withSession } from './session';
import { runHoldsItsLock } from '../exec/operatorLock';
import { type SliceRecord, undoable } from '../ledger/reads';
import type { TableConfig } from '../config/types';
import type { Connection } from '../../dialects/types';
import { count } from '../plural';
import { stagingId, stagingRef } from '../plan/staging';
import { promotedKeys } from './staging';

export interface TableStatus {
  table: string;
  phase: Phase;
  legacy: string;
  archive: string | null;
  /** A retire --drop recorded its intent to drop the archive and has not recorded it dropped (running, or interrupted). */
  archiveDropping: boolean;
  /** Zero-copy snapshots retire took of legacy (Snowflake), kept until retire --drop --drop-snapshot. */
  snapshots: string[];
  windows: { total: number; done: number; pending: number; running: number; failed: number };
  /** Pending windows the ledger holds no row for yet: months of legacy's rows no backfill has registered (and the NULL-cursor slice). */
  unregistered: string[];
  nullCursorRows: number | null;
  nullKeyRows: number | null;
  /** Legacy rows carrying dlt's hard-delete flag, which the backfill leaves out (null: no flag applies, or legacy is gone). */
  deletedRows: number | null;
  view: string;
  /** null: there is no view; undefined: not read (planned from a catalog, which holds no rows). */
  distribution: Distribution | null | undefined;
  failures: Array<{ window: string; error: string | null }>;
  /**
   * Slices the ledger has as running whose run is gone (killed, or stopped by
   * a second signal): not counted as running but as pending, since the next
   * run takes them over.
   */
  interrupted: Array<{ window: string; run: string | null }>;
  /** The dlt dataset beside the target: the dlt schema holding it and what it says about the table (while legacy is there). */
  dlt: { schemaName: string | null; loadsTable: boolean; hints: DltTableHints | null } | null;
  /** Backfill runs `migrate undo --run` can take back (their changes kept as pre-images), newest first; undefined offline. */
  undoable: UndoableRun[] | undefined;
  /** The staging table (strategy: staging) and, per staged window, whether promote moved it into the target; null: none. */
  staging: StagingStatus | null;
}

export interface StagingStatus {
  table: string;
  exists: boolean;
  /** Staged windows (done in the staging's ledger) and how many of them the target's ledger has as done. */
  staged: number;
  promoted: number;
  windows: Array<{ window: string; status: string; promoted: boolean }>;
}

export interface UndoableRun {
  run: string;
  windows: string[];
  rowsInserted: number;
  rowsUpdated: number;
}

/** migrate status: each table's phase, slices and the view's source distribution. Read-only. */
export async function runStatus(options: CommandOptions): Promise<TableStatus[]> {
  return withSession('status', options, { readOnly: true, offlineCapable: true }, async (s) => {
    const result: TableStatus[] = [];
    for (const table of s.tables) result.push(await tableStatus(s, table));
    return result;
  });
}

export async function tableStatus(s: Session, table: TableConfig): Promise<TableStatus> {
  const state = await s.state(table);
  const slices = state.slices;
  const count = (status: string) => slices.filter((x) => x.status === status).length;
  let total = slices.length;
  let nullCursorRows: number | null = null;
  let nullKeyRows: number | null = null;
  let deletedRows: number | null = null;
  let dlt: TableStatus['dlt'] = null;
  let unregistered: string[] = [];
  // Once legacy is retired (or gone, as after an interrupted retire) there is nothing left to profile; the ledger alone tells the story.
  const legacyPresent = state.phase !== 'retired' && (await s.reads.introspect(table.legacy)) !== undefined;
  if (legacyPresent) {
    const ctx = await s.context(table, { quiet: true });
    const profile = await s.legacyProfile(ctx);
    dlt = { schemaName: ctx.dlt.schemaName ?? null, loadsTable: ctx.dlt.loads !== undefined, hints: ctx.dlt.hints ?? null };
    // Months no ledger window covers are pending; the ledger's own windows may be months, weeks or days.
    const recorded = slices.map((x) => parseWindowKey(x.windowKey)).filter((w): w is Window => w !== undefined);
    const uncovered = uncoveredMonths(profile, recorded);
    const keys = new Set([...uncovered.map((w) => w.key), ...slices.map((x) => x.windowKey)]);
    if (profile.nullCursorRows > 0) keys.add(NULL_CURSOR_KEY);
    total = keys.size;
    const recordedKeys = new Set(slices.map((x) => x.windowKey));
    unregistered = [...keys].filter((k) => !recordedKeys.has(k)).sort();
    nullCursorRows = profile.nullCursorRows;
    nullKeyRows = profile.nullKeyRows;
    deletedRows = profile.deletedRows ?? null;
  }
  const done = count('done');
  const interrupted = await interruptedSlices(s, table.id, slices);
  const running = count('running') - interrupted.length;
  const failed = count('failed');
  return {
    table: table.id,
    phase: state.phase,
    legacy: formatTableRef(table.legacy) + (legacyPresent || state.phase === 'retired' ? '' : ' (missing)'),
    // Before retire, an archive name is only the one an interrupted retire chose.
    archive: state.phase === 'retired' ? state.archiveName : null,
    archiveDropping: state.phase === 'retired' && state.archiveDropRequested,
    snapshots: state.snapshots,
    windows: { total, done, running, failed, pending: total - done - running - failed },
    unregistered,
    nullCursorRows,
    nullKeyRows,
    deletedRows,
    view: formatTableRef(table.view),
    distribution: await viewDistribution(s, table),
    failures: slices.filter((x) => x.status === 'failed').map((x) => ({ window: x.windowKey, error: x.error })),
    interrupted,
    dlt,
    // After retire nothing can be undone (undo refuses: UNDO_AFTER_RETIRE); after cutover, once rolled back.
    undoable: state.phase === 'retired' ? [] : await undoableRuns(s, table.id),
    staging: await stagingStatus(s, table, slices),
  };
}

/** The staging's windows beside the table's: staged (done in the staging's ledger), and promoted (done in the table's). */
async function stagingStatus(s: Session, table: TableConfig, slices: SliceRecord[]): Promise<StagingStatus | null> {
  const ref = stagingRef(table, s.config.stateSchema, s.dialect);
  const exists = (await s.reads.introspect(ref)) !== undefined;
  const staged = await s.reads.tableState(stagingId(table.id));
  if (!exists && !staged.slices.length && table.strategy !== 'staging') return null;
  const promoted = promotedKeys(staged.slices, slices);
  const windows = staged.slices.map((x) => ({ window: x.windowKey, status: x.status, promoted: promoted.has(x.windowKey) }));
  return { table: formatTableRef(ref), exists, staged: windows.filter((w) => w.status === 'done').length, promoted: windows.filter((w) => w.promoted).length, windows };
}

/** The runs whose changes can still be undone, newest first, from the ledger's undo_windows. */
async function undoableRuns(s: Session, tableId: string): Promise<UndoableRun[] | undefined> {
  const records = await s.reads.undoWindows(tableId);
  const byRun = new Map<string, UndoableRun>();
  for (const r of records.filter(undoable)) {
    const run = byRun.get(r.runId) ?? { run: r.runId, windows: [], rowsInserted: 0, rowsUpdated: 0 };
    run.windows.push(r.windowKey);
    run.rowsInserted += r.rowsInserted;
    run.rowsUpdated += r.rowsUpdated;
    byRun.set(r.runId, run);
  }
  return [...byRun.values()].reverse();
}

/** Running slices whose run no longer holds its run lock (asked without locking anything). */
async function interruptedSlices(s: Session, table: string, slices: SliceRecord[]): Promise<TableStatus['interrupted']> {
  const alive = new Map<string, boolean>();
  const result: TableStatus['interrupted'] = [];
  for (const slice of slices.filter((x) => x.status === 'running')) {
    const run = slice.runId;
    // From a catalog no lock can be asked about: a running slice is shown as running.
    if (run !== null && !alive.has(run)) alive.set(run, (await s.reads.dataCheck(table, 'whether the runs the ledger has as running are alive', (conn) => runHoldsItsLock(conn, s.dialect, s.config.stateSchema, run))) ?? true);
    if (run === null || !alive.get(run)) result.push({ window: slice.windowKey, run });
  }
  return result;
}

async function viewDistribution(s: Session, table: TableConfig): Promise<Distribution | null | undefined> {
  if (!(await s.reads.introspect(table.view))) return null;
  const sql = renderStatement(s.dialect.templates, 'view_distribution', {
    view: s.dialect.qualify(table.view),
    source_flag: flagLiterals(s.dialect).source_flag,
  });
  const read = (conn: Connection) => readRows(conn, sql, `${table.id}: status: the view's source distribution`).then(readDistribution);
  return s.reads.dataCheck(table.id, "the view's source distribution", read);
}

/** The human form of `migrate status`. */
export function formatStatus(statuses: TableStatus[]): string {
  const header = ['table', 'phase', 'windows done/total', 'pending', 'failed', 'running', 'view distribution', 'legacy'];
  const rows = statuses.map((t) => [
    t.table,
    t.phase,
    `${t.windows.done}/${t.windows.total}`,
    String(t.windows.pending),
    String(t.windows.failed),
    String(t.windows.running),
    t.distribution === undefined ? '(not read offline)' : t.distribution === null ? '(no view)' : t.distribution.length === 0 ? '(empty)' : t.distribution.map((d) => `${d.flag} ${d.rows.toLocaleString('en-US')}`).join(', '),
    t.archive ? (t.archiveDropping ? `archive ${t.archive} being dropped (if interrupted: retire --drop again)` : `archived as ${t.archive}`) : t.phase === 'retired' ? 'dropped' : t.legacy,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const t of statuses) {
    if (t.nullCursorRows) out.push(`${t.table}: ${count(t.nullCursorRows, 'legacy row has', 'legacy rows have')} a NULL cursor`);
    if (t.deletedRows) out.push(`${t.table}: ${count(t.deletedRows, 'legacy row carries', 'legacy rows carry')} dlt's delete flag (${t.dlt?.hints?.hardDelete}): not backfilled, as dlt's merge would delete ${t.deletedRows === 1 ? 'it' : 'them'}`);
    if (t.nullKeyRows) out.push(`${t.table}: ${count(t.nullKeyRows, 'legacy row has', 'legacy rows have')} a NULL key`);
    for (const snapshot of t.snapshots) out.push(`${t.table}: legacy's zero-copy snapshot ${snapshot} is kept (retire --drop --drop-snapshot drops it)`);
    for (const f of t.failures) out.push(`${t.table} ${f.window} failed: ${f.error ?? 'unknown error'}`);
    if (t.staging) out.push(stagingLine(t.table, t.staging));
    for (const u of t.undoable ?? []) {
      const what = `${count(u.windows.length, 'window')}: ${count(u.rowsInserted, 'row')} inserted, ${count(u.rowsUpdated, 'row')} replaced`;
      out.push(
        t.phase === 'cutover'
          ? `${t.table}: run ${u.run} can be undone once the cutover is rolled back (${what}): migrate rollback, then migrate undo --run ${u.run}`
          : `${t.table}: run ${u.run} can be undone (${what}): migrate undo --run ${u.run}`,
      );
    }
    for (const [run, windows] of groupByRun(t.interrupted)) {
      out.push(`${t.table} ${windows.join(', ')}: interrupted (run ${run ?? 'unknown'} ended without finishing ${windows.length === 1 ? 'it' : 'them'}); resumes on the next run`);
    }
  }
  return out.join('\n');
}

/** One line: where the staging stands, naming the windows waiting for promote. */
function stagingLine(table: string, st: StagingStatus): string {
  if (!st.exists) return `${table}: staging ${st.table} is not made yet (strategy: staging; migrate backfill makes and fills it)`;
  const waiting = st.windows.filter((w) => w.status === 'done' && !w.promoted).map((w) => w.window);
  const other = st.windows.filter((w) => w.status !== 'done').map((w) => `${w.window} ${w.status}`);
  const parts = [`${count(st.staged, 'window')} staged, ${st.promoted} promoted`];
  if (waiting.length) parts.push(`waiting for migrate promote: ${waiting.slice(0, 6).join(', ')}${waiting.length > 6 ? `, … (${waiting.length})` : ''}`);
  if (other.length) parts.push(`not staged yet: ${other.slice(0, 6).join(', ')}${other.length > 6 ? ', …' : ''}`);
  return `${table}: staging ${st.table}: ${parts.join('; ')}`;
}

function groupByRun(slices: TableStatus['interrupted']): Map<string | null, string[]> {
  const byRun = new Map<string | null, string[]>();
  for (const x of slices) byRun.set(x.run, [...(byRun.get(x.run) ?? []), x.window]);
  return byRun;
}
