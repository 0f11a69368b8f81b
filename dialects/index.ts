import type { Dialect } from './types';
import { usageError } from '../src/errors';

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

/** Other names people write for the same engines. */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({ postgresql: 'postgres', mariadb: 'mysql' });

export const KNOWN_DIALECTS = [...Object.keys(loaders), ...Object.keys(ALIASES)];

export async function loadDialect(name: string): Promise<Dialect> {
  const load = loaders[ALIASES[name] ?? name];
  if (!load) {
    throw usageError('UNKNOWN_DIALECT', `dialect "${name}" is not supported`, `use one of: ${KNOWN_DIALECTS.join(', ')}`);
  }
  return load();
}
