import { identifierLength, fitsIdentifier } from '../../dialects/identifierLength';
import type { Dialect } from '../../dialects/types';
import { usageError } from '../errors';
import type { Config, TableRef } from './types';

/**
 * Every name from the config that the tool will create or read (schemas,
 * tables, the view, columns, the state schema), each with where it is written,
 * so a name the engine would cut short (PostgreSQL) or refuse (MariaDB) is
 * reported before any work instead of surfacing later as a missing table.
 */
function configNames(config: Config): Array<{ where: string; name: string }> {
  const names: Array<{ where: string; name: string }> = [{ where: 'state_schema', name: config.stateSchema }];
  const ref = (where: string, r: TableRef) => {
    if (r.schema !== undefined) names.push({ where: `${where} (schema)`, name: r.schema });
    names.push({ where, name: r.name });
  };
  for (const t of config.tables) {
    const at = `tables.${t.id}`;
    ref(`${at}.legacy`, t.legacy);
    ref(`${at}.target`, t.target);
    ref(`${at}.view`, t.view);
    t.key.forEach((k) => names.push({ where: `${at}.key`, name: k }));
    if (t.cursor !== undefined) names.push({ where: `${at}.cursor`, name: t.cursor });
    if (t.updatedAt !== undefined) names.push({ where: `${at}.updated_at`, name: t.updatedAt });
    for (const [target, override] of Object.entries(t.columns)) {
      names.push({ where: `${at}.columns`, name: target });
      if (override.from !== undefined) names.push({ where: `${at}.columns.${target}.from`, name: override.from });
    }
    [...t.verify.sums, ...t.verify.ignore].forEach((c) => names.push({ where: `${at}.verify`, name: c }));
  }
  return names;
}

/** Refuses (exit 2) the first config name longer than the dialect's identifier limit, naming it. */
export function checkNameLengths(config: Config, dialect: Dialect): void {
  const limit = dialect.maxIdentifierLength;
  if (!limit) return;
  for (const { where, name } of configNames(config)) {
    if (fitsIdentifier(name, limit)) continue;
    throw usageError(
      'NAME_TOO_LONG',
      `${where}: "${name}" is ${identifierLength(name, limit)} ${limit.unit} long; ${dialect.name} keeps names of at most ${limit.max} ${limit.unit}`,
      `rename it to at most ${limit.max} ${limit.unit} (in the database and in ${config.file})`,
    );
  }
}
