import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
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
