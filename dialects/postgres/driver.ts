import type { Client } from 'pg';
import type { Connection, ConnectionSpec, ConnectOptions, Row, SqlValue } from '../types';
import { acquireConnection } from '../server/knexPool';
import { serverSettings } from '../server/settings';

/** date, timestamp, timestamptz: kept as the server's text, so no JavaScript time zone ever shifts a cursor. */
const TEXT_TYPES = new Set([1082, 1114, 1184]);

/**
 * The only file that imports `pg`. Each session is UTC, and a read-only
 * session (dry runs, status) is refused every write by the server itself.
 */
export async function connectPostgres(spec: ConnectionSpec, options: ConnectOptions): Promise<Connection> {
  const s = serverSettings(spec, ['postgres', 'postgresql'], 5432);
  const pg = await import('pg');
  const connection = {
    ...s,
    application_name: 'theseus',
    types: { getTypeParser: (oid: number, format?: string) => (TEXT_TYPES.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format as never)) },
  };
  const pooled = await acquireConnection<Client>('pg', connection, `PostgreSQL at ${s.host}:${s.port}`);
  const client = pooled.native;
  await client.query("SET TIME ZONE 'UTC'");
  if (options.readOnly) await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
  return {
    async query(sql: string, params?: SqlValue[]): Promise<Row[]> {
      return (await client.query(sql, params)).rows as Row[];
    },
    async execute(sql: string, params?: SqlValue[]): Promise<number> {
      return (await client.query(sql, params)).rowCount ?? 0;
    },
    close: () => pooled.close(),
  };
}
