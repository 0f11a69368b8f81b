import type { Dialect } from './types';
import { usageError } from '../src/errors';
import { didYouMean } from '../src/config/didYouMean';
import { KNOWN_DIALECTS, canonicalDialect } from './names';

/**
 * Name → dialect, loaded on first use so a DuckDB run never loads another
 * engine's module (Knex's lib/dialects/index does the same).
 */
const loaders: Readonly<Record<string, () => Promise<Dialect>>> = Object.freeze({
  duckdb: async () => (await import('./duckdb')).duckdb,
  postgres: async () => (await import('./postgres')).postgres,
  mysql: async () => (await import('./mysql')).mysql,
  snowflake: async () => (await import('./snowflake')).snowflake,
  bigquery: async () => (await import('./bigquery')).bigquery,
});

export { KNOWN_DIALECTS } from './names';

/** The engine a name means, in any case and by any of its names (names.ts). */
export async function loadDialect(name: string): Promise<Dialect> {
  const canonical = canonicalDialect(name);
  const load = canonical && loaders[canonical];
  if (!load) {
    throw usageError('UNKNOWN_DIALECT', `dialect "${name}" is not supported`, `use one of: ${KNOWN_DIALECTS.join(', ')}${didYouMean(name, KNOWN_DIALECTS)}`);
  }
  return load();
}
