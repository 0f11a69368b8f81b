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

/** Writes a migrate.yaml (format: README, "Config reference") and returns its path. */
export function writeConfig(dir: string, file: string, engine: EngineName, connection: string, tables: TableSpec[]): string {
  const lines = [`dialect: ${engine}`, `connection: ${JSON.stringify(connection)}`, 'state_schema: _migrate', 'tables:'];
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
