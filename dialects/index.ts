import type { Dialect } from './types';
import { usageError } from '../src/errors';

/**
 * Name → dialect, loaded on first use so a DuckDB run never loads another
 * engine's module. PostgreSQL, MySQL, Snowflake and BigQuery join here.
 */
const loaders: Readonly<Record<string, () => Promise<Dialect>>> = Object.freeze({
  duckdb: async () => (await import('./duckdb')).duckdb,
});

export const KNOWN_DIALECTS = Object.keys(loaders);

export async function loadDialect(name: string): Promise<Dialect> {
  const load = loaders[name];
  if (!load) {
    throw usageError('UNKNOWN_DIALECT', `dialect "${name}" is not supported`, `use one of: ${KNOWN_DIALECTS.join(', ')}`);
  }
  return load();
}
