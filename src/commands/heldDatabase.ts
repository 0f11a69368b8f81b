import { type ProgressSnapshot, formatProgress, readProgress, writerAlive } from '../backfill/progressFile';
import { configOf } from '../config/load';
import { TheseusError } from '../errors';
import { loadDialect } from '../../dialects';
import type { CommandOptions } from './session';

/** A database file another process holds (DuckDB), and what that process's progress file says. */
export interface HeldDatabase {
  database: string;
  writerAlive: boolean;
  progress: ProgressSnapshot;
}

/**
 * Runs a read-only command; where the database file is held by another process (DATABASE_LOCKED, DuckDB's one
 * process per file) and that process keeps a progress file (a backfill), returns what the file says instead of
 * failing. Any other failure, and a held file without progress, are thrown as they are.
 */
export async function orProgressOfHolder<T>(options: CommandOptions, read: () => Promise<T>): Promise<{ result: T } | { held: HeldDatabase }> {
  try {
    return { result: await read() };
  } catch (err) {
    if (!(err instanceof TheseusError) || err.code !== 'DATABASE_LOCKED') throw err;
    const config = configOf(options.config, options.env ?? process.env, { connectionOptional: true });
    const file = (await loadDialect(config.dialect)).progressFile?.(config.connection);
    const progress = file ? readProgress(file) : undefined;
    if (!progress) throw err;
    return { held: { database: String(config.connection), writerAlive: writerAlive(progress), progress } };
  }
}

export const formatHeld = (h: HeldDatabase) => formatProgress(h.database, h.progress, h.writerAlive);
