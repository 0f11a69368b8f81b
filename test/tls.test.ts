import * as path from 'node:path';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { cli, writeConfig } from './helpers/warehouse';

/**
 * The TLS settings of `connection:` mean what they mean to psql and the mysql
 * client: libpq's sslmode/sslrootcert/sslcert/sslkey on PostgreSQL, ssl-mode/
 * ssl-ca/ssl-cert/ssl-key on MySQL/MariaDB, in the URL or the object form.
 * The local servers offer no TLS, so a mode that insists on it is refused in
 * one line, and the lenient modes connect. A parameter the engine does not
 * know is refused, naming it, instead of being dropped.
 */
const servers = testEngines().filter((e) => e !== 'duckdb');

const SPELLINGS = {
  postgres: { mode: 'sslmode', rootCert: 'sslrootcert', strict: ['require', 'verify-ca', 'verify-full'], lenient: ['disable', 'prefer'], foreign: 'ssl-mode', engine: 'PostgreSQL' },
  mysql: { mode: 'ssl-mode', rootCert: 'ssl-ca', strict: ['REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'], lenient: ['DISABLED', 'PREFERRED'], foreign: 'sslmode', engine: 'MySQL/MariaDB' },
} as const;

describe.each(servers)('TLS settings of connection: on %s', (engine) => {
  const names = SPELLINGS[engine as 'postgres' | 'mysql'];
  let s: Sandbox;
  let tables: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    tables = await loadOrders(s, { rows: 50 });
  });
  afterAll(async () => s?.drop());

  const withParams = (params: Record<string, string>, host?: string) => {
    const url = new URL(s.connection);
    if (host) url.hostname = host;
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  };
  const config = (connection: string, name: string) => writeConfig(s.dir, `dialect: ${engine}\nconnection: ${connection}\nstate_schema: ${s.stateSchema}\n${tables}`, name);
  const objectForm = (extra: Record<string, string>) => {
    const url = new URL(s.connection);
    const database = url.pathname.replace(/^\//, '');
    const lines = [`host: ${url.hostname}`, `port: ${url.port}`, `user: ${url.username}`, ...(database ? [`database: ${database}`] : []), ...Object.entries(extra).map(([k, v]) => `${JSON.stringify(k)}: ${v}`)];
    return `\n${lines.map((l) => `  ${l}`).join('\n')}`;
  };

  it.each(SPELLINGS[engine as 'postgres' | 'mysql'].strict)(`%s against a server without TLS is refused in one line (TLS_REQUIRED, exit 5)`, (mode) => {
    // By host name: MySQL's VERIFY_IDENTITY refuses an address (its driver cannot check one).
    const r = cli(['stitch', '--config', config(withParams({ [names.mode]: mode }, 'localhost'), `strict-${mode}.yaml`)]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^error \\[TLS_REQUIRED\\]: ${names.engine.replace('/', '\\/')} at localhost:\\d+ does not offer TLS \\(${names.mode}=${mode}\\)\\nhint: [^\\n]+\\n$`));
    expect(r.status).toBe(5);
  });

  it.each(SPELLINGS[engine as 'postgres' | 'mysql'].lenient)('%s connects to a server without TLS', (mode) => {
    const r = cli(['status', '--config', config(withParams({ [names.mode]: mode }), `lenient-${mode}.yaml`)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^orders\s/m);
  });

  it('the object form takes the same settings and means the same', () => {
    const strict = cli(['status', '--config', config(objectForm({ [names.mode]: names.strict[0] }), 'object-strict.yaml')]);
    expect(strict.stderr).toMatch(/^error \[TLS_REQUIRED\]: /);
    expect(strict.status).toBe(5);
    const lenient = cli(['status', '--config', config(objectForm({ [names.mode]: names.lenient[0] }), 'object-lenient.yaml')]);
    expect(lenient.stderr).toBe('');
    expect(lenient.status).toBe(0);
  });

  it('a mode the engine does not know is a config error listing the ones it does', () => {
    const r = cli(['status', '--config', config(withParams({ [names.mode]: 'sometimes' }), 'bad-mode.yaml')]);
    expect(r.stderr).toContain(`error [CONFIG_INVALID]: ${names.mode}=sometimes is not a TLS mode ${names.engine} knows`);
    expect(r.stderr).toContain(`hint: use one of: ${[...names.lenient, ...names.strict].join(', ')}`);
    expect(r.status).toBe(2);
  });

  it('a root certificate that does not exist is a config error before any connection', () => {
    const missing = path.join(s.dir, 'no-such-ca.pem');
    const r = cli(['status', '--config', config(withParams({ [names.mode]: names.strict[1], [names.rootCert]: missing }), 'no-ca.yaml')]);
    expect(r.stderr).toContain(`error [TLS_FILE_UNREADABLE]: the root certificate file ${missing} named in connection: does not exist`);
    expect(r.status).toBe(2);
  });

  it('parameters the engine does not understand are refused, naming each (the other engine’s spelling too)', () => {
    const r = cli(['stitch', '--config', config(withParams({ [names.foreign]: 'require', application: 'x' }), 'unknown.yaml')]);
    expect(r.stderr).toMatch(new RegExp(`^error \\[CONFIG_INVALID\\]: connection \\S+ has parameters ${names.engine.replace('/', '\\/')} does not understand: ${names.foreign}, application\\n`));
    expect(r.stderr).toContain(`${names.mode}, ${names.rootCert}`);
    expect(r.status).toBe(2);
    const object = cli(['status', '--config', config(objectForm({ [names.foreign]: 'require' }), 'unknown-object.yaml')]);
    expect(object.stderr).toContain(`error [CONFIG_INVALID]: connection: has settings ${names.engine} does not understand: ${names.foreign}`);
    expect(object.status).toBe(2);
  });
});
