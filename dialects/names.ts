/**
 * The names a config may give an engine. Kept apart from index.ts (which loads the engines' modules) so the
 * config schema can name them without loading any engine.
 */
export const DIALECT_NAMES = ['duckdb', 'postgres', 'mysql', 'snowflake', 'bigquery'] as const;

/** Other names people write for the same engines. */
const ALIASES: Readonly<Record<string, (typeof DIALECT_NAMES)[number]>> = Object.freeze({ postgresql: 'postgres', mariadb: 'mysql' });

export const KNOWN_DIALECTS: readonly string[] = [...DIALECT_NAMES, ...Object.keys(ALIASES)];

/** The engine a name means, in any case (`PostgreSQL`, `MariaDB`), or undefined for none. */
export function canonicalDialect(name: string): (typeof DIALECT_NAMES)[number] | undefined {
  const lower = name.trim().toLowerCase();
  return ALIASES[lower] ?? DIALECT_NAMES.find((d) => d === lower);
}
