import { type RunRecord, readRuns, undoable } from '../ledger/reads';
import { count } from '../plural';
import { type CommandOptions, withSession } from './session';

export interface LogOptions extends CommandOptions {
  /** Only this run. */
  run?: string;
  /** At most this many runs, newest first (default 20). */
  limit?: number;
}

export interface RunLogEntry extends Omit<RunRecord, 'runId'> {
  run: string;
  /** The --reason given, from the arguments the run log keeps. */
  reason: string | null;
  /** Per table, the windows whose changes by this run `migrate undo --run` can still take back. */
  undoable: Record<string, string[]>;
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
    const entries = runs.map(({ runId, ...r }) => ({ run: runId, ...r, reason: reasonOf(r.arguments), undoable: undo.get(runId) ?? {} }));
    return options.run ? entries.filter((e) => e.run === options.run) : entries.slice(0, options.limit ?? 20);
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
      const lines = [`${e.run}  ${e.command}  ${e.outcome}  started ${e.startedAt ?? '?'}${e.endedAt ? `, ended ${e.endedAt}` : ''}${e.operator ? `  by ${e.operator}` : ''}`];
      if (e.reason) lines.push(`  reason: ${e.reason}`);
      if (e.arguments) lines.push(`  arguments: ${e.arguments}`);
      if (e.error) lines.push(`  error: ${e.error}`);
      for (const [table, windows] of Object.entries(e.undoable)) lines.push(`  can be undone: ${table} (${count(windows.length, 'window')}): migrate undo --run ${e.run} --table ${table}`);
      return lines.join('\n');
    })
    .join('\n');
}
