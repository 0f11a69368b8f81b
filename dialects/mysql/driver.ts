import type { Connection as MysqlConnection } from 'mysql2';
import type { Connection, ConnectionSpec, ConnectOptions, Row, SqlValue } from '../types';
import { acquireConnection } from '../server/knexPool';
import { serverSettings } from '../server/settings';

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
  const s = serverSettings(spec, ['mysql', 'mariadb'], 3306);
  const connection = {
    ...s,
    flags: ['-FOUND_ROWS'],
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    timezone: 'Z',
    multipleStatements: false,
  };
  const pooled = await acquireConnection<MysqlConnection>('mysql2', connection, `MySQL/MariaDB at ${s.host}:${s.port}`);
  const native = pooled.native;
  const run = (sql: string, params?: SqlValue[]) =>
    new Promise<unknown>((resolve, reject) => {
      const done = (err: unknown, result: unknown) => (err ? reject(err) : resolve(result));
      if (params && params.length) native.execute(sql, params, done);
      else native.query(sql, done);
    });
  await run("SET time_zone = '+00:00'");
  // The character set's default collation, as tables get by default: literals and CASTs must not
  // carry the driver's own collation, or UNIONs with table columns fail with "Illegal mix of collations".
  await run('SET NAMES utf8mb4');
  // A slice's assertions must see rows a live writer committed while the slice ran. Under InnoDB's
  // default REPEATABLE READ, a SELECT after the upsert reads the snapshot taken by the slice's first
  // read, so a key the writer inserted meanwhile (and the upsert left alone, being older) looked missing.
  await run('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
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
  };
}
