import * as net from 'node:net';
import type { Connection as MysqlConnection } from 'mysql2';
import type { Connection, ConnectionSpec, ConnectOptions, Row, SqlValue } from '../types';
import { MYSQL_SESSION_SETUP } from './session';
import { type ConnectFailure, commonFailure } from '../server/connectFailure';
import { acquireConnection } from '../server/knexPool';
import { serverSettings } from '../server/settings';
import { watchForLoss } from '../server/connectionLoss';
import { tlsOptions } from '../server/tls';
import { mysqlProfile } from './connectionProfile';
import { usageError } from '../../src/errors';

interface OkPacket {
  affectedRows: number;
  info?: string;
}

/**
 * "Rows changed" as MERGE counts them (inserted + updated). Without
 * CLIENT_FOUND_ROWS, ON DUPLICATE KEY UPDATE reports 1 per inserted row, 2
 * per updated row and 0 per unchanged row, and its info line says
 * "Records: R  Duplicates: D" with D = the rows updated; so inserted + updated
 * = affected − D. Any other statement: its affected rows.
 */
export function rowsChanged(result: OkPacket): number {
  const m = /Records:\s*(\d+)\s+Duplicates:\s*(\d+)/.exec(result.info ?? '');
  return m ? result.affectedRows - Number(m[2]) : result.affectedRows;
}

/**
 * The only file that imports `mysql2`. The session is UTC; dates and big
 * numbers come back as text (never shifted or rounded by JavaScript);
 * FOUND_ROWS is switched off so an unchanged row counts 0 (dialects.md §10).
 * Statements with parameters are prepared server-side (`execute`), so a `?`
 * inside a literal is never taken for a placeholder.
 */
export async function connectMysql(spec: ConnectionSpec, options: ConnectOptions): Promise<Connection> {
  const s = serverSettings(spec, mysqlProfile);
  if (s.tls.mode === 'verify-full' && net.isIP(s.host)) {
    // mysql2 gives Node no server name for an IP address, so the certificate would be checked against "localhost".
    throw usageError('CONFIG_INVALID', `${s.tls.written} needs a host name, not the address ${s.host}: the MySQL driver cannot check an address against the certificate`, 'connect by the host name the server\'s certificate names, or use ssl-mode=VERIFY_CA');
  }
  const tls = s.tls.mode === 'disable' ? undefined : tlsOptions(s.tls);
  const connection = (encrypted: boolean) => ({
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database: s.database,
    ssl: encrypted && tls ? { rejectUnauthorized: tls.rejectUnauthorized, verifyIdentity: tls.verifyHost, ca: tls.ca, cert: tls.cert, key: tls.key } : undefined,
    flags: ['-FOUND_ROWS'],
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    timezone: 'Z',
    multipleStatements: false,
  });
  const pooled = await acquireConnection<MysqlConnection>({ client: 'mysql2', connection, classify: classifyMysql }, s, `MySQL/MariaDB at ${s.host}:${s.port}`);
  const native = pooled.native;
  const lost = watchForLoss(native);
  const run = (sql: string, params?: SqlValue[]) =>
    new Promise<unknown>((resolve, reject) => {
      const done = (err: unknown, result: unknown) => (err ? reject(err) : resolve(result));
      if (params && params.length) native.execute(sql, params, done);
      else native.query(sql, done);
    });
  for (const sql of MYSQL_SESSION_SETUP) await run(sql);
  if (options.readOnly) await run('SET SESSION TRANSACTION READ ONLY');
  return {
    async query(sql: string, params?: SqlValue[]): Promise<Row[]> {
      return (await run(sql, params)) as Row[];
    },
    async execute(sql: string, params?: SqlValue[]): Promise<number> {
      const result = (await run(sql, params)) as OkPacket | Row[];
      return Array.isArray(result) ? 0 : rowsChanged(result);
    },
    close: () => pooled.close(),
    lost,
  };
}

/** mysql2's connection errors: the server's error names, mysql2's own code when the server offers no TLS. */
function classifyMysql(err: unknown): ConnectFailure {
  const common = commonFailure(err);
  if (common) return common;
  const code = (err as { code?: unknown })?.code;
  if (code === 'ER_BAD_DB_ERROR') return 'database_missing';
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') return 'auth';
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') return 'tls_unavailable';
  // mysql2 replaces Node's code of a failed TLS handshake with its own; the message still says what failed.
  if (code === 'HANDSHAKE_SSL_ERROR' && /certificate|altnames/i.test((err as Error)?.message ?? '')) return 'tls_untrusted';
  return 'other';
}
