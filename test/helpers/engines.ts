import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { loadDialect } from '../../dialects';
import type { Connection, Dialect, Row } from '../../dialects/types';
import { cleanup, tempDir, writeConfig } from './warehouse';

/**
 * The engines a suite runs against, and a sandbox per test file on each:
 * DuckDB in a temp file, PostgreSQL in a database of its own, MariaDB in
 * databases sharing a random prefix (a schema is a database there). Each
 * sandbox is dropped afterwards, so runs never collide.
 */
export type EngineName = 'duckdb' | 'postgres' | 'mysql';
export const ALL_ENGINES: EngineName[] = ['duckdb', 'postgres', 'mysql'];

export const SERVER_URLS: Record<Exclude<EngineName, 'duckdb'>, string> = {
  postgres: process.env.THESEUS_TEST_POSTGRES ?? 'postgres://root@127.0.0.1:5432/postgres',
  mysql: process.env.THESEUS_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306',
};

/** The engines to test: DIALECTS (e.g. DIALECTS=postgres,mysql) narrows them; the global setup drops absent servers outside CI. */
export function testEngines(): EngineName[] {
  const available = process.env.THESEUS_ENGINES_AVAILABLE?.split(',') ?? ALL_ENGINES;
  return requestedEngines().filter((e) => available.includes(e));
}

export function requestedEngines(): EngineName[] {
  const wanted = (process.env.DIALECTS ?? ALL_ENGINES.join(','))
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .map((d) => (d === 'mariadb' ? 'mysql' : d === 'postgresql' ? 'postgres' : d))
    .filter(Boolean);
  const unknown = wanted.filter((d) => !ALL_ENGINES.includes(d as EngineName));
  if (unknown.length) throw new Error(`DIALECTS names unknown engines: ${unknown.join(', ')} (known: ${ALL_ENGINES.join(', ')})`);
  return wanted as EngineName[];
}

export interface Sandbox {
  engine: EngineName;
  dialect: Dialect;
  /** Temp folder for configs and SQL files. */
  dir: string;
  /** The physical name of a logical schema (MariaDB prefixes it: each sandbox is its own set of databases). */
  schema(logical: string): string;
  /** `schema.table` as the config writes it. */
  ref(logical: string, table: string): string;
  /** Quoted, qualified, for SQL in tests. */
  q(logical: string, table: string): string;
  quote(name: string): string;
  /** What the config's connection: says (a DuckDB path, or a server URL). */
  connection: string;
  /** The state schema's physical name. */
  stateSchema: string;
  /** The top of a config: dialect, connection, state_schema. */
  configHead(): string;
  writeConfig(tablesYaml: string, name?: string): string;
  query(sql: string, params?: Array<string | number | null>): Promise<Row[]>;
  exec(sql: string): Promise<void>;
  /** Creates a schema (a database on MariaDB). */
  createSchema(logical: string): Promise<void>;
  drop(): Promise<void>;
}

const suffix = () => crypto.randomBytes(4).toString('hex');

export async function openSandbox(engine: EngineName): Promise<Sandbox> {
  const dialect = await loadDialect(engine);
  const dir = tempDir(`theseus-${engine}-`);
  const id = suffix();
  if (engine === 'duckdb') {
    const database = path.join(dir, 'warehouse.duckdb');
    const { connectDuckDb } = await import('../../dialects/duckdb/driver');
    // DuckDB admits one writing process per file: connect per call, so the CLI can open the file in between.
    const withConn = async <T>(body: (c: Connection) => Promise<T>): Promise<T> => {
      const c = await connectDuckDb(database, { readOnly: false, create: true });
      try {
        return await body(c);
      } finally {
        await c.close();
      }
    };
    return base(engine, dialect, dir, (s) => s, {
      connection: database,
      query: (sql, params) => withConn((c) => c.query(sql, params)),
      exec: async (sql) => void (await withConn((c) => c.execute(sql))),
      drop: async () => cleanup(dir),
    });
  }
  if (engine === 'postgres') {
    const admin = await dialect.connect(SERVER_URLS.postgres, { readOnly: false });
    const database = `theseus_${id}`;
    await admin.execute(`CREATE DATABASE ${database}`);
    const url = new URL(SERVER_URLS.postgres);
    url.pathname = `/${database}`;
    const conn = await dialect.connect(url.toString(), { readOnly: false });
    return base(engine, dialect, dir, (s) => s, {
      connection: url.toString(),
      query: (sql, params) => conn.query(sql, params),
      exec: async (sql) => void (await conn.execute(sql)),
      drop: async () => {
        await conn.close();
        await admin.execute(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await admin.close();
        cleanup(dir);
      },
    });
  }
  const conn = await dialect.connect(SERVER_URLS.mysql, { readOnly: false });
  const prefix = `t${id}`;
  return base(engine, dialect, dir, (s) => `${prefix}_${s.replace(/^_/, '')}`, {
    connection: SERVER_URLS.mysql,
    query: (sql, params) => conn.query(sql, params),
    exec: async (sql) => void (await conn.execute(sql)),
    drop: async () => {
      const dbs = await conn.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [`${prefix}\\_%`]);
      // A sandbox's foreign keys may cross its databases (retireDependents): dropped in whatever order SCHEMATA lists them.
      await conn.execute('SET FOREIGN_KEY_CHECKS = 0');
      for (const d of dbs) await conn.execute(`DROP DATABASE IF EXISTS \`${String(d.name)}\``);
      await conn.close();
      cleanup(dir);
    },
  });
}

function base(
  engine: EngineName,
  dialect: Dialect,
  dir: string,
  schema: (logical: string) => string,
  io: { connection: string; query: Sandbox['query']; exec: Sandbox['exec']; drop: () => Promise<void> },
): Sandbox {
  const stateSchema = schema('_migrate');
  // DuckDB runs inside each migrate process, with a thread per core by default: on CI's two cores, with two test
  // files running at once, its threads only contend (a backfill took a sixth more CPU). One thread a process.
  const engineSettings = engine === 'duckdb' ? 'duckdb:\n  threads: 1\n' : '';
  const head = `dialect: ${engine}\nconnection: ${JSON.stringify(io.connection)}\nstate_schema: ${stateSchema}\n${engineSettings}`;
  const sandbox: Sandbox = {
    engine,
    dialect,
    dir,
    schema,
    ref: (logical, table) => `${schema(logical)}.${table}`,
    q: (logical, table) => dialect.qualify({ schema: schema(logical), name: table }),
    quote: (name) => dialect.quoteIdent(name),
    connection: io.connection,
    stateSchema,
    configHead: () => head,
    writeConfig: (tablesYaml, name) => writeConfig(dir, head + tablesYaml, name),
    query: io.query,
    exec: io.exec,
    createSchema: (logical) => io.exec(`CREATE SCHEMA IF NOT EXISTS ${dialect.quoteIdent(schema(logical))}`),
    drop: io.drop,
  };
  return sandbox;
}
