import { loadDialect } from '../../dialects';
import type { Dialect } from '../../dialects/types';
import type { Config } from '../config/types';
import { usageError } from '../errors';
import { CatalogReads } from './catalogReads';
import { readCatalogFile } from './file';

/**
 * Planning reads from a catalog file, for a config: the catalog must describe the config's engine (aliases
 * agree: postgresql is postgres), and its server traits choose the dialect's variant (PostgreSQL 14: no MERGE).
 */
export async function openCatalog(file: string, config: Config, base: Dialect): Promise<CatalogReads> {
  const catalog = readCatalogFile(file);
  if ((await loadDialect(catalog.dialect)).name !== base.name) {
    throw usageError(
      'CATALOG_DIALECT_MISMATCH',
      `${catalog.file} describes a ${catalog.dialect} warehouse, but ${config.file} has dialect: ${config.dialect}`,
      "use the catalog written from this config's warehouse (migrate catalog --out FILE)",
    );
  }
  return new CatalogReads(catalog, base.withTraits?.(catalog.server) ?? base, config);
}
