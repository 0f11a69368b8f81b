import type { Client } from 'pg';
import type { Connection, ConnectionSpec, ConnectOptions, Row, SqlValue } from '../types';
import { type ConnectFailure, commonFailure } from '../server/connectFailure';
import { acquireConnection } from '../server/knexPool';
import { serverSettings } from '../server/settings';
import { watchForLoss } from '../server/connectionLoss';
import { tlsOptions } from '../server/tls';
import { postgresProfile } from './connectionProfile';
import { POSTGRES_SESSION_SETUP } from './session';

/** date, timestamp, timestamptz: kept as the server's text, so no JavaScript time zone ever shifts a cursor. */
const TEXT_TYPES = new Set([1082, 1114, 1184]);

/**
 * The only file that imports `pg`. Each session is UTC, and a read-only
 * session (dry runs, status) is refused every write by the server itself.
 */
export async function connectPostgres(spec: ConnectionSpec, options: ConnectOptions): Promise<Connection> {
  const s = serverSettings(spec, postgresProfile);
  const tls = s.tls.mode === 'disable' ? undefined : tlsOptions(s.tls);
  const pg = await import('pg');
  const connection = (encrypted: boolean) => ({
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database: s.database,
    // pg hands `ssl` to tls.connect; verify-ca checks the chain but not the host name.
    ssl: encrypted && tls ? { rejectUnauthorized: tls.rejectUnauthorized, ca: tls.ca, cert: tls.cert, key: tls.key, ...(tls.verifyHost ? {} : { checkServerIdentity: () => undefined }) } : false,
    application_name: 'theseus',
    types: { getTypeParser: (oid: number, format?: string) => (TEXT_TYPES.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format as never)) },
  });
  const pooled = await acquireConnection<Client>({ client: 'pg', connection, classify: classifyPostgres }, s, `PostgreSQL at ${s.host}:${s.port}`);
  const client = pooled.native;
  const lost = watchForLoss(client);
  for (const sql of POSTGRES_SESSION_SETUP) await client.query(sql);
  if (options.readOnly) await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
  return {
    async query(sql: string, params?: SqlValue[]): Promise<Row[]> {
      return (await client.query(sql, params)).rows as Row[];
    },
    async execute(sql: string, params?: SqlValue[]): Promise<number> {
      return (await client.query(sql, params)).rowCount ?? 0;
    },
    close: () => pooled.close(),
    lost,
  };
}

/** pg's connection errors: SQLSTATE codes from the server, pg's own message when the server answers an SSLRequest with "no". */
function classifyPostgres(err: unknown): ConnectFailure {
  const common = commonFailure(err);
  if (common) return common;
  const code = (err as { code?: unknown })?.code;
  if (code === '3D000') return 'database_missing';
  if (code === '28P01' || code === '28000') return 'auth';
  if (/does not support SSL/i.test((err as Error)?.message ?? '')) return 'tls_unavailable';
  return 'other';
}
