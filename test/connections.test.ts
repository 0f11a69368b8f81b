import * as crypto from 'node:crypto';
import { cli } from './helpers/warehouse';
import { type Sandbox, SERVER_URLS, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { cleanup, tempDir, writeConfig } from './helpers/warehouse';

/**
 * `connection:` as a URL or as an object, with ${VAR} interpolation; a
 * password never shows up in any output, whatever goes wrong.
 */
const servers = testEngines().filter((e) => e !== 'duckdb');
const SECRET = 'Sup3r-s3cret-pw';

describe('connection settings that cannot work', () => {
  let dir: string;
  beforeAll(() => (dir = tempDir()));
  afterAll(() => cleanup(dir));
  const tables = 'tables:\n  t:\n    legacy: a.t\n    target: b.t\n    view: c.t\n    key: id\n    cursor: ts\n';

  it.each([
    ['postgres', `postgres://etl:${SECRET}@127.0.0.1:1/warehouse`],
    ['mysql', `mysql://etl:${SECRET}@127.0.0.1:1/warehouse`],
  ])('%s: an unreachable server is a database error (exit 5) and the password is masked', (dialect, url) => {
    const config = writeConfig(dir, `dialect: ${dialect}\nconnection: ${url}\n${tables}`, `${dialect}-url.yaml`);
    const r = cli(['stitch', '--config', config]);
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/error \[CANNOT_CONNECT\]: cannot connect to (PostgreSQL|MySQL\/MariaDB) at 127\.0\.0\.1:1/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('the object form takes ${VAR} for the password, which never shows', () => {
    const config = writeConfig(dir, `dialect: postgres\nconnection:\n  host: 127.0.0.1\n  port: 1\n  user: etl\n  password: \${THESEUS_TEST_PW}\n${tables}`, 'object.yaml');
    const r = cli(['status', '--config', config], { THESEUS_TEST_PW: SECRET });
    expect(r.status).toBe(5);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const unset = cli(['status', '--config', config], { THESEUS_TEST_PW: '' });
    expect(unset.status).toBe(2);
    expect(unset.stderr).toContain('uses ${THESEUS_TEST_PW}, but the environment variable THESEUS_TEST_PW is not set');
  });

  it('a URL of the wrong kind for the dialect is a usage error, with the password masked', () => {
    const config = writeConfig(dir, `dialect: postgres\nconnection: mysql://etl:${SECRET}@127.0.0.1/warehouse\n${tables}`, 'wrong.yaml');
    const r = cli(['status', '--config', config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is a mysql: URL; this dialect expects postgres:// or postgresql://');
    expect(r.stderr).toContain('mysql://etl:***@127.0.0.1/warehouse');
    expect(r.stderr).not.toContain(SECRET);
  });
});

describe.each(servers)('the object form of connection: on %s', (engine) => {
  let s: Sandbox;
  let tables: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    tables = await loadOrders(s, { rows: 200 });
  });
  afterAll(async () => s?.drop());

  it('connects from host, port, user and database, with ${VAR} interpolated', () => {
    const url = new URL(s.connection);
    const state = s.stateSchema;
    const database = url.pathname.replace(/^\//, '');
    const config = writeConfig(
      s.dir,
      `dialect: ${engine === 'mysql' ? 'mariadb' : 'postgresql'}\nconnection:\n  host: \${DB_HOST}\n  port: ${url.port}\n  user: ${url.username}\n${database ? `  database: ${database}\n` : ''}state_schema: ${state}\n${tables}`,
      'object.yaml',
    );
    const r = cli(['stitch', '--config', config], { DB_HOST: url.hostname });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("('legacy', 200)");
  });
});

/**
 * A connection that cannot be opened is one line and a hint, nothing else:
 * no pool chatter, no driver stack. The hint fits the cause: a database that
 * does not exist is said to be missing (the server is plainly running).
 */
describe.each(servers)('connection errors on %s', (engine) => {
  let dir: string;
  beforeAll(() => (dir = tempDir()));
  afterAll(() => cleanup(dir));
  const tables = 'tables:\n  t:\n    legacy: a.t\n    target: b.t\n    view: c.t\n    key: id\n    cursor: ts\n';
  const engineName = engine === 'postgres' ? 'PostgreSQL' : 'MySQL\\/MariaDB';
  const at = (change: (url: URL) => void) => {
    const url = new URL(SERVER_URLS[engine as 'postgres' | 'mysql']);
    change(url);
    return url.toString();
  };
  const run = (connection: string, name: string, command = 'stitch') => cli([...command.split(' '), '--config', writeConfig(dir, `dialect: ${engine}\nconnection: ${connection}\n${tables}`, name)]);
  const ONE_ERROR = /^error \[[A-Z_]+\]: [^\n]+\nhint: [^\n]+\n$/;

  it.each(['stitch', 'status', 'backfill --all'])('a refused connection is one line and a hint (%s), with no pool log or stack', (command) => {
    const r = run(at((u) => (u.port = '1')), `refused-${command.split(' ')[0]}.yaml`, command);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(ONE_ERROR);
    expect(r.stderr).toMatch(new RegExp(`^error \\[CANNOT_CONNECT\\]: cannot connect to ${engineName} at 127\\.0\\.0\\.1:1: connect ECONNREFUSED`));
    expect(r.stderr).toContain('hint: is the server running and reachable?');
    expect(r.stdout + r.stderr).not.toMatch(/Acquire connection error|TCPConnectWrap|\n\s+at /);
    expect(r.status).toBe(5);
  });

  it('a database that does not exist is said to be missing, not the server to be down', () => {
    const missing = `theseus_missing_${crypto.randomBytes(4).toString('hex')}`;
    const r = run(at((u) => (u.pathname = `/${missing}`)), 'missing.yaml');
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(ONE_ERROR);
    expect(r.stderr).toMatch(new RegExp(`^error \\[DATABASE_MISSING\\]: database ${missing} does not exist on ${engineName} at 127\\.0\\.0\\.1:\\d+\\n`));
    expect(r.stderr).not.toMatch(/server running|reachable/);
    expect(r.status).toBe(2);
  });

  it('credentials the server refuses are said to be refused', () => {
    const r = run(at((u) => (engine === 'postgres' ? (u.username = 'theseus_no_such_role') : (u.password = 'wrong'))), 'refused-user.yaml');
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(ONE_ERROR);
    expect(r.stderr).toMatch(/^error \[CANNOT_CONNECT\]: /);
    expect(r.stderr).toContain('hint: the server refused these credentials');
    expect(r.status).toBe(5);
  });
});
