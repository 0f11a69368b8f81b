import { type RunRecord, readRuns, runSeconds, undoable } from '../ledger/reads';
import { count } from '../plural';
import { usageError } from '../errors';
import { formatDuration } from '../backfill/progress';
import { type LoggedStatement, readStatements } from '../ledger/statementLog';
import { type CommandOptions, withSession } from './session';

export interface LogOptions extends CommandOptions {
  /** Only this run. */
  run?: string;
  /** At most this many runs, newest first (default 20). */
  limit?: number;
  /** Also read the statements each listed run executed (the audit log). */
  sql?: boolean;
}

export interface RunLogEntry extends Omit<RunRecord, 'runId'> {
  run: string;
  /** The --reason given, from the arguments the run log keeps. */
  reason: string | null;
  /** Per table, the windows whose changes by this run `migrate undo --run` can still take back. */
  undoable: Record<string, string[]>;
  /** Seconds from start to end (null while running, or for a run that never closed its entry). */
  seconds: number | null;
  /** With --sql: the statements the run executed, in order. */
  statements?: LoggedStatement[];
}

/** migrate log: the runs the ledger keeps (command, arguments, operator, outcome), newest first, and which can be undone. Read-only. */
export async function runLog(options: LogOptions): Promise<RunLogEntry[]> {
  return withSession('log', options, { readOnly: true }, async (s) => {
    const runs = await readRuns(s.conn, s.dialect, s.config.stateSchema);
    const undo = new Map<string, Record<string, string[]>>();
    for (const table of s.tables) {
      for (const r of (await s.reads.undoWindows(table.id)).filter(undoable)) {
        const byTable = undo.get(r.runId) ?? {};
        byTable[table.id] = [...(byTable[table.id] ?? []), r.windowKey];
        undo.set(r.runId, byTable);
      }
    }
    const entries: RunLogEntry[] = runs.map(({ runId, ...r }) => ({ run: runId, ...r, reason: reasonOf(r.arguments), undoable: undo.get(runId) ?? {}, seconds: runSeconds(r) }));
    const listed = options.run ? entries.filter((e) => e.run === options.run) : entries.slice(0, options.limit ?? 20);
    if (options.run && listed.length === 0) throw usageError('RUN_NOT_FOUND', `the ledger in ${s.config.stateSchema} has no run ${options.run}`, 'migrate log lists the runs it has');
    if (options.sql) for (const e of listed) e.statements = await readStatements(s.conn, s.dialect, s.config.stateSchema, e.run);
    return listed;
  });
}

/** The value of --reason in the arguments as the run log keeps them (a JSON array of the words typed). */
function reasonOf(args: string | null): string | null {
  let words: unknown;
  try {
    words = args ? JSON.parse(args) : [];
  } catch {
    return null;
  }
  if (!Array.isArray(words)) return null;
  for (let i = 0; i < words.length; i++) {
    const w = String(words[i]);
    if (w === '--reason' && i + 1 < words.length) return String(words[i + 1]);
    if (w.startsWith('--reason=')) return w.slice('--reason='.length);
  }
  return null;
}

/** The human form of `migrate log`. */
export function formatLog(entries: RunLogEntry[]): string {
  if (!entries.length) return 'no runs in the ledger yet';
  return entries
    .map((e) => {
      const took = e.seconds === null ? '' : ` (${formatDuration(e.seconds)})`;
      const lines = [`${e.run}  ${e.command}  ${e.outcome}  started ${e.startedAt ?? '?'}${e.endedAt ? `, ended ${e.endedAt}${took}` : ''}${e.operator ? `  by ${e.operator}` : ''}`];
      if (e.reason) lines.push(`  reason: ${e.reason}`);
      if (e.arguments) lines.push(`  arguments: ${e.arguments}`);
      if (e.error) lines.push(`  error: ${e.error}`);
      for (const [table, windows] of Object.entries(e.undoable)) lines.push(`  can be undone: ${table} (${count(windows.length, 'window')}): migrate undo --run ${e.run} --table ${table}`);
      if (e.statements) lines.push(...formatStatements(e.statements));
      return lines.join('\n');
    })
    .join('\n');
}

/** A run's statements as SQL a reader can follow: each headed by its unit, intent, duration and rows. */
function formatStatements(statements: LoggedStatement[]): string[] {
  if (!statements.length) return ['  (no statements in the audit log for this run)'];
  return statements.flatMap((st) => {
    const rows = st.rowsChanged === null ? '' : `, ${count(st.rowsChanged, 'row')} changed`;
    const head = `-- [${st.seq}] ${st.unit ?? '?'}: ${st.intent ?? ''} (${st.durationMs ?? '?'} ms${rows}${st.error ? `, FAILED: ${st.error}` : ''})`;
    return ['', head, ...(st.bound ? [`-- bound: ${st.bound}`] : []), st.sql === null ? '-- (SQL not kept: log.keep_sql is false)' : `${st.sql};`];
  });
}
