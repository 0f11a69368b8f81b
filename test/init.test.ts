import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { configProblemsOf } from '../src/config/load';
import { yamlSchemaLine } from '../src/config/jsonSchema';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { cli } from './helpers/warehouse';
import { connectDuckDb } from '../dialects/duckdb/driver';

/**
 * migrate init on each engine, on the demo's shape (PascalCase legacy, snake_case dlt target, a column renamed, a
 * column only the target has, one row with no CreatedAt): the file it writes is a config the tool and an editor
 * accept, says why it chose what it chose, and runs stitch and backfill --all as written.
 */
describe.each(testEngines())('migrate init on %s', (engine) => {
  let s: Sandbox;
  let file: string;
  const ROWS = 2000;
  const init = (...more: string[]) =>
    cli(['init', '--dialect', engine, '--connection', s.connection, '--legacy', s.ref('legacy_schema', 'orders'), '--target', s.ref('dlt_schema', 'orders'), '--view', s.ref('dw', 'all_orders'), '--state-schema', s.stateSchema, ...more]);

  beforeAll(async () => {
    s = await openSandbox(engine);
    await loadOrders(s, { rows: ROWS });
    file = path.join(s.dir, 'init.yaml');
  });
  afterAll(async () => s?.drop());

  test('writes a commented config: the key, the cursor candidates with NULLs and ranges, updated_at, each column\'s source', () => {
    const r = init('--out', file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${file}`);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe(yamlSchemaLine());
    const raw = YAML.parse(text) as { tables: { orders: Record<string, unknown> } };
    expect(configProblemsOf(raw, file)).toEqual([]);
    expect(raw.tables.orders).toMatchObject({ key: 'id', cursor: 'created_at', updated_at: 'updated_at', legacy: s.ref('legacy_schema', 'orders'), view: s.ref('dw', 'all_orders') });
    // Why the key: a constraint names it (legacy's primary key on Id, or the target's, which MySQL's upsert needs).
    expect(text).toMatch(/# key: (legacy's PRIMARY KEY\/UNIQUE \(Id\)|the target's PRIMARY KEY\/UNIQUE)/);
    expect(text).toMatch(/#\s+created_at\s+1 NULL, 2023-01-0\d/);
    expect(text).toMatch(/#\s+updated_at\s+1 NULL/);
    expect(text).toContain('1 row with a NULL cursor: backfill them with backfill --all --include-null-cursor');
    expect(text).toMatch(/#\s+customer_id\s+← CustomerId\s+dlt's snake_case of CustomerId/);
    expect(text).toMatch(/#\s+channel\s+← —\s+no source/);
    expect(text).toMatch(/#\s+_dlt_id\s+← —\s+dlt's own column/);
    // order_total feeds nothing by the rules; total has no source: the override is suggested, commented out.
    expect(text).toContain('#   total: { from: order_total }');
    expect(text).toContain('warning: legacy columns that feed no target column: order_total, legacy_note');
    expect(text).toContain("legacy's CreatedAt, UpdatedAt hold wall times with no zone");
  });

  test('the written config validates against the warehouse and runs stitch and backfill --all unchanged', () => {
    const validate = cli(['validate', '--connect', '--config', file]);
    expect(validate.stdout).toContain('valid (config and warehouse checked)');
    expect(validate.status).toBe(0);
    const stitch = cli(['stitch', '--config', file]);
    expect(stitch.status).toBe(0);
    expect(stitch.stdout).toContain(`('legacy', ${ROWS})`);
    const backfill = cli(['backfill', '--all', '--config', file]);
    expect(backfill.stderr).not.toContain('error');
    expect(backfill.status).toBe(0);
    // Every row with a cursor moved; the one without waits for --include-null-cursor, as the file said.
    expect(backfill.stdout).toContain(`('dlt', ${ROWS - 1}) ('legacy', 1)`);
  });

  test('never replaces a file without --force; with it, writes the file again', () => {
    const before = fs.readFileSync(file, 'utf8');
    const again = init('--out', file);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`error [INIT_FILE_EXISTS]: ${file} exists`);
    fs.appendFileSync(file, '# my own note\n');
    expect(fs.readFileSync(file, 'utf8')).toBe(`${before}# my own note\n`);
    expect(init('--out', file, '--force').status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  test('a missing table is a clear refusal that writes nothing', () => {
    const missing = path.join(s.dir, 'missing.yaml');
    const r = cli(['init', '--dialect', engine, '--connection', s.connection, '--legacy', s.ref('legacy_schema', 'nope'), '--target', s.ref('dlt_schema', 'orders'), '--view', s.ref('dw', 'v'), '--out', missing]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('TABLE_NOT_FOUND');
    expect(fs.existsSync(missing)).toBe(false);
  });
});

(testEngines().includes('postgres') ? describe : describe.skip)('migrate init keeps secrets out of the file', () => {
  let s: Sandbox;
  beforeAll(async () => {
    s = await openSandbox('postgres');
    await loadOrders(s, { rows: 10 });
  });
  afterAll(async () => s?.drop());

  test('a password in --connection is written as ${MIGRATE_DB_PASSWORD} in driver settings, and the file works with it exported as it is', () => {
    const url = new URL(s.connection);
    // '@', '/' and '#' inside a URL's password are URL-encoded; the settings form takes the password as it is.
    url.password = encodeURIComponent('p@ss/w#1');
    const file = path.join(s.dir, 'secret.yaml');
    const r = cli(['init', '--dialect', 'PostgreSQL', '--connection', url.toString(), '--legacy', s.ref('legacy_schema', 'orders'), '--target', s.ref('dlt_schema', 'orders'), '--view', s.ref('dw', 'v'), '--out', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('MIGRATE_DB_PASSWORD');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toMatch(/p@ss|p%40ss/);
    expect(text).toMatch(/^connection:\n  host: 127\.0\.0\.1\n  port: 5432\n  user: root\n  password: \$\{MIGRATE_DB_PASSWORD\}\n  database: /m);
    expect(text).toContain('dialect: postgres');
    const validated = cli(['validate', '--connect', '--config', file], { MIGRATE_DB_PASSWORD: 'p@ss/w#1' });
    expect(validated.stdout).toContain('valid (config and warehouse checked)');
    expect(validated.status).toBe(0);
    expect(cli(['validate', '--connect', '--config', file], { MIGRATE_DB_PASSWORD: '' }).stderr).toContain('error [CONFIG_ENV_UNSET]');
  });
});

describe('migrate init on awkward tables (DuckDB)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'theseus-init-'));
  const database = path.join(dir, 'w.duckdb');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a time column NULL in every row is never the cursor: the table is sliced by its key, and stitch and backfill --all run', async () => {
    const conn = await connectDuckDb(database, { readOnly: false, create: true });
    for (const sql of [
      'CREATE SCHEMA l',
      'CREATE SCHEMA d',
      'CREATE TABLE l.o (id BIGINT PRIMARY KEY, modified_on TIMESTAMP, "Amount" DOUBLE)',
      'INSERT INTO l.o SELECT i, NULL, i * 1.5 FROM range(1, 301) t(i)',
      'CREATE TABLE d.o (id BIGINT, modified_on TIMESTAMP, amount DOUBLE, "odd\nkey: hacked" VARCHAR, _dlt_load_id VARCHAR NOT NULL, _dlt_id VARCHAR NOT NULL)',
    ])
      await conn.execute(sql);
    await conn.close();
    const file = path.join(dir, 'o.yaml');
    const r = cli(['init', '--dialect', 'duckdb', '--connection', database, '--legacy', 'l.o', '--target', 'd.o', '--view', 'v.o', '--out', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    const raw = YAML.parse(text) as { tables: { o: Record<string, unknown> } };
    expect(configProblemsOf(raw, file)).toEqual([]);
    expect(raw.tables.o.cursor).toBeUndefined();
    expect(raw.tables.o.key).toBe('id');
    expect(text).toContain('# cursor: none: modified_on is NULL in every legacy row, so the table is backfilled in chunks of its key');
    // A column whose name holds a line break stays inside its comment.
    expect(text).toContain('#   odd\\u000akey: hacked');
    expect(Object.keys(raw.tables.o)).not.toContain('key: hacked');
    expect(cli(['stitch', '--config', file]).status).toBe(0);
    const backfill = cli(['backfill', '--all', '--config', file]);
    expect(backfill.status).toBe(0);
    expect(backfill.stdout).toContain("('dlt', 300)");
  });
});
