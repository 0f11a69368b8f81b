import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { SERVER_URLS, type Sandbox } from './engines';

export interface ClientRun {
  status: number;
  /** What the client printed as its error (empty when it ran to the end). */
  error: string;
}

/**
 * Runs a SQL file the way a DBA would, with the engine's own client and nothing of Theseus: psql with
 * ON_ERROR_STOP, the mariadb client reading the file on stdin, and DuckDB's whole file in one multi-statement call
 * (what its CLI's .read does). The servers' sessions start as a DBA's in New York might, in a C locale: the file's
 * own first statements must set what migrate's sessions have (UTC, UTF-8).
 */
export async function runWithClient(s: Sandbox, file: string): Promise<ClientRun> {
  if (s.engine === 'duckdb') {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(s.connection);
    const conn = await instance.connect();
    try {
      await conn.run(fs.readFileSync(file, 'utf8'));
      return { status: 0, error: '' };
    } catch (err) {
      return { status: 1, error: (err as Error).message };
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }
  const client =
    s.engine === 'postgres'
      ? // client_min_messages: the NOTICEs of CREATE … IF NOT EXISTS are not errors.
        spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file, s.connection], { encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning', PGTZ: 'America/New_York', PGCLIENTENCODING: 'LATIN1' } })
      : spawnSync('mariadb', [...mariadbArgs(), "--init-command=SET time_zone = '-05:00'", '--default-character-set=latin1'], { input: fs.readFileSync(file), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (client.error) throw client.error;
  return { status: client.status ?? -1, error: client.stderr.trim() };
}

function mariadbArgs(): string[] {
  const url = new URL(SERVER_URLS.mysql);
  return ['-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username || 'root'), ...(url.password ? [`-p${decodeURIComponent(url.password)}`] : [])];
}
