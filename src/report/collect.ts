import { type TableStatus, tableStatus } from '../commands/status';
import { type CommandOptions, withSession } from '../commands/session';
import { type RunRecord, readRuns, runSeconds } from '../ledger/reads';
import { NULL_CURSOR_KEY } from '../backfill/windows';

/** A metric sum verify reconciled for a window, as the validation mark keeps it. */
export interface SumCheck {
  column: string;
  legacy: unknown;
  target: unknown;
}

/** One window as the report draws it. */
export interface ReportWindow {
  /** The ledger's window key (backfill/windows.ts; the NULL-cursor slice has a key of its own). */
  window: string;
  /** pending → done (merged) → validated (verify's mark); failed where the slice or its validation failed. */
  state: 'pending' | 'running' | 'done' | 'validated' | 'failed';
  legacyRows: number | null;
  /** Target rows the window's validation counted (null before it was validated). */
  targetRows: number | null;
  inserted: number | null;
  updated: number | null;
  /** The window's Definition of Done checks: row count and checksums equal, sums reconciled. */
  check: { status: 'validated' | 'failed'; checksumsEqual: boolean; sums: SumCheck[]; failures: string | null; checkedAt: string | null; run: string | null } | null;
  error: string | null;
}

export interface ReportTable {
  status: TableStatus;
  windows: ReportWindow[];
}

export interface ReportData {
  generatedAt: string;
  config: string;
  dialect: string;
  tables: ReportTable[];
  runs: Array<RunRecord & { seconds: number | null }>;
}

const parseJson = (text: string | null): unknown => {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
};

/** Reads what the report shows, read-only, from the ledger and the warehouse (the same reads status makes). */
export async function collectReport(options: CommandOptions): Promise<ReportData> {
  return withSession('report', options, { readOnly: true }, async (s) => {
    const tables: ReportTable[] = [];
    for (const table of s.tables) {
      const status = await tableStatus(s, table);
      const state = await s.state(table);
      const marks = new Map((await s.reads.validations(table.id)).map((v) => [v.windowKey, v]));
      const windows = state.slices.map((slice): ReportWindow => {
        const v = marks.get(slice.windowKey);
        const failed = slice.status === 'failed' || v?.status === 'failed';
        return {
          window: slice.windowKey,
          state: failed ? 'failed' : slice.status === 'done' && v?.status === 'validated' ? 'validated' : slice.status,
          legacyRows: v?.legacyRows ?? slice.legacyRows,
          targetRows: v?.targetRows ?? null,
          inserted: slice.rowsInserted,
          updated: slice.rowsUpdated,
          check: v
            ? { status: v.status, checksumsEqual: v.legacyChecksum !== null && v.legacyChecksum === v.targetChecksum, sums: (parseJson(v.sums) as SumCheck[] | null) ?? [], failures: v.failures, checkedAt: v.checkedAt, run: v.runId }
            : null,
          error: slice.error,
        };
      });
      // Months legacy holds that no backfill registered yet are pending too, in order among the rest.
      for (const key of status.unregistered) windows.push({ window: key, state: 'pending', legacyRows: null, targetRows: null, inserted: null, updated: null, check: null, error: null });
      windows.sort((a, b) => (windowOrder(a.window) < windowOrder(b.window) ? -1 : 1));
      tables.push({ status, windows });
    }
    const runs = (await readRuns(s.conn, s.dialect, s.config.stateSchema)).map((r) => ({ ...r, seconds: runSeconds(r) }));
    return { generatedAt: new Date().toISOString(), config: s.config.file, dialect: s.dialect.name, tables, runs };
  });
}

/** Windows in time order, the NULL-cursor slice last. */
const windowOrder = (w: string) => (w === NULL_CURSOR_KEY ? '\uffff' : w);
