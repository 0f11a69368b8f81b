import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDialect } from '../dialects';
import type { Connection } from '../dialects/types';
import type { EngineName } from './settings';

/**
 * A database of the bench's own, created fresh (a leftover of an earlier,
 * interrupted run is dropped first) and dropped at the end. The project's
 * own drivers are used, so the bench talks to the engines as migrate does.
 */
export interface BenchDatabase {
  engine: EngineName;
  /** What the config's `connection:` says: a server URL or the DuckDB file. */
  connection: string;
  /**
   * Runs `body` on a connection. DuckDB admits one process per file, so its
   * connection is opened for the call and closed after it, leaving the file
   * free for the migrate child processes in between.
   */
  use<T>(body: (conn: Connection) => Promise<T>): Promise<T>;
  serverVersion(): Promise<string>;
  drop(): Promise<void>;
}

export async function createDatabase(engine: EngineName, name: string, dir: string, servers: { postgresUrl: string; mysqlUrl: string }): Promise<BenchDatabase> {
  if (engine === 'duckdb') return createDuckDb(path.join(dir, `${name}.duckdb`));
  return engine === 'mysql' ? createMysql(servers.mysqlUrl) : createPostgres(name, servers.postgresUrl);
}

/** The schemas the bench writes; on MySQL/MariaDB each is a database of the server's. */
export const BENCH_SCHEMAS = ['legacy_schema', 'dlt_schema', 'analytics', '_migrate'];

/**
 * MySQL/MariaDB: a schema is a database, so the bench's schemas are databases of the server, dropped before (a
 * leftover of an interrupted run) and after. The bench's two databases (the main one and the dry run's) share
 * them; the dry run, the last step, starts from empty ones.
 */
async function createMysql(serverUrl: string): Promise<BenchDatabase> {
  const dialect = await loadDialect('mysql');
  const conn = await dialect.connect(serverUrl, { readOnly: false });
  const dropAll = async () => {
    for (const schema of BENCH_SCHEMAS) await conn.execute(`DROP DATABASE IF EXISTS ${dialect.quoteIdent(schema)}`);
  };
  await dropAll();
  return {
    engine: 'mysql',
    connection: serverUrl,
    use: (body) => body(conn),
    serverVersion: async () => `MariaDB/MySQL ${String((await conn.query('SELECT VERSION() AS v'))[0].v)}`,
    drop: async () => {
      await dropAll().catch(() => undefined);
      await conn.close().catch(() => undefined);
    },
  };
}

function removeDuckDbFile(file: string): void {
  for (const f of [file, `${file}.wal`]) fs.rmSync(f, { force: true });
}

async function createDuckDb(file: string): Promise<BenchDatabase> {
  removeDuckDbFile(file);
  const { connectDuckDb } = await import('../dialects/duckdb/driver');
  const use = async <T>(body: (conn: Connection) => Promise<T>): Promise<T> => {
    const conn = await connectDuckDb(file, { readOnly: false, create: true });
    try {
      return await body(conn);
    } finally {
      await conn.close();
    }
  };
  return {
    engine: 'duckdb',
    connection: file,
    use,
    serverVersion: () => use(async (c) => `DuckDB ${String((await c.query('SELECT version() AS v'))[0].v)}`),
    drop: async () => removeDuckDbFile(file),
  };
}

async function createPostgres(name: string, serverUrl: string): Promise<BenchDatabase> {
  const dialect = await loadDialect('postgres');
  // Admin statements run on the server's maintenance database; a database cannot drop itself.
  const onAdmin = async (sql: string) => {
    const admin = await dialect.connect(serverUrl, { readOnly: false });
    try {
      await admin.execute(sql);
    } finally {
      await admin.close();
    }
  };
  // WITH (FORCE): a killed earlier run may have left sessions on it.
  await onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await onAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const conn = await dialect.connect(url.toString(), { readOnly: false });
  return {
    engine: 'postgres',
    connection: url.toString(),
    use: (body) => body(conn),
    serverVersion: async () => `PostgreSQL ${String((await conn.query('SHOW server_version'))[0].server_version)}`,
    drop: async () => {
      await conn.close().catch(() => undefined);
      await onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
