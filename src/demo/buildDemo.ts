import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectDuckDb } from '../../dialects/duckdb/driver';
import { wholeNumber } from '../config/wholeNumber';
import { preconditionError, usageError } from '../errors';
import { packageRoot } from '../packageRoot';

export interface DemoFiles {
  dir: string;
  database: string;
  config: string;
  rows: number;
}

/**
 * Builds the demo warehouse from fixtures/demo: a fresh DuckDB file holding
 * legacy_schema.orders (generated, `rows` rows) and an empty dlt_schema.orders,
 * plus a copy of the demo config beside it.
 */
export async function buildDemo(dir: string, rowsGiven: number | string, options: { force?: boolean } = {}): Promise<DemoFiles> {
  const rows = wholeNumber(rowsGiven);
  if (rows === undefined || rows < 1 || rows > 50_000_000) {
    throw usageError('BAD_ROWS', `--rows ${rowsGiven} is not a whole number between 1 and 50,000,000`, 'e.g. --rows 200000');
  }
  const fixtures = path.join(packageRoot(), 'fixtures', 'demo');
  const absolute = path.resolve(dir);
  const config = path.join(absolute, 'migrate.yaml');
  const demoConfig = fs.readFileSync(path.join(fixtures, 'migrate.yaml'), 'utf8');
  // `demo --dir .` in a project folder must not replace the operator's own config; the demo's own is fair game.
  if (!options.force && fs.existsSync(config) && fs.readFileSync(config, 'utf8') !== demoConfig) {
    throw preconditionError('DEMO_WOULD_OVERWRITE', `${config} exists and is not the demo's config; the demo would overwrite it`, 'choose another --dir (the default is ./theseus-demo), or pass --force to overwrite it');
  }
  fs.mkdirSync(absolute, { recursive: true });
  const database = path.join(absolute, 'demo.duckdb');
  for (const stale of [database, `${database}.wal`]) fs.rmSync(stale, { force: true });
  fs.writeFileSync(config, demoConfig);

  const setup = fs.readFileSync(path.join(fixtures, 'setup.sql'), 'utf8').replace(/\{\{rows\}\}/g, String(rows));
  const conn = await connectDuckDb(database, { readOnly: false, create: true });
  try {
    await conn.execute(setup);
  } finally {
    await conn.close();
  }
  return { dir: absolute, database, config, rows };
}
