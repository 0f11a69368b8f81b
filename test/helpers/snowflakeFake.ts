/**
 * A local stand-in for Snowflake's REST API, enough for the real snowflake-sdk
 * to log in, run statements with binds, poll a long query and get errors
 * (after the research script sf-fake.js, which ran against snowflake-sdk
 * 3.3.0). It listens on 127.0.0.1 only, records every request (method, path,
 * auth header, JSON body), and answers each statement by its text:
 *   SYNTAX_ERROR …  → 001003 SQL compilation error
 *   … LOCKED …      → 000625 lock wait error
 *   … DROP_ONCE …   → the first such request's socket is destroyed without an answer; its resend is answered
 *   SLOW …          → 333333 "in progress" twice, then a row
 *   MERGE …         → the MERGE result row (number of rows inserted / updated)
 *   UPDATE …        → the UPDATE result row (1 row updated)
 *   ALTER SESSION … → remembered; every later result echoes the session's parameters, as Snowflake's do
 *   CREATE …        → a status row (DDL); BEGIN, COMMIT, ROLLBACK likewise
 *   … AS keys_twice → options.keysTwice (default 0)
 *   SHOW WAREHOUSES → warehouse WH with 3 statements running and 2 queued
 *   anything else   → one row: N = 42, H = -4531316398012640581 (a NUMBER(19,0)), TS = 2024-01-01 00:00:00 (TIMESTAMP_NTZ)
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';

export interface RecordedRequest {
  method: string;
  path: string;
  auth?: string;
  body?: { sqlText?: string; bindings?: Record<string, { type: string; value: unknown }>; parameters?: Record<string, unknown>; data?: Record<string, unknown> };
}

/** Tables the fake's INFORMATION_SCHEMA holds (with a catalog, a statement it cannot answer fails, naming itself). */
export interface FakeTable {
  schema: string;
  name: string;
  type?: 'BASE TABLE' | 'VIEW';
  columns: Array<{ name: string; dataType: string; nullable?: boolean; precision?: number; scale?: number; length?: number; datetimePrecision?: number }>;
}

export interface SnowflakeFake {
  url: string;
  requests: RecordedRequest[];
  /** The statements received, in order (sqlText of each query request). */
  statements(): string[];
  close(): Promise<void>;
}

type Answer = Record<string, unknown> | 'drop';

const ok = (data: unknown) => ({ data, code: null, message: null, success: true });
const col = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name, type, nullable: true, scale: 0, precision: 38, length: null, byteLength: null, database: '', schema: '', table: '', collation: null, ...extra,
});
const failure = (code: string, sqlState: string, message: string, queryId: string) => ({
  data: { internalError: false, errorCode: code, age: 0, sqlState, queryId, line: -1, pos: -1, type: 'COMPILATION' }, code, message, success: false, headers: null,
});

export async function startSnowflakeFake(options: { password?: string; pollsBeforeResult?: number; catalog?: FakeTable[]; keysTwice?: number } = {}): Promise<SnowflakeFake> {
  const requests: RecordedRequest[] = [];
  const session = new Map<string, string>([['TIMEZONE', 'America/Los_Angeles']]);
  const pending = new Map<string, number>();
  const dropped = new Set<string>();
  const parameters = () => [...session].map(([name, value]) => ({ name, value }));
  const result = (queryId: string, statementTypeId: number, rowtype: unknown[], rowset: unknown[][]) =>
    ok({ parameters: parameters(), rowtype, rowset, total: rowset.length, returned: rowset.length, queryId, databaseProvider: null, finalDatabaseName: 'DB',
      finalSchemaName: 'MIG', finalWarehouseName: 'WH', finalRoleName: 'MIGRATOR', numberOfBinds: 0, arrayBindSupported: false, statementTypeId, version: 1,
      sendResultTime: Date.now(), queryResultFormat: 'json' });
  const status = (id: string) => result(id, 0x6000, [col('status', 'text')], [['Statement executed successfully.']]);

  function route(req: http.IncomingMessage, body: RecordedRequest['body']): Answer {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/session/v1/login-request') {
      if (body?.data?.PASSWORD !== (options.password ?? 'secret')) {
        return { data: { nextAction: null, authnMethod: 'USERNAME_PASSWORD' }, code: '390100', message: 'Incorrect username or password was specified.', success: false };
      }
      return ok({ token: 'SESSION-TOKEN', masterToken: 'MASTER-TOKEN', validityInSeconds: 3600, masterValidityInSeconds: 14400, sessionId: 1234,
        parameters: parameters(), sessionInfo: { databaseName: 'DB', schemaName: 'MIG', warehouseName: 'WH', roleName: 'MIGRATOR' } });
    }
    if (u.pathname === '/queries/v1/query-request') {
      const sql = body?.sqlText ?? '';
      const n = requests.length;
      if (/SYNTAX_ERROR/.test(sql)) return failure('001003', '42000', "SQL compilation error:\nsyntax error line 1 at position 0 unexpected 'SYNTAX_ERROR'.", `q-err-${n}`);
      if (/LOCKED/.test(sql)) {
        return failure('000625', '57014', `Statement 'q-lock-${n}' has locked table 'SLICES' in transaction 1733130000000 and this lock has not yet been released.\nYour statement 'q-${n}' was aborted because the number of waiters for this lock exceeds the 20 statements limit.`, `q-lock-${n}`);
      }
      if (/DROP_ONCE/.test(sql) && !dropped.has(sql)) {
        dropped.add(sql);
        return 'drop';
      }
      const set = /^ALTER SESSION SET (\w+) = '?([^']*)'?$/i.exec(sql);
      if (set) {
        session.set(set[1].toUpperCase(), set[2]);
        return status(`q-alter-${n}`);
      }
      if (/^\s*(CREATE|DROP|ALTER)\b/i.test(sql)) return status(`q-ddl-${n}`);
      if (/^(BEGIN|COMMIT|ROLLBACK)$/.test(sql)) return status(`q-tx-${n}`);
      if (/^SELECT count\(\*\) AS keys_twice FROM/.test(sql)) return result(`q-twice-${n}`, 0x1000, [col('KEYS_TWICE', 'fixed')], [[String(options.keysTwice ?? 0)]]);
      if (/^SELECT CURRENT_WAREHOUSE\(\) AS warehouse$/.test(sql)) return result(`q-wh-${n}`, 0x1000, [col('WAREHOUSE', 'text')], [['WH']]);
      // SHOW's columns are lower-case.
      if (/^SHOW WAREHOUSES LIKE 'WH'$/.test(sql)) {
        return result(`q-show-${n}`, 0x1000, [col('name', 'text'), col('state', 'text'), col('running', 'fixed'), col('queued', 'fixed')], [['WH', 'STARTED', '3', '2']]);
      }
      if (/^\s*MERGE\b/i.test(sql)) return result(`q-merge-${n}`, 0x3400, [col('number of rows inserted', 'fixed'), col('number of rows updated', 'fixed')], [['3', '4']]);
      if (/^\s*UPDATE\b/i.test(sql)) return result(`q-update-${n}`, 0x3200, [col('number of rows updated', 'fixed'), col('number of multi-joined rows updated', 'fixed')], [['1', '0']]);
      if (options.catalog) {
        const answer = informationSchema(options.catalog, sql, Object.values(body?.bindings ?? {}).map((b) => (b.value === null ? null : String(b.value))));
        if (answer) return result(`q-info-${n}`, 0x1000, answer.columns.map((c) => col(c, 'text')), answer.rows);
        if (!/^\s*(SLOW|MERGE|UPDATE)\b/i.test(sql)) return failure('002003', '42S02', `SQL compilation error:\nthe fake has no answer for: ${sql.split('\n')[0]}`, `q-unknown-${n}`);
      }
      if (/^\s*SLOW\b/.test(sql)) {
        const id = `q-slow-${n}`;
        pending.set(id, options.pollsBeforeResult ?? 2);
        return { data: { queryId: id, getResultUrl: `/queries/${id}/result` }, code: '333333', message: 'Query execution in progress', success: true };
      }
      return result(`q-select-${n}`, 0x1000, [col('N', 'fixed'), col('H', 'fixed', { precision: 19 }), col('TS', 'timestamp_ntz', { scale: 9 })], [['42', '-4531316398012640581', '1704067200.000000000']]);
    }
    const polled = /^\/queries\/([^/]+)\/result$/.exec(u.pathname);
    if (polled) {
      const id = polled[1];
      const left = pending.get(id) ?? 0;
      if (left > 0) {
        pending.set(id, left - 1);
        return { data: { queryId: id, getResultUrl: `/queries/${id}/result` }, code: '333333', message: 'Query execution in progress', success: true };
      }
      return result(id, 0x1000, [col('X', 'fixed')], [['1']]);
    }
    if (u.pathname === '/session' && u.searchParams.get('delete') === 'true') return ok(null);
    if (u.pathname === '/telemetry/send') return ok(null);
    if (u.pathname === '/session/heartbeat') return ok(null);
    return { success: false, code: '000404', message: `unhandled ${req.method} ${u.pathname}`, data: null };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = zlib.gunzipSync(raw);
      const body = raw.length ? (JSON.parse(raw.toString()) as RecordedRequest['body']) : undefined;
      requests.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization, body });
      const answer = route(req, body);
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    statements: () => requests.filter((r) => r.path.startsWith('/queries/v1/query-request')).map((r) => r.body?.sqlText ?? ''),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** INFORMATION_SCHEMA's TABLES, COLUMNS and SCHEMATA over the catalog, for the statements dialects/snowflake/introspect.ts sends. */
function informationSchema(catalog: FakeTable[], sql: string, binds: Array<string | null>): { columns: string[]; rows: unknown[][] } | undefined {
  const upper = (v: string | null) => (v === null ? null : v.toUpperCase());
  if (/FROM INFORMATION_SCHEMA\.TABLES/.test(sql)) {
    const [name, schema] = binds;
    const rows = catalog.filter((t) => t.name.toUpperCase() === upper(name) && (schema === null || t.schema.toUpperCase() === upper(schema)));
    return { columns: ['SCHEMA_NAME', 'TABLE_NAME', 'TABLE_TYPE'], rows: rows.map((t) => [t.schema, t.name, t.type ?? 'BASE TABLE']) };
  }
  if (/FROM INFORMATION_SCHEMA\.COLUMNS/.test(sql)) {
    const [schema, name] = binds;
    const t = catalog.find((x) => x.schema === schema && x.name === name);
    const text = (v: number | undefined) => (v === undefined ? null : String(v));
    return {
      columns: ['COLUMN_NAME', 'DATA_TYPE', 'IS_NULLABLE', 'CHAR_LENGTH', 'NUMERIC_PRECISION', 'NUMERIC_SCALE', 'DATETIME_PRECISION'],
      rows: (t?.columns ?? []).map((c) => [c.name, c.dataType, c.nullable === false ? 'NO' : 'YES', text(c.length), text(c.precision), text(c.scale), text(c.datetimePrecision)]),
    };
  }
  // Probes that only compile a statement (does this cast work?) and read nothing.
  if (/\bWHERE 1 = 0$/.test(sql)) return { columns: ['X'], rows: [] };
  if (/FROM INFORMATION_SCHEMA\.SCHEMATA/.test(sql)) {
    return { columns: ['PRESENT'], rows: catalog.some((t) => t.schema === binds[0]) ? [['1']] : [] };
  }
  return undefined;
}
