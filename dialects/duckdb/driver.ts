import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Connection, ConnectOptions, Row, SqlValue } from '../types';
import { TheseusError, usageError } from '../../src/errors';
import { stringLiteralStandard } from '../ansi';
import { DUCKDB_SESSION_SETUP } from './session';

/**
 * The only file that imports @duckdb/node-api, and only when a DuckDB
 * connection is opened, so planning and the other engines never load it.
 */
/** A quarter of the memory this process may have (a container's limit where one is set, else the machine's), in whole MiB. */
export function defaultMemoryLimit(): string {
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const total = constrained && constrained > 0 && constrained < os.totalmem() ? constrained : os.totalmem();
  return `${Math.max(256, Math.floor(total / 4 / 2 ** 20))}MiB`;
}

export async function connectDuckDb(path: string, options: ConnectOptions & { create?: boolean }): Promise<Connection> {
  if (path !== ':memory:' && !options.create && !fs.existsSync(path)) {
    throw usageError('DATABASE_MISSING', `DuckDB file ${path} does not exist`, 'check connection: in the config (a relative path is relative to the config file)');
  }
  const { DuckDBInstance } = await import('@duckdb/node-api');
  let instance;
  try {
    instance = await DuckDBInstance.create(path, options.readOnly ? { access_mode: 'READ_ONLY' } : {});
  } catch (err) {
    const message = (err as Error).message;
    if (/lock/i.test(message)) {
      throw new TheseusError('precondition', 'DATABASE_LOCKED', `DuckDB file ${path} is in use by another process: ${message.split('\n')[0]}`, 'DuckDB allows one writing process per file; wait for the other migrate run to finish');
    }
    throw new TheseusError('database', 'DATABASE_ERROR', `cannot open DuckDB file ${path}: ${message.split('\n')[0]}`);
  }
  const conn = await instance.connect();
  // Like the servers' sessions: a zoned instant falls on its UTC day whatever the machine's zone (verify groups rows by day).
  for (const sql of DUCKDB_SESSION_SETUP) await conn.run(sql);
  // The engine's buffers are this process's memory: bounded by the config's duckdb.memory_limit, else a quarter of
  // the machine's (DuckDB's own default is 80%), so a migration beside other work does not take the machine.
  const settings = options.engineSettings ?? {};
  await conn.run(`SET memory_limit = ${stringLiteralStandard(String(settings.memory_limit ?? defaultMemoryLimit()))}`);
  if (settings.threads !== undefined) await conn.run(`SET threads = ${Number(settings.threads)}`);
  return {
    async query(sql: string, params?: SqlValue[]): Promise<Row[]> {
      const reader = await conn.runAndReadAll(sql, params as never);
      return reader.getRowObjectsJson() as Row[];
    },
    async execute(sql: string, params?: SqlValue[]): Promise<number> {
      const result = await conn.run(sql, params as never);
      return Number(result.rowsChanged);
    },
    async close(): Promise<void> {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
