import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectDuckDb } from '../../dialects/duckdb/driver';
import { usageError } from '../errors';
import { packageRoot } from '../packageRoot';

export interface DemoFiles {
  dir: string;
  database: string;
  config: string;
}

/**
 * Builds the demo warehouse from fixtures/demo: a fresh DuckDB file holding
 * legacy_schema.orders (generated, `rows` rows) and an empty dlt_schema.orders,
 * plus a copy of the demo config beside it.
 */
export async function buildDemo(dir: string, rows: number): Promise<DemoFiles> {
  if (!Number.isInteger(rows) || rows < 1 || rows > 50_000_000) {
    throw usageError('BAD_ROWS', `--rows ${rows} is not a whole number between 1 and 50,000,000`);
  }
  const fixtures = path.join(packageRoot(), 'fixtures', 'demo');
  const absolute = path.resolve(dir);
  fs.mkdirSync(absolute, { recursive: true });
  const database = path.join(absolute, 'demo.duckdb');
  for (const stale of [database, `${database}.wal`]) fs.rmSync(stale, { force: true });
  const config = path.join(absolute, 'migrate.yaml');
  fs.copyFileSync(path.join(fixtures, 'migrate.yaml'), config);

  const setup = fs.readFileSync(path.join(fixtures, 'setup.sql'), 'utf8').replace(/\{\{rows\}\}/g, String(rows));
  const conn = await connectDuckDb(database, { readOnly: false, create: true });
  try {
    await conn.execute(setup);
  } finally {
    await conn.close();
  }
  return { dir: absolute, database, config };
}
