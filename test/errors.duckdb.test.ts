import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanup, cli, demoWarehouse, distribution, exec, fileFingerprint, query, tempDir, writeConfig } from './helpers/warehouse';
import type { DemoFiles } from '../src/demo/buildDemo';

/** Bad input gets one clear line, a distinct exit code per class, and no write. */
describe('errors', () => {
  let w: DemoFiles;
  beforeAll(async () => {
    w = await demoWarehouse(500);
  });
  afterAll(() => cleanup(w.dir));

  const demoConfig = () => fs.readFileSync(w.config, 'utf8');
  const variant = (name: string, from: string, to: string) => writeConfig(w.dir, demoConfig().replace(from, to), name);

  /** Runs a command that must fail before touching the database. */
  function refuses(args: string[], exitCode: number, code: string, mentions: string) {
    const before = fileFingerprint(w.database);
    const r = cli(args);
    expect(r.status).toBe(exitCode);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^error \\[${code}\\]: `));
    expect(errors[0]).toContain(mentions);
    expect(fileFingerprint(w.database)).toBe(before);
    return r;
  }

  it('unknown table → usage (2), listing the configured tables', () => {
    const r = refuses(['stitch', '--config', w.config, '--table', 'invoices'], 2, 'UNKNOWN_TABLE', '--table invoices');
    expect(r.stderr).toContain('configured tables: orders');
  });

  it('a cursor column that does not exist → usage (2), naming the target columns', () => {
    const r = refuses(['stitch', '--config', variant('bad-cursor.yaml', 'cursor: created_at', 'cursor: placed_at')], 2, 'MISSING_COLUMN', 'cursor is placed_at');
    expect(r.stderr).toContain('target columns: id, customer_id');
  });

  it('a key column that does not exist → usage (2)', () => {
    refuses(['backfill', '--all', '--config', variant('bad-key.yaml', 'key: id', 'key: order_id')], 2, 'MISSING_COLUMN', 'key is order_id');
  });

  it('a mapped legacy column that does not exist → usage (2)', () => {
    refuses(['stitch', '--config', variant('bad-from.yaml', 'from: order_total', 'from: OrderTotal')], 2, 'MISSING_COLUMN', 'OrderTotal');
  });

  it('a malformed month → usage (2)', () => {
    refuses(['backfill', '--month', '2024-13', '--config', w.config], 2, 'BAD_MONTH', '--month 2024-13 is not a month');
  });

  it('no range at all, or two → usage (2)', () => {
    refuses(['backfill', '--config', w.config], 2, 'BACKFILL_RANGE', 'exactly one of');
    refuses(['backfill', '--all', '--month', '2024-01', '--config', w.config], 2, 'BACKFILL_RANGE', 'exactly one of');
  });

  it('an unreadable or missing config → usage (2)', () => {
    refuses(['status', '--config', path.join(w.dir, 'nope.yaml')], 2, 'CONFIG_UNREADABLE', 'does not exist');
    refuses(['status', '--config', writeConfig(w.dir, 'dialect: [', 'broken.yaml')], 2, 'CONFIG_UNREADABLE', 'not valid YAML/JSON');
  });

  it('an unknown flag → usage (2)', () => {
    const r = cli(['stitch', '--config', w.config, '--dryrun']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error \[USAGE\]: Unknown argument: dryrun/);
  });

  it('cutover before stitch or backfill → precondition (3), naming what to run', () => {
    const r = refuses(['cutover', '--config', w.config], 3, 'WRONG_PHASE', 'cannot cut over while the table is "new"');
    expect(r.stderr).toContain('hint: run `migrate stitch` first');
    refuses(['retire', '--config', w.config], 3, 'WRONG_PHASE', 'cannot retire');
  });

  it('a database error → database (5), naming the table and step', async () => {
    // A target column no legacy column feeds, declared NOT NULL: the MERGE's insert must fail.
    await exec(w.database, `CREATE OR REPLACE TABLE dlt_schema.orders AS SELECT *, 1 AS must_have FROM dlt_schema.orders LIMIT 0`);
    await exec(w.database, `ALTER TABLE dlt_schema.orders ALTER COLUMN must_have SET NOT NULL`);
    expect(cli(['stitch', '--config', w.config]).status).toBe(0);
    const r = cli(['backfill', '--month', '2023-03', '--config', w.config]);
    expect(r.status).toBe(5);
    // The first window is fresh: its plain INSERT meets the constraint (a later one, the MERGE).
    expect(r.stderr).toMatch(/^error \[DATABASE_ERROR\]: orders 2023-03: backfill: (Insert|Merge) the window/m);
    const slice = await query(w.database, `SELECT status, error FROM _migrate.slices WHERE window_key = '2023-03'`);
    expect(slice[0].status).toBe('failed');
    expect(String(slice[0].error)).toMatch(/must_have/);
    expect(Number((await query(w.database, 'SELECT count(*) AS n FROM dlt_schema.orders'))[0].n)).toBe(0);
  });
});

/** Ordinary mistakes: one error line and a usage exit (2), never a stack trace, and nothing written. */
describe('ordinary mistakes are clean errors', () => {
  let w: DemoFiles;
  beforeAll(async () => {
    w = await demoWarehouse(500);
  });
  afterAll(() => cleanup(w.dir));

  function clean(args: string[], exitCode: number, code: string, mentions: string) {
    const before = fileFingerprint(w.database);
    const r = cli(args);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: exitCode, stderr: expect.stringMatching(new RegExp(`^error \\[${code}\\]: `)) });
    expect(r.stderr).toContain(mentions);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error'))).toHaveLength(1);
    expect(fileFingerprint(w.database)).toBe(before);
    return r;
  }
  const missing = (name: string) => path.join(w.dir, 'no-such-folder', name);

  it('--out into a folder that does not exist → usage (2), dry run or not, before anything runs', () => {
    clean(['stitch', '--dry-run', '--out', missing('x.sql'), '--config', w.config], 2, 'OUTPUT_UNWRITABLE', `--out ${missing('x.sql')}: the folder`);
    clean(['stitch', '--out', missing('x.sql'), '--config', w.config], 2, 'OUTPUT_UNWRITABLE', 'does not exist');
    expect(cli(['status', '--config', w.config]).stdout).toMatch(/orders\s+new/);
  });

  it('verify --markdown into a folder that does not exist → usage (2)', () => {
    const r = clean(['verify', '--markdown', missing('x.md'), '--config', w.config], 2, 'OUTPUT_UNWRITABLE', `--markdown ${missing('x.md')}`);
    expect(r.stderr).toContain('hint: name a file in a folder that exists');
  });

  it('--limit abc names what was typed, not NaN; --sample and --rows too', () => {
    const r = clean(['backfill', '--all', '--limit', 'abc', '--config', w.config], 2, 'BAD_CONTROL', '--limit abc must be a whole number ≥ 1');
    expect(r.stderr).not.toContain('NaN');
    clean(['backfill', '--all', '--max-parallel', 'two', '--config', w.config], 2, 'BAD_CONTROL', '--max-parallel two must be');
    clean(['verify', '--sample', 'some', '--config', w.config], 2, 'BAD_FLAG', '--sample some is not a whole number');
    clean(['demo', '--rows', 'many', '--dir', path.join(w.dir, 'demo')], 2, 'BAD_ROWS', '--rows many is not a whole number');
  });

  it('--retry-delay -1s is a negative duration, not the flags -1 and -s', () => {
    const r = clean(['backfill', '--all', '--retry-delay', '-1s', '--config', w.config], 2, 'BAD_CONTROL', '--retry-delay -1s: a duration cannot be negative');
    expect(r.stderr).not.toContain('Unknown arguments');
    clean(['backfill', '--all', '--min-interval', '-5s', '--config', w.config], 2, 'BAD_CONTROL', '--min-interval -5s: a duration cannot be negative');
  });
});

describe('counts read right', () => {
  let w: DemoFiles;
  beforeAll(async () => {
    w = await demoWarehouse(500);
  });
  afterAll(() => cleanup(w.dir));

  it('a count of one is printed in the singular, everywhere a backfill prints counts', () => {
    expect(cli(['stitch', '--config', w.config]).status).toBe(0);
    const r = cli(['backfill', '--month', '2023-03', '--config', w.config]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 window to run');
    expect(r.stdout).toContain('backfill: 1 slice done');
    expect(r.stdout).toContain('1 legacy row has a NULL cursor and is in no window');
    // No "1 rows", "1 windows", "1 slices", "1 keys", "1 months" anywhere.
    expect(r.stdout).not.toMatch(/(^|[^\d.,])1 (\w+ )?(rows|windows|slices|keys|months|columns)\b/m);
  });
});

describe('demo', () => {
  it('does not overwrite a migrate.yaml of your own without --force', () => {
    const dir = tempDir();
    try {
      const mine = 'dialect: postgres\nconnection: postgres://prod/warehouse\ntables: {}\n';
      fs.writeFileSync(path.join(dir, 'migrate.yaml'), mine);
      const r = cli(['demo', '--dir', dir, '--rows', '200']);
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/^error \[DEMO_WOULD_OVERWRITE\]: .*migrate\.yaml exists and is not the demo's config/);
      expect(r.stderr).toContain('--force');
      expect(fs.readFileSync(path.join(dir, 'migrate.yaml'), 'utf8')).toBe(mine);
      expect(fs.existsSync(path.join(dir, 'demo.duckdb'))).toBe(false);
      const forced = cli(['demo', '--dir', dir, '--rows', '200', '--force']);
      expect(forced.stderr).not.toMatch(/error/);
      expect(forced.status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'migrate.yaml'), 'utf8')).toContain('legacy: legacy_schema.orders');
      // The walk registers its backfill runs as dlt loads and shows dbt's staging selecting every row.
      expect(forced.stdout).toMatch(/load 1733011200\.123456 {2}schema erp {2}status 0 {3}\(the pipeline's, processed by dbt already\)\n {2}load \d{10}\.\d{6} {2}schema erp {2}status 0\n {2}… 23 more loads, one per slice that changed rows …\n {2}load \d{10}\.\d{6} {2}schema erp {2}status 0\n/);
      expect(forced.stdout).toContain('dbt staging (completed loads not yet processed) selects 200 rows of dlt_schema.orders');
      // Its own config it may replace: running the demo again in the same folder needs no --force.
      expect(cli(['demo', '--dir', dir, '--rows', '200']).status).toBe(0);
    } finally {
      cleanup(dir);
    }
  }, 60_000);
});

describe('SQL safety: hostile names are quoted, never executed', () => {
  let w: DemoFiles;
  beforeAll(async () => {
    w = await demoWarehouse(300);
  });
  afterAll(() => cleanup(w.dir));

  it('a table name carrying SQL is refused as a missing table, and nothing is dropped', async () => {
    await exec(w.database, 'CREATE TABLE x (a INTEGER)');
    const config = writeConfig(w.dir, fs.readFileSync(w.config, 'utf8').replace('legacy: legacy_schema.orders', `legacy: 'legacy_schema.orders"; DROP TABLE x; --'`), 'evil.yaml');
    const r = cli(['stitch', '--config', config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('TABLE_NOT_FOUND');
    expect(await query(w.database, `SELECT table_name FROM information_schema.tables WHERE table_name = 'x'`)).toHaveLength(1);
  });

  it('a real table and view with hostile names go through the whole lifecycle, quoted harmlessly', async () => {
    await exec(w.database, `ALTER TABLE legacy_schema.orders RENAME TO "orders""; DROP TABLE x; --"`);
    const evil = fs
      .readFileSync(w.config, 'utf8')
      .replace('legacy: legacy_schema.orders', `legacy: 'legacy_schema.orders"; DROP TABLE x; --'`)
      .replace('view: dw.all_orders', `view: "dw.all'); DROP TABLE x; --"`);
    const config = writeConfig(w.dir, evil, 'evil-but-real.yaml');
    for (const args of [['stitch'], ['backfill', '--all', '--include-null-cursor'], ['cutover']]) {
      const r = cli([...args, '--config', config]);
      expect({ args, status: r.status, stderr: r.stderr }).toEqual({ args, status: 0, stderr: expect.any(String) });
    }
    expect(await distribution(w.database, `dw."all'); DROP TABLE x; --"`)).toEqual([['dlt', 300]]);
    expect(await query(w.database, `SELECT table_name FROM information_schema.tables WHERE table_name = 'x'`)).toHaveLength(1);
  });
});
