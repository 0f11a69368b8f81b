import type { Connection, Dialect } from '../../dialects/types';
import { asPhase, type Phase } from '../lifecycle/phases';
import { renderStatement } from '../sql/template';
import { introspectRelation, schemaExists } from '../reads/catalogSnapshot';

export type SliceStatus = 'pending' | 'running' | 'done' | 'failed';

export interface SliceRecord {
  windowKey: string;
  status: SliceStatus;
  legacyRows: number | null;
  rowsInserted: number | null;
  rowsUpdated: number | null;
  runId: string | null;
  error: string | null;
  /** As the engine wrote them (UTC); see parseLedgerTime. */
  startedAt: string | null;
  endedAt: string | null;
}

export interface TableState {
  phase: Phase;
  archiveName: string | null;
  /** retire --drop recorded its intent to drop archiveName (an interrupted drop, while archiveName is still set). */
  archiveDropRequested: boolean;
  /** Zero-copy snapshots retire took of legacy where the engine clones (Snowflake), kept until retire --drop --drop-snapshot. */
  snapshots: string[];
  slices: SliceRecord[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * Does the ledger hold this table yet? None before the state schema exists, and a ledger from an older version
 * lacks the tables added since (they are created by the next command that writes).
 */
export async function ledgerHas(conn: Connection, dialect: Dialect, stateSchema: string, table: string): Promise<boolean> {
  return (await schemaExists(dialect, conn, stateSchema)) && (await introspectRelation(dialect, conn, { schema: stateSchema, name: table })) !== undefined;
}

/**
 * Reads a table's phase and slices from the ledger. Planning-time reads, run
 * the same way in a dry run; a missing state schema means "not started".
 */
export async function readTableState(conn: Connection, dialect: Dialect, stateSchema: string, tableId: string): Promise<TableState> {
  if (!(await schemaExists(dialect, conn, stateSchema))) return { phase: 'new', archiveName: null, archiveDropRequested: false, snapshots: [], slices: [] };
  const values = { state: dialect.quoteIdent(stateSchema), p1: dialect.placeholder(1) };
  const phaseRows = await conn.query(renderStatement(dialect.templates, 'ledger_read_phase', values), [tableId]);
  const sliceRows = await conn.query(renderStatement(dialect.templates, 'ledger_read_slices', values), [tableId]);
  const archiveName = phaseRows[0]?.archive_name == null ? null : String(phaseRows[0].archive_name);
  return {
    phase: asPhase(phaseRows[0]?.phase),
    archiveName,
    archiveDropRequested: archiveName !== null && (await dropRequested(conn, dialect, stateSchema, tableId, archiveName)),
    snapshots: await snapshotsOf(conn, dialect, stateSchema, tableId),
    slices: sliceRows.map((r) => ({
      windowKey: String(r.window_key),
      status: String(r.status) as SliceStatus,
      legacyRows: num(r.legacy_rows),
      rowsInserted: num(r.rows_inserted),
      rowsUpdated: num(r.rows_updated),
      runId: r.run_id == null ? null : String(r.run_id),
      error: r.error == null ? null : String(r.error),
      startedAt: r.started_at == null ? null : String(r.started_at),
      endedAt: r.ended_at == null ? null : String(r.ended_at),
    })),
  };
}

/** The snapshots retire recorded for the table (none where the engine takes none, or in a ledger from before retire_snapshots). */
async function snapshotsOf(conn: Connection, dialect: Dialect, stateSchema: string, tableId: string): Promise<string[]> {
  if (!dialect.capabilities.cloneSnapshot || !(await introspectRelation(dialect, conn, { schema: stateSchema, name: 'retire_snapshots' }))) return [];
  const values = { state: dialect.quoteIdent(stateSchema), p1: dialect.placeholder(1) };
  return (await conn.query(renderStatement(dialect.templates, 'ledger_read_snapshots', values), [tableId])).map((r) => String(r.snapshot_name));
}

/** Did a retire --drop record its intent to drop this archive (none in a ledger from before archive_drops)? */
async function dropRequested(conn: Connection, dialect: Dialect, stateSchema: string, tableId: string, archiveName: string): Promise<boolean> {
  if (!(await introspectRelation(dialect, conn, { schema: stateSchema, name: 'archive_drops' }))) return false;
  const values = { state: dialect.quoteIdent(stateSchema), p1: dialect.placeholder(1), p2: dialect.placeholder(2) };
  return (await conn.query(renderStatement(dialect.templates, 'ledger_read_drop_intent', values), [tableId, archiveName])).length > 0;
}

/** The legacy and target tables the ledger has for a table id; undefined when it has none (or predates table_identity). */
export async function readTableIdentity(conn: Connection, dialect: Dialect, stateSchema: string, tableId: string): Promise<{ legacy: string; target: string } | undefined> {
  if (!(await ledgerHas(conn, dialect, stateSchema, 'table_identity'))) return undefined;
  const values = { state: dialect.quoteIdent(stateSchema), p1: dialect.placeholder(1) };
  const [row] = await conn.query(renderStatement(dialect.templates, 'ledger_read_identity', values), [tableId]);
  return row ? { legacy: String(row.legacy_table), target: String(row.target_table) } : undefined;
}

/** A ledger timestamp as any engine prints it ('2024-03-01 10:00:00.5+00', '…T…Z', or zoneless UTC) → epoch ms. */
export function parseLedgerTime(text: string | null): number | undefined {
  if (!text) return undefined;
  let t = text.trim().replace(' ', 'T');
  if (/[+-]\d{2}$/.test(t)) t += ':00';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(t)) t += 'Z';
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** How long a run took, in seconds to a tenth (null while it runs, or for one that never closed its entry). */
export function runSeconds(run: { startedAt: string | null; endedAt: string | null }): number | null {
  const start = parseLedgerTime(run.startedAt);
  const end = parseLedgerTime(run.endedAt);
  return start === undefined || end === undefined ? null : Math.round((end - start) / 100) / 10;
}

/** A window's validation mark, as verify or the backfill recorded it. */
export interface ValidationRecord {
  windowKey: string;
  status: 'validated' | 'failed';
  legacyRows: number | null;
  targetRows: number | null;
  legacyChecksum: string | null;
  targetChecksum: string | null;
  /** JSON text: [{ column, legacy, target }]. */
  sums: string | null;
  failures: string | null;
  runId: string | null;
  checkedAt: string | null;
}

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** A table's validation marks (none before the state schema or its validations table exists: a ledger from before verify). */
export async function readValidations(conn: Connection, dialect: Dialect, stateSchema: string, tableId: string): Promise<ValidationRecord[]> {
  if (!(await ledgerHas(conn, dialect, stateSchema, 'validations'))) return [];
  const values = { state: dialect.quoteIdent(stateSchema), p1: dialect.placeholder(1) };
  const rows = await conn.query(renderStatement(dialect.templates, 'ledger_read_validations', values), [tableId]);
  return rows.map((r) => ({
    windowKey: String(r.window_key),
    status: String(r.status) as ValidationRecord['status'],
    legacyRows: num(r.legacy_rows),
    targetRows: num(r.target_rows),
    legacyChecksum: text(r.legacy_checksum),
    targetChecksum: text(r.target_checksum),
    sums: text(r.sums),
    failures: text(r.failures),
    runId: text(r.run_id),
    checkedAt: text(r.checked_at),
  }));
}

/** What one backfill run changed in one window, as undo_windows keeps it (plan/preimages.ts). */
export interface UndoWindowRecord {
  windowKey: string;
  runId: string;
  loadId: string | null;
  /** The fast path found the window fresh: every key of legacy's window was inserted, none kept one by one. */
  fresh: boolean;
  rowsInserted: number;
  rowsUpdated: number;
  recordedAt: string | null;
  undoneAt: string | null;
  undoneBy: string | null;
  keptRows: number | null;
  prunedAt: string | null;
}

/** Can this record still be undone: it changed rows, and was neither undone nor pruned since? */
export const undoable = (r: UndoWindowRecord) => r.undoneAt === null && r.prunedAt === null && r.rowsInserted + r.rowsUpdated > 0;

/** A table's undo_windows rows, oldest first (none in a ledger from before undo, or before any backfill). */
export async function readUndoWindows(conn: Connection, dialect: Dialect, stateSchema: string, tableId: string): Promise<UndoWindowRecord[]> {
  if (!(await ledgerHas(conn, dialect, stateSchema, 'undo_windows'))) return [];
  const values = { state: dialect.quoteIdent(stateSchema), p1: dialect.placeholder(1) };
  const rows = await conn.query(renderStatement(dialect.templates, 'ledger_read_undo_windows', values), [tableId]);
  return rows.map((r) => ({
    windowKey: String(r.window_key),
    runId: String(r.run_id),
    loadId: text(r.load_id),
    fresh: r.fresh === 'yes',
    rowsInserted: Number(r.rows_inserted ?? 0),
    rowsUpdated: Number(r.rows_updated ?? 0),
    recordedAt: text(r.recorded_at),
    undoneAt: text(r.undone_at),
    undoneBy: text(r.undone_by),
    keptRows: num(r.kept_rows),
    prunedAt: text(r.pruned_at),
  }));
}

/** One run as the run log keeps it. */
export interface RunRecord {
  runId: string;
  command: string;
  /** The words typed after the command, as JSON text (secrets masked). */
  arguments: string | null;
  operator: string | null;
  startedAt: string | null;
  endedAt: string | null;
  outcome: string;
  error: string | null;
}

/** The run log, newest first (none before the state schema exists). */
export async function readRuns(conn: Connection, dialect: Dialect, stateSchema: string): Promise<RunRecord[]> {
  if (!(await ledgerHas(conn, dialect, stateSchema, 'runs'))) return [];
  const rows = await conn.query(renderStatement(dialect.templates, 'ledger_read_runs', { state: dialect.quoteIdent(stateSchema) }));
  return rows.map((r) => ({
    runId: String(r.run_id),
    command: String(r.command),
    arguments: text(r.arguments),
    operator: text(r.operator),
    startedAt: text(r.started_at),
    endedAt: text(r.ended_at),
    outcome: String(r.outcome),
    error: text(r.error),
  }));
}
