import * as crypto from 'node:crypto';
import type { TableRef } from '../../src/config/types';
import type { ColumnInfo, Connection, ConnectionSpec, ConnectOptions, Dialect } from '../types';
import { largeObjectKey } from './keyIndex';
import { qualifyWith, utcTimestampText } from '../ansi';
import { usageError } from '../../src/errors';
import type { CursorUnit } from '../../src/config/types';
import { introspectMysql, mysqlSchemaExists } from './introspect';
import { mysqlDependents } from './dependents';
import { MYSQL_SESSION_SETUP } from './session';

export function quoteBacktick(name: string): string {
  if (name.includes('\u0000')) throw usageError('BAD_IDENTIFIER', `identifier ${JSON.stringify(name)} contains a NUL character`);
  return `\`${name.replace(/`/g, '``')}\``;
}

/**
 * A string literal that means the same with or without NO_BACKSLASH_ESCAPES:
 * quotes are doubled, and a value holding a backslash is written as a
 * utf8mb4 hex literal instead (a backslash means different things in the two modes).
 */
export function mysqlStringLiteral(value: string): string {
  if (value.includes('\u0000')) throw usageError('BAD_LITERAL', 'a value contains a NUL character and cannot be written as SQL');
  if (value.includes('\\')) return `_utf8mb4 X'${Buffer.from(value, 'utf8').toString('hex')}'`;
  return `'${value.replace(/'/g, "''")}'`;
}

/** CAST accepts only a few target types (SIGNED, DECIMAL(p,s), CHAR, DATETIME(n), …): the nearest one for a column type. */
export function castTarget(type: string): string {
  const t = type.trim().toLowerCase();
  if (/^(tinyint|smallint|mediumint|int|integer|bigint)\b/.test(t)) return /unsigned/.test(t) ? 'UNSIGNED' : 'SIGNED';
  if (/^(bit|year)\b/.test(t)) return 'UNSIGNED';
  const decimal = /^(decimal|numeric|dec|fixed)\s*(\(\s*\d+\s*(,\s*\d+\s*)?\))?/.exec(t);
  if (decimal) return `DECIMAL${(decimal[2] ?? '').replace(/\s+/g, '')}`;
  if (/^(double|real|float)\b/.test(t)) return 'DOUBLE';
  const datetime = /^(datetime|timestamp)\s*(\(\s*\d\s*\))?/.exec(t);
  if (datetime) return `DATETIME${(datetime[2] ?? '').replace(/\s+/g, '')}`;
  if (/^date$/.test(t)) return 'DATE';
  const time = /^time\s*(\(\s*\d\s*\))?$/.exec(t);
  if (time) return `TIME${(time[1] ?? '').replace(/\s+/g, '')}`;
  if (/^(binary|varbinary|tinyblob|blob|mediumblob|longblob)\b/.test(t)) return 'BINARY';
  // A length is kept, so a narrowing the config accepts (allow_narrowing) truncates as the cast says, where
  // strict mode would refuse the INSERT of a longer value.
  const text = /^(varchar|char|character varying|character)\s*\(\s*(\d+)\s*\)/.exec(t);
  if (text) return `CHAR(${text[2]})`;
  return 'CHAR';
}

/** `int(11)` and `INT` are the same type; display widths and spacing do not matter. */
function canonicalType(type: string): string {
  return type
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*\(\s*/g, '(')
    .replace(/\s*,\s*/g, ',')
    .replace(/\s*\)/g, ')')
    .replace(/^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)/, '$1')
    .replace(/^integer/, 'int')
    .replace(/^numeric/, 'decimal')
    .trim();
}

const isUtc = (zone: string) => zone.toUpperCase() === 'UTC';
/** UTC as an offset, which needs no time zone tables; other zones by name. */
const mysqlZone = (zone: string) => (isUtc(zone) ? "'+00:00'" : mysqlStringLiteral(zone));
const EPOCH = "TIMESTAMP '1970-01-01 00:00:00'";

/** TIMESTAMPADD's unit and the factor that brings an epoch count to it (it has no millisecond unit). */
const EPOCH_UNIT: Record<CursorUnit, [string, string]> = { s: ['SECOND', ''], ms: ['MICROSECOND', ' * 1000'], us: ['MICROSECOND', ''] };

function lockKey(name: string): string {
  // GET_LOCK names are at most 64 characters.
  return `theseus:${crypto.createHash('sha256').update(name).digest('hex').slice(0, 48)}`;
}

/**
 * MySQL 8 / MariaDB 10.11: no MERGE (a slice is INSERT … SELECT … ON DUPLICATE
 * KEY UPDATE, which needs a unique index on the key), DDL commits implicitly,
 * GET_LOCK for one operator at a time, and a schema is a database.
 * The inserted row's values are read with VALUES(col): MariaDB's only form.
 * MySQL 8.0.20+ deprecates it (warning 1287) but still runs it; its alias
 * form could not be tried against a MySQL 8 server here.
 */
export const mysql: Dialect = Object.freeze({
  sessionSetup: MYSQL_SESSION_SETUP,
  name: 'mysql',
  templates: Object.freeze(['mysql']),
  capabilities: Object.freeze({ transactionalDdl: false, advisoryLock: true, upsert: 'on_duplicate_key', onConflictWhenKeyIndexed: false, mergeLocksOutWriters: false, viewReplaceAppendOnly: false, concurrentSlices: true, countedUpserts: Object.freeze([] as const) }),
  // ON DUPLICATE KEY UPDATE's ROW_COUNT() is 1 per inserted row, 2 per updated one, 0 per row left as it was (the
  // driver and the mariadb client both leave CLIENT_FOUND_ROWS off), so the updated rows are half of what the inserts leave.
  lastRowCount: Object.freeze({ updatedByUpsert: (inserted: string) => `GREATEST(0, (ROW_COUNT() - ${inserted}) DIV 2)` }),
  stateTypes: Object.freeze({ text: 'VARCHAR(191)', longText: 'TEXT', bigint: 'BIGINT', timestamp: 'DATETIME(6)' }),
  stagingLikeTarget: true,
  secondaryIndexes: true,
  // Databases, tables, views and columns: 64 characters; a longer name is refused (ER_TOO_LONG_IDENT, ER_WRONG_TABLE_NAME).
  maxIdentifierLength: Object.freeze({ max: 64, unit: 'characters' as const }),
  // dlt loads MySQL/MariaDB through its sqlalchemy destination, which sets 64 (impl/sqlalchemy/dialect.py, MysqlDialectCapabilities).
  dltMaxNameLength: 64,
  textType: 'CHAR',
  now: 'UTC_TIMESTAMP(6)',
  quoteIdent: quoteBacktick,
  qualify: qualifyWith(quoteBacktick),
  stringLiteral: mysqlStringLiteral,
  // The server's default SQL mode reads a backslash in a string ('…' or "…") as an escape, NO_BACKSLASH_ESCAPES does
  // not; names in backticks have none. mysqlStringLiteral never writes a backslash, so only a user's expr holds one.
  backslashEscapesIn: '\'"',
  backslashUnsure: true,
  hashComments: true,
  // MySQL has no zoned type: an instant is its wall time in the session's zone, which is how TIMESTAMP
  // columns read and write. FROM_UNIXTIME and UNIX_TIMESTAMP convert in the session's zone (a view may not
  // name @@session.time_zone), so the SQL means the same instant in any session: ours run in UTC, a DBA's
  // or a reader's may not. Named legacy zones need the server's time zone tables (mariadb-tzinfo-to-sql).
  timestampLiteral: (utc: Date, zoned: boolean) => (zoned ? `FROM_UNIXTIME(${utc.getTime() / 1000})` : `TIMESTAMP '${utcTimestampText(utc)}'`),
  timePrecision: 0,
  boundedTextTypes: Object.freeze({ tinytext: 255, text: 65_535, mediumtext: 16_777_215 }),
  naiveTimestampType: 'DATETIME(6)',
  // The default collation ignores case ('abc' ties 'ABC'); bytes do not.
  exactOrderText: (expr: string) => `CAST(${expr} AS BINARY)`,
  wallTimeToInstant: (expr: string, zone: string) => {
    const utc = isUtc(zone) ? expr : `CONVERT_TZ(${expr}, ${mysqlZone(zone)}, '+00:00')`;
    return `(FROM_UNIXTIME(TIMESTAMPDIFF(SECOND, ${EPOCH}, ${utc})) + INTERVAL MICROSECOND(${utc}) MICROSECOND)`;
  },
  instantToWallTime: (expr: string, zone: string) => {
    const utc = `(TIMESTAMPADD(SECOND, FLOOR(UNIX_TIMESTAMP(${expr})), ${EPOCH}) + INTERVAL MICROSECOND(${expr}) MICROSECOND)`;
    return isUtc(zone) ? utc : `CONVERT_TZ(${utc}, '+00:00', ${mysqlZone(zone)})`;
  },
  convertWallTime: (expr: string, fromZone: string, toZone: string) => `CONVERT_TZ(${expr}, ${mysqlZone(fromZone)}, ${mysqlZone(toZone)})`,
  zoneConversionRange: Object.freeze({ from: new Date(Date.UTC(1970, 0, 1, 0, 0, 1)), until: new Date(Date.UTC(2038, 0, 19, 3, 14, 7)) }),
  epochToUtcWallTime: (expr: string, unit: CursorUnit) => `TIMESTAMPADD(${EPOCH_UNIT[unit][0]}, ${expr}${EPOCH_UNIT[unit][1]}, ${EPOCH})`,
  placeholder: () => '?',
  cast: (expr: string, type: string) => `CAST(${expr} AS ${castTarget(type)})`,
  isDistinct: (a: string, b: string) => `NOT (${a} <=> ${b})`,
  // NULL sorts lowest, so a descending order already puts NULLs last.
  descNullsLast: (expr: string) => `${expr} DESC`,
  md5Hex: (expr: string) => `md5(${expr})`,
  hash60: (text: string) => `CAST(CONV(SUBSTRING(MD5(${text}), 1, 15), 16, 10) AS UNSIGNED)`,
  // Sessions run in UTC, so DATETIME (naive) and TIMESTAMP (zoned) both count from the UTC epoch.
  epochMicros: (expr: string) => `TIMESTAMPDIFF(MICROSECOND, TIMESTAMP '1970-01-01 00:00:00', ${expr})`,
  // DATEDIFF compares calendar days, so 1969-12-31 23:00 is day -1 (a division would round toward zero).
  epochDay: (expr: string) => `DATEDIFF(${expr}, DATE '1970-01-01')`,
  concat: (parts: string[]) => `concat(${parts.join(', ')})`,
  isZonedTimestamp: (type: string) => /^timestamp/i.test(type.trim()),
  sameType: (a: string, b: string) => canonicalType(a) === canonicalType(b),
  connect: async (connection: ConnectionSpec, options: ConnectOptions) => (await import('./driver')).connectMysql(connection, options),
  introspect: introspectMysql,
  dependents: mysqlDependents,
  schemaExists: mysqlSchemaExists,
  unindexableKey: (column: ColumnInfo, target: TableRef) => largeObjectKey(column, quoteBacktick(column.name), qualifyWith(quoteBacktick)(target)),
  // The sessions read committed (driver.ts), so a plain read locks nothing.
  lockReadRows: () => 'FOR UPDATE',
  operatorLock: Object.freeze({
    tryLock: 'SELECT GET_LOCK(?, 0) AS acquired',
    release: 'SELECT RELEASE_LOCK(?) AS released',
    key: lockKey,
    // IS_USED_LOCK names the holding connection (NULL when the lock is free).
    heldHere: 'SELECT COALESCE(IS_USED_LOCK(?) = CONNECTION_ID(), 0) AS held',
    heldByAnyone: 'SELECT IS_USED_LOCK(?) IS NOT NULL AS held',
    // wait_timeout's largest value (a year): the server would otherwise end the idle lock session after 8 hours.
    sessionSetup: Object.freeze(['SET SESSION wait_timeout = 31536000']),
  }),
  loadSignal: Object.freeze({
    names: Object.freeze(['active', 'threads_running']),
    describe: 'Threads_running',
    read: async (conn: Connection) => {
      // SHOW works on MySQL 5.7/8 and MariaDB alike (information_schema.GLOBAL_STATUS does not); the asking thread counts itself.
      const [row] = await conn.query("SHOW GLOBAL STATUS LIKE 'Threads_running'");
      const running = Math.max(0, Number(row?.Value ?? row?.VALUE ?? 0) - 1);
      return { active: running, threads_running: running };
    },
    countsOwnSlices: Object.freeze(['active', 'threads_running']),
  }),
});

