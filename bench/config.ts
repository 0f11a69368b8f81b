import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineName } from './settings';

/** One table of a migrate.yaml; every benchmark table has the orders shape and the same key, cursor and updated_at. */
export interface TableSpec {
  id: string;
  legacy: string;
  target: string;
  view: string;
}

/**
 * The memory DuckDB may use inside the migrate process in the bench (BENCH_DUCKDB_MEMORY_MB, default 512): the
 * backfill's peak RSS is held to it plus 150 MB (issue 15).
 */
export const DUCKDB_MEMORY_MB = Number(process.env.BENCH_DUCKDB_MEMORY_MB ?? 512);

/** Writes a migrate.yaml (format: README, "Config reference") and returns its path. */
export function writeConfig(dir: string, file: string, engine: EngineName, connection: string, tables: TableSpec[]): string {
  const lines = [`dialect: ${engine}`, `connection: ${JSON.stringify(connection)}`, 'state_schema: _migrate'];
  if (engine === 'duckdb') lines.push('duckdb:', `  memory_limit: ${DUCKDB_MEMORY_MB}MiB`);
  lines.push('tables:');
  for (const t of tables) {
    lines.push(
      `  ${t.id}:`,
      `    legacy: ${t.legacy}`,
      `    target: ${t.target}`,
      `    view: ${t.view}`,
      '    key: id',
      '    cursor: created_at',
      '    updated_at: updated_at',
    );
  }
  const configPath = path.join(dir, file);
  fs.writeFileSync(configPath, `${lines.join('\n')}\n`);
  return configPath;
}
