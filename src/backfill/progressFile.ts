import * as fs from 'node:fs';
import type { BackfillEvent, Reporter } from './progress';
import { count } from '../plural';

/**
 * Progress for the other shells, where the engine admits one process per database file (DuckDB): `status` cannot
 * open the file while a backfill holds it, so the backfill keeps a small JSON file beside it, rewritten (atomically:
 * a temporary file renamed over it) on each event and removed when the run ends. A run killed outright leaves it
 * behind; its pid then names a process that is gone, and status says so.
 */
export interface ProgressSnapshot {
  run: string;
  command: string;
  pid: number;
  startedAt: string;
  updatedAt: string;
  tables: Record<string, { windows: number; done: number; failed: number; lastWindow?: string; legacyRows: number; inserted: number; updated: number }>;
}

/** The reporter, with every event also kept in the progress file. */
export function withProgressFile(reporter: Reporter, file: string, run: { runId: string; command: string }): Reporter & { remove(): void } {
  const snapshot: ProgressSnapshot = { run: run.runId, command: run.command, pid: process.pid, startedAt: new Date().toISOString(), updatedAt: '', tables: {} };
  const write = () => {
    snapshot.updatedAt = new Date().toISOString();
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(snapshot));
      fs.renameSync(tmp, file);
    } catch {
      // Progress for other shells is a courtesy: a folder that cannot be written costs the run nothing.
    }
  };
  const apply = (e: BackfillEvent) => {
    if (e.event === 'table') snapshot.tables[e.table] = { windows: e.windows + e.already_done, done: e.already_done, failed: 0, legacyRows: 0, inserted: 0, updated: 0 };
    const t = 'table' in e ? snapshot.tables[e.table] : undefined;
    if (!t) return;
    if (e.event === 'slice_done') Object.assign(t, { done: t.done + 1, lastWindow: e.window, legacyRows: t.legacyRows + e.legacy_rows, inserted: t.inserted + e.inserted, updated: t.updated + e.updated });
    if (e.event === 'slice_failed') t.failed += 1;
  };
  write();
  return {
    emit: (e) => {
      apply(e);
      write();
      reporter.emit(e);
    },
    line: (text) => reporter.line(text),
    close: () => reporter.close(),
    remove: () => fs.rmSync(file, { force: true }),
  };
}

export function readProgress(file: string): ProgressSnapshot | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ProgressSnapshot;
  } catch {
    return undefined;
  }
}

/** Is the process that wrote the snapshot still running (on this machine)? */
export function writerAlive(snapshot: ProgressSnapshot): boolean {
  try {
    process.kill(snapshot.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function formatProgress(database: string, p: ProgressSnapshot, alive: boolean, now = Date.now()): string {
  const ago = Math.max(0, Math.round((now - Date.parse(p.updatedAt)) / 1000));
  const head = alive
    ? `${database} is held by a running ${p.command} (run ${p.run}, pid ${p.pid}, since ${p.startedAt}); its progress file, updated ${ago}s ago:`
    : `${database}: a ${p.command} (run ${p.run}, pid ${p.pid}) left this progress file ${ago}s ago and is no longer running; the ledger has the truth once the file is free:`;
  const lines = Object.entries(p.tables).map(
    ([id, t]) =>
      `  ${id}: ${t.done}/${t.windows} windows done${t.failed ? `, ${t.failed} failed` : ''}${t.lastWindow ? `, last ${t.lastWindow}` : ''}; this run: ${count(t.legacyRows, 'legacy row')} → ${count(t.inserted, 'inserted', 'inserted')}, ${count(t.updated, 'updated', 'updated')}`,
  );
  return [head, ...(lines.length ? lines : ['  (planning: no window started yet)'])].join('\n');
}
