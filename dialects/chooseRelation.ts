import type { TableRef } from '../src/config/types';
import { usageError } from '../src/errors';

/**
 * Picks the table a config name means among the engine's tables that match it
 * case-insensitively (each introspector finds those): the one spelled exactly
 * as written, else the only one. Several, none spelled as written (e.g.
 * `INVOICES` where both `invoices` and `Invoices` exist, as PostgreSQL and
 * MySQL/MariaDB with case-sensitive table names allow), is refused with the
 * candidates rather than resolved to an arbitrary one.
 */
export function chooseRelation<T extends { schema: string; name: string }>(found: T[], ref: TableRef): T | undefined {
  const exact = found.find((f) => f.name === ref.name && (ref.schema === undefined || f.schema === ref.schema));
  if (exact || found.length <= 1) return exact ?? found[0];
  const written = ref.schema === undefined ? ref.name : `${ref.schema}.${ref.name}`;
  const candidates = found.map((f) => (ref.schema === undefined ? f.name : `${f.schema}.${f.name}`));
  throw usageError(
    'AMBIGUOUS_NAME',
    `${written} matches ${found.length} tables that differ only in case: ${candidates.join(', ')}`,
    'write the name in the config exactly as the table you mean is spelled',
  );
}
