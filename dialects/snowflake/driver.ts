import type { Connection as SdkConnection, RowStatement } from 'snowflake-sdk';
import type { Connection, ConnectionSpec, ConnectOptions, Row, SqlValue } from '../types';
import { TheseusError } from '../../src/errors';
import { snowflakeSettings } from './connectionSettings';
import { classifySnowflake, snowflakeError } from './errors';
import { loadSnowflakeSdk } from './sdk';

/**
 * Seconds a statement waits for a table lock another transaction holds before
 * it fails (Snowflake's default is 12 hours). A slice's MERGE or a ledger
 * claim behind a long dlt load then fails as contention and is retried with
 * backoff, rather than holding a warehouse idle for hours.
 */
export const LOCK_TIMEOUT_SECONDS = 60;

/**
 * Run once per session. Every session reads and writes instants in UTC (window
 * bounds, ledger times, verify's days); timestamps come back as text in one
 * fixed shape the ledger reader parses, whatever the account's defaults; and a
 * MERGE whose target row two source rows match fails instead of picking one.
 */
export const SESSION_SETUP: readonly string[] = Object.freeze([
  "ALTER SESSION SET TIMEZONE = 'UTC'",
  `ALTER SESSION SET LOCK_TIMEOUT = ${LOCK_TIMEOUT_SECONDS}`,
  'ALTER SESSION SET ERROR_ON_NONDETERMINISTIC_MERGE = TRUE',
  "ALTER SESSION SET TIMESTAMP_NTZ_OUTPUT_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF6'",
  "ALTER SESSION SET TIMESTAMP_TZ_OUTPUT_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF6TZH:TZM'",
  "ALTER SESSION SET TIMESTAMP_LTZ_OUTPUT_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF6TZH:TZM'",
  "ALTER SESSION SET DATE_OUTPUT_FORMAT = 'YYYY-MM-DD'",
]);

/**
 * What a DBA finds in QUERY_HISTORY for every statement of a run: the tool,
 * the run id, the command and, once the executor labels the connection, the
 * unit (table and window: "orders 2023-02: backfill"), as JSON, so
 * PARSE_JSON(QUERY_TAG):run or :unit filters it.
 */
export function queryTag(options: ConnectOptions, unit?: string): string {
  return JSON.stringify({ tool: 'theseus', ...(options.runId ? { run: options.runId } : {}), ...(options.command ? { command: options.command } : {}), ...(unit ? { unit } : {}) });
}

/** Result row keys: an unquoted alias comes back upper-cased (RUN_ID); the core reads the lower-case names its templates write. */
function rowKeys(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[/^[A-Z_][A-Z0-9_$]*$/.test(k) ? k.toLowerCase() : k] = v;
  return out;
}

/**
 * The only file that talks to snowflake-sdk's connection. Numbers come back as
 * exact text (a NUMBER(19,0) checksum or count would lose digits as a double),
 * dates and timestamps as text in the session's fixed format; execute() returns
 * the rows a DML statement changed (0 for DDL and queries). Snowflake has no
 * read-only session: `readOnly` cannot be enforced by the server here, and dry
 * runs rely on Theseus issuing no writes.
 */
export async function connectSnowflake(spec: ConnectionSpec, options: ConnectOptions): Promise<Connection> {
  const s = snowflakeSettings(spec);
  const sdk = await loadSnowflakeSdk();
  const where = `Snowflake account ${s.account}`;
  let sdkConn: SdkConnection;
  try {
    sdkConn = sdk.createConnection({
      account: s.account,
      username: s.username,
      password: s.password,
      authenticator: s.authenticator,
      privateKeyPath: s.privateKeyPath,
      privateKeyPass: s.privateKeyPass,
      warehouse: s.warehouse,
      role: s.role,
      database: s.database,
      schema: s.schema,
      ...(s.accessUrl ? { accessUrl: s.accessUrl } : {}),
      application: 'theseus',
      // No connection-level queryTag: snowflake-sdk 3.3.0 writes it over every statement's own QUERY_TAG
      // (lib/connection/statement.js), and each statement carries its unit's tag below.
      // A backfill may run for hours with a worker idle between slices: the SDK renews the session's token meanwhile.
      clientSessionKeepAlive: true,
    });
    await new Promise<void>((resolve, reject) => sdkConn.connect((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    throw connectFailure(err, where);
  }
  // A request that gets no answer is resent by the SDK itself, with its request id (so Snowflake runs it once):
  // 7 times with backoff, then once more as a new request, about 95 s in all (snowflake-sdk 3.3.0 ignores
  // sfRetryMaxNumRetries on this path). Only then does the statement fail as a lost connection, and Theseus
  // reruns the whole unit on a new session.
  let lost = false;
  // Each statement's QUERY_TAG: the run, and once the executor labels the connection, the unit (table and window).
  let tag = queryTag(options);
  const run = (sql: string, params?: SqlValue[]) =>
    new Promise<{ stmt: RowStatement; rows: Record<string, unknown>[] }>((resolve, reject) => {
      sdkConn.execute({
        sqlText: sql,
        binds: params as never,
        parameters: { QUERY_TAG: tag },
        fetchAsString: ['Number', 'Date'],
        complete: (err, stmt, rows) => {
          if (!err) return resolve({ stmt: stmt as RowStatement, rows: (rows ?? []) as Record<string, unknown>[] });
          const mapped = snowflakeError(err);
          if (mapped.transient === 'connection') lost = true;
          reject(mapped);
        },
      });
    });
  try {
    for (const sql of SESSION_SETUP) await run(sql);
  } catch (err) {
    await destroy(sdkConn);
    throw err;
  }
  return {
    async query(sql: string, params?: SqlValue[]): Promise<Row[]> {
      return (await run(sql, params)).rows.map(rowKeys);
    },
    async execute(sql: string, params?: SqlValue[]): Promise<number> {
      const changed = (await run(sql, params)).stmt.getNumUpdatedRows();
      // −1 (or nothing) for a statement that is not DML.
      return typeof changed === 'number' && changed > 0 ? changed : 0;
    },
    close: () => destroy(sdkConn),
    lost: () => lost,
    label: (title: string) => {
      tag = queryTag(options, title);
    },
  };
}

function destroy(conn: SdkConnection): Promise<void> {
  return new Promise((resolve) => conn.destroy(() => resolve()));
}

/** One line saying why the login failed and what to check; CANNOT_CONNECT is retried where the core retries reconnects. */
function connectFailure(err: unknown, where: string): TheseusError {
  const mapped = snowflakeError(err);
  const code = mapped.code ?? '';
  if (/^3901/.test(code) && classifySnowflake(mapped) !== 'connection') {
    return new TheseusError('database', 'CANNOT_CONNECT', `cannot connect to ${where}: ${mapped.message}`, 'Snowflake refused these credentials: check username and password (or private_key_path) in connection:', { cause: mapped });
  }
  if (/^404/.test(code)) {
    return new TheseusError('usage', 'CONFIG_INVALID', `connection: ${mapped.message}`, 'check the settings in connection: (see the README, section Snowflake)', { cause: mapped });
  }
  return new TheseusError('database', 'CANNOT_CONNECT', `cannot connect to ${where}: ${mapped.message}`, 'is the account name right, and is Snowflake reachable from here (proxy, private link: access_url)?', { cause: mapped });
}
