import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectDuckDb } from '../../dialects/duckdb/driver';
import { buildDemo, type DemoFiles } from '../../src/demo/buildDemo';
import { cliPath } from '../../src/packageRoot';

/** A fresh folder under the system temp dir; removed by cleanup(). */
export function tempDir(prefix = 'theseus-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function cleanup(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The demo warehouse (legacy ERP orders + empty dlt target) at a test's size. */
export async function demoWarehouse(rows = 3000): Promise<DemoFiles> {
  return buildDemo(tempDir(), rows);
}

export const CLI = cliPath();

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `migrate` CLI in a child process. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  // A dry run of many slices prints megabytes of SQL: more than spawnSync's default buffer of 1 MB.
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
}

/** Runs SQL against a DuckDB file in its own short-lived connection and returns the rows. */
export async function query(database: string, sql: string): Promise<Record<string, unknown>[]> {
  const conn = await connectDuckDb(database, { readOnly: false });
  try {
    return await conn.query(sql);
  } finally {
    await conn.close();
  }
}

export async function exec(database: string, sql: string): Promise<void> {
  const conn = await connectDuckDb(database, { readOnly: false });
  try {
    await conn.execute(sql);
  } finally {
    await conn.close();
  }
}

/** The view's source distribution as [flag, rows] pairs, ordered by flag. */
export async function distribution(database: string, view = 'dw.all_orders'): Promise<Array<[string, number]>> {
  const rows = await query(database, `SELECT source_flag, count(*) AS n FROM ${view} GROUP BY 1 ORDER BY 1`);
  return rows.map((r) => [String(r.source_flag), Number(r.n)]);
}

/** A fingerprint of a DuckDB file and its WAL, to prove a command left them untouched. */
export function fileFingerprint(database: string): string {
  const hash = crypto.createHash('sha256');
  for (const file of [database, `${database}.wal`]) {
    hash.update(file);
    if (fs.existsSync(file)) hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex');
}

/** Writes a config next to a database and returns its path. */
export function writeConfig(dir: string, text: string, name = 'migrate.yaml'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
