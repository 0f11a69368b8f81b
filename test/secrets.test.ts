import * as fs from 'node:fs';
import * as path from 'node:path';
import { type EngineName, type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { cli, writeConfig } from './helpers/warehouse';

/**
 * A password planted in every form of `connection:` never shows: not on
 * stdout, not on stderr, not in a file a command writes, whether the command
 * works or fails, whatever the dialect. The password holds `@`, `:` and `/`,
 * written raw (not a valid URL: the mask must run to the last `@`) and
 * percent-encoded. MySQL's "(using password: YES)" stays readable.
 */
const PASSWORD = 'Zq8Xw@Yv7:Ut6/Rs5';
const ENCODED = encodeURIComponent(PASSWORD);
/** Any piece of the password, raw or encoded, is a leak. */
const PIECES = ['Zq8Xw', 'Yv7', 'Ut6', 'Rs5', ENCODED];

const COMMANDS: string[][] = [
  ['stitch'],
  ['status'],
  ['status', '--json'],
  ['backfill', '--all', '--include-null-cursor'],
  ['verify', '--markdown', 'change-note.md'],
  ['stitch', '--dry-run', '--out', 'stitch.sql'],
  ['status', '--dry-run', '--out', 'status.sql'],
  ['backfill', '--all', '--include-null-cursor', '--dry-run', '--out', 'backfill.sql'],
  ['verify', '--dry-run', '--out', 'verify.sql'],
];

interface Form {
  name: string;
  /** The `connection:` block, YAML. */
  connection: string;
  /** What happens: the commands run, or each is refused with this exit code. */
  exit: number | 'runs';
}

function urlWith(base: string, password: string, port?: number): string {
  const url = new URL(base);
  if (port) url.port = String(port);
  // Set by text: URL's own setter would percent-encode the raw form.
  return url.toString().replace(`${url.protocol}//${url.username ? `${url.username}@` : ''}`, `${url.protocol}//${url.username || 'root'}:${password}@`);
}

function objectForm(base: string, port?: number): string {
  const url = new URL(base);
  const database = url.pathname.replace(/^\//, '');
  return `\n  host: ${url.hostname}\n  port: ${port ?? url.port}\n  user: ${url.username || 'root'}\n  password: ${JSON.stringify(PASSWORD)}${database ? `\n  database: ${database}` : ''}`;
}

function forms(engine: EngineName, s: Sandbox): Form[] {
  if (engine === 'duckdb') {
    const server = 'postgres://root@127.0.0.1:5432/postgres';
    return [
      { name: 'duckdb given a raw postgres URL', connection: urlWith(server, PASSWORD), exit: 2 },
      { name: 'duckdb given an encoded postgres URL', connection: urlWith(server, ENCODED), exit: 2 },
      { name: 'duckdb given an object', connection: objectForm(server), exit: 2 },
    ];
  }
  // PostgreSQL here trusts local connections, so a password it does not need still lets the commands run;
  // MariaDB's root has no password, so any password is refused ("using password: YES").
  const served: Form['exit'] = engine === 'postgres' ? 'runs' : 5;
  return [
    { name: 'a raw URL (not a valid URL)', connection: urlWith(s.connection, PASSWORD), exit: 2 },
    { name: 'an encoded URL', connection: urlWith(s.connection, ENCODED), exit: served },
    { name: 'an encoded URL to a closed port', connection: urlWith(s.connection, ENCODED, 1), exit: 5 },
    { name: 'an object', connection: objectForm(s.connection), exit: served },
    { name: 'an object with a closed port', connection: objectForm(s.connection, 1), exit: 5 },
  ];
}

/** Every file under dir but the config that holds the password on purpose. */
function writtenFiles(dir: string, config: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => f !== config && !/\.duckdb(\.wal)?$/.test(f));
}

describe.each(testEngines())('a password planted in connection: never prints, on %s', (engine) => {
  let s: Sandbox;
  let tables: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    tables = await loadOrders(s, { rows: 120 });
  });
  afterAll(async () => s?.drop());

  it('in any output stream or file of any command, whether it works or fails', () => {
    let ranSomewhere = false;
    for (const [i, form] of forms(engine, s).entries()) {
      const dir = path.join(s.dir, `form-${i}`);
      fs.mkdirSync(dir);
      const config = writeConfig(dir, `dialect: ${engine === 'duckdb' ? 'duckdb' : engine}\nconnection: ${form.connection}\nstate_schema: ${s.stateSchema}\n${tables}`, 'migrate.yaml');
      expect(fs.readFileSync(config, 'utf8')).toContain(form.connection.includes(ENCODED) ? ENCODED : PASSWORD);
      for (const args of COMMANDS) {
        const withPaths = args.map((a) => (/\.(sql|md)$/.test(a) ? path.join(dir, a) : a));
        const r = cli([...withPaths, '--config', config]);
        const seen = `${form.name}: migrate ${args.join(' ')}`;
        for (const piece of PIECES) {
          expect({ seen, stdout: r.stdout.includes(piece), stderr: r.stderr.includes(piece) }).toEqual({ seen, stdout: false, stderr: false });
        }
        if (form.exit === 'runs') {
          expect({ seen, status: r.status, stderr: r.stderr }).toEqual({ seen, status: 0, stderr: expect.not.stringMatching(/^error/m) });
          ranSomewhere = true;
        } else {
          expect({ seen, status: r.status }).toEqual({ seen, status: form.exit });
          expect(r.stderr).toMatch(/^error \[[A-Z_]+\]: .+\nhint: .+\n$/);
          if (engine === 'mysql' && form.exit === 5 && !form.name.includes('closed port')) expect(r.stderr).toContain('(using password: YES)');
        }
      }
      for (const file of writtenFiles(dir, config)) {
        const text = fs.readFileSync(file, 'utf8');
        for (const piece of PIECES) expect({ file, leaks: text.includes(piece) }).toEqual({ file, leaks: false });
      }
    }
    // PostgreSQL took the password and ran every command: the files above were really written.
    if (engine === 'postgres') {
      expect(ranSomewhere).toBe(true);
      expect(fs.existsSync(path.join(s.dir, 'form-1', 'change-note.md'))).toBe(true);
      expect(fs.existsSync(path.join(s.dir, 'form-1', 'backfill.sql'))).toBe(true);
    }
  });
});
