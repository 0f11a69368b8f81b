import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from './helpers/warehouse';
import { type EngineName, type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { loadPayments } from './helpers/paymentsFixture';
import { loadDltBookkeeping } from './helpers/dltDataset';
import { ensureMysqlZones } from './helpers/mysqlZones';

/** THESEUS_NOW pins the clock, so load ids and archive names are the same in both dry runs. */
const PINNED = { THESEUS_NOW: '1732262400.25', THESEUS_RUN_ID: 'catalog-compare' };

/** A connection: that reaches nothing, so a dry run that tried to connect would fail. */
const UNREACHABLE: Record<EngineName, string> = {
  duckdb: '/nonexistent/theseus/warehouse.duckdb',
  postgres: 'postgres://root@127.0.0.1:1/nowhere',
  mysql: 'mysql://root@127.0.0.1:1',
};

/**
 * `--dry-run --catalog FILE` prints byte for byte what the connected dry run
 * prints in the same state, with no connection at all: the orders fixture
 * (with dlt's bookkeeping beside its target) and the payments fixture, walked
 * through every phase on every engine.
 */
describe.each(testEngines())('planning from a catalog on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  let offline: string;
  let tablesYaml: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    const orders = await loadOrders(s, { rows: 1500 });
    await loadDltBookkeeping(s, 'orders');
    // Payments' naive times are Berlin wall times: the engine's zone check is part of what the catalog records.
    await ensureMysqlZones(s);
    const payments = (await loadPayments(s)).replace(/^tables:\n/, '').replace('    cursor: paid_at\n', '    cursor: paid_at\n    legacy_timezone: Europe/Berlin\n');
    tablesYaml = orders + payments;
    config = s.writeConfig(tablesYaml);
    offline = path.join(s.dir, 'offline.yaml');
    fs.writeFileSync(offline, withConnection(JSON.stringify(UNREACHABLE[engine])) + tablesYaml);
  });
  afterAll(async () => s?.drop());

  /** The sandbox's config head (its settings too) with another connection. */
  const withConnection = (connection: string) => s.configHead().replace(/^connection: .*$/m, () => `connection: ${connection}`);

  const apply = (...args: string[]) => {
    const r = cli([...args, '--config', config]);
    expect({ args, stderr: r.stderr, status: r.status }).toMatchObject({ args, status: 0 });
  };

  /** Writes the catalog of the current state, then compares both dry runs of each command. */
  function compare(phase: string, commands: string[][]) {
    it(`${phase}: ${commands.map((c) => c.join(' ')).join(' | ')}`, () => {
      const catalog = path.join(s.dir, `${phase.replace(/\W+/g, '-')}.json`);
      const written = cli(['catalog', '--out', catalog, '--config', config]);
      expect(written.stderr).toBe('');
      expect(written.status).toBe(0);
      for (const command of commands) {
        const args = command.map((a) => (a === '{legacy}' ? s.ref('legacy_schema', 'orders') : a));
        const live = cli([...args, '--dry-run', '--config', config], PINNED);
        const planned = cli([...args, '--dry-run', '--catalog', catalog, '--config', offline], PINNED);
        expect({ command, status: planned.status }).toEqual({ command, status: live.status });
        if (live.status === 0) expect(live.stdout).toMatch(/^-- Theseus /);
        else expect(planned.stderr.split('\n').find((l) => l.startsWith('error'))).toBe(live.stderr.split('\n').find((l) => l.startsWith('error')));
        // The run log records each run's --config: the offline plan read another file.
        expect(planned.stdout.split(offline).join(config)).toBe(live.stdout);
      }
    });
  }

  compare('new', [['stitch'], ['backfill', '--all'], ['verify']]);

  // PostgreSQL replaces a view whose columns change by DROP + CREATE, and gives back the privileges others held:
  // the catalog records them. (Other engines replace a view in place; nothing to give back.)
  // (Defined only where it applies: CI runs no skipped tests.)
  if (engine === 'postgres') describe('a view others hold privileges on', () => {
    beforeAll(async () => {
      await s.createSchema('dw');
      await s.exec(`CREATE VIEW ${s.q('dw', 'all_orders')} AS SELECT 1 AS placeholder`);
      await s.exec(`GRANT SELECT ON ${s.q('dw', 'all_orders')} TO PUBLIC`);
    });
    afterAll(async () => s.exec(`DROP VIEW ${s.q('dw', 'all_orders')}`));
    compare('grants', [['stitch']]);
    it('the plan gives the grant back', () => {
      const r = cli(['stitch', '--dry-run', '--config', config], PINNED);
      expect(r.stdout).toContain(`GRANT SELECT ON ${s.q('dw', 'all_orders')} TO PUBLIC;`);
    });
  });

  it('what only the data can tell is named on stderr, one line per table', () => {
    const catalog = path.join(s.dir, 'notes.json');
    expect(cli(['catalog', '--out', catalog, '--config', config]).status).toBe(0);
    const r = cli(['stitch', '--dry-run', '--catalog', catalog, '--config', offline], PINNED);
    expect(r.status).toBe(0);
    const notes = r.stderr.split('\n').filter((l) => l.includes('not checked offline'));
    // orders reads order_total through a cast; payments moves naive times into a zoned column.
    expect(notes).toEqual([
      expect.stringMatching(/^warning: orders: not checked offline: legacy values against the target's types \(TYPE_NARROWING, CAST_UNSUPPORTED, TIMEZONE_RANGE\)$/),
      expect.stringMatching(/^warning: payments: not checked offline: legacy values against the target's types/),
    ]);
  });

  describe('in the middle of the backfill', () => {
    beforeAll(() => {
      apply('stitch');
      apply('backfill', '--month', '2023-03');
      apply('backfill', '--month', '2023-06');
    });
    compare('backfilling', [
      ['backfill', '--all'],
      ['backfill', '--all', '--include-null-cursor', '--newest-first'],
      ['backfill', '--month', '2023-08'],
      ['backfill', '--from', '2023-09', '--to', '2023-10', '--slice', 'week'],
      ['backfill', '--month', '2030-01'],
      ['verify'],
      ['verify', '--month', '2023-06', '--sample', '3'],
      ['stitch'],
      ['cutover'],
    ]);
  });

  describe('backfilled, cut over, retired', () => {
    beforeAll(() => apply('backfill', '--all', '--include-null-cursor'));
    compare('backfilled', [['cutover'], ['cutover', '--allow-unkeyed'], ['verify'], ['rollback']]);

    it('cut over', () => apply('cutover'));
    compare('cutover', [['retire'], ['rollback'], ['verify', '--month', '2024-01'], ['backfill', '--all']]);

    it('retired', () => apply('retire', '--table', 'orders'));
    compare('retired', [['retire', '--table', 'orders', '--drop', '--confirm', '{legacy}'], ['retire', '--table', 'payments'], ['stitch']]);
  });

  it('a YAML catalog serves the same plan as the JSON one, with unset variables in connection:', () => {
    const yaml = path.join(s.dir, 'catalog.yaml');
    expect(cli(['catalog', '--out', yaml, '--config', config]).status).toBe(0);
    expect(fs.readFileSync(yaml, 'utf8')).toMatch(/^theseus_catalog: 1\n/);
    const unset = path.join(s.dir, 'unset.yaml');
    fs.writeFileSync(unset, withConnection('"${THESEUS_NO_SUCH_VARIABLE}"') + tablesYaml);
    const live = cli(['status', '--json', '--config', config]);
    const planned = cli(['status', '--json', '--catalog', yaml, '--config', unset]);
    expect(planned.status).toBe(0);
    const strip = (text: string) => (JSON.parse(text) as { tables: Array<Record<string, unknown>> }).tables.map(({ distribution: _d, ...rest }) => rest);
    expect(strip(planned.stdout)).toEqual(strip(live.stdout));
    expect(planned.stderr).toContain("not checked offline: the view's source distribution");
  });
});

/** The refusals, on DuckDB (they are decided before any engine work). */
describe('catalog refusals', () => {
  let s: Sandbox;
  let config: string;
  let catalog: Record<string, unknown> & { tables: Record<string, unknown>; legacy_profile?: Record<string, unknown> };
  const write = (name: string, doc: unknown) => {
    const file = path.join(s.dir, name);
    fs.writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return file;
  };
  const errorLine = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('error')) ?? stderr;
  beforeAll(async () => {
    s = await openSandbox('duckdb');
    config = s.writeConfig(await loadOrders(s, { rows: 300 }));
    const file = path.join(s.dir, 'catalog.json');
    expect(cli(['catalog', '--out', file, '--config', config]).status).toBe(0);
    catalog = JSON.parse(fs.readFileSync(file, 'utf8'));
  });
  afterAll(async () => s?.drop());

  it('a command that writes needs --dry-run (CATALOG_NEEDS_DRY_RUN, exit 2)', () => {
    const file = write('ok.json', catalog);
    for (const command of [['stitch'], ['backfill', '--all'], ['verify'], ['cutover'], ['retire'], ['backfill', '--all', '--plan']]) {
      const r = cli([...command, '--catalog', file, '--config', config]);
      expect({ command, status: r.status, error: errorLine(r.stderr) }).toEqual({ command, status: 2, error: expect.stringMatching(/^error \[CATALOG_NEEDS_DRY_RUN\]/) });
    }
  });

  it('a table the config names and the catalog does not describe (CATALOG_MISSING_TABLE)', () => {
    const legacy = s.ref('legacy_schema', 'orders');
    const { [legacy]: _gone, ...tables } = catalog.tables;
    const r = cli(['stitch', '--dry-run', '--catalog', write('missing.json', { ...catalog, tables }), '--config', config]);
    expect(r.status).toBe(2);
    expect(errorLine(r.stderr)).toBe(`error [CATALOG_MISSING_TABLE]: missing.json: tables holds no entry for ${legacy} (named by tables.orders in ${config})`);
  });

  it('an invalid file names the path in it (CATALOG_INVALID)', () => {
    const legacy = s.ref('legacy_schema', 'orders');
    const cases: Array<[unknown, string]> = [
      [{ ...catalog, tables: { ...catalog.tables, [legacy]: { kind: 'table', columns: 'id' } } }, `invalid.json: tables.${legacy}.columns must be a list`],
      [{ ...catalog, tables: { ...catalog.tables, [legacy]: { kind: 'table', columns: [{ name: 'Id', type: 'BIGINT', nulable: false }] } } }, `invalid.json: tables.${legacy}.columns[0] has an unknown key "nulable"`],
      [{ ...catalog, theseus_catalog: 7 }, 'invalid.json: theseus_catalog must be 1'],
      [{ ...catalog, legacy_profile: { orders: { rows: -1 } } }, 'invalid.json: legacy_profile.orders.rows must be a whole number ≥ 0'],
      [{ ...catalog, state: { orders: { phase: 'halfway' } } }, 'invalid.json: state.orders.phase is "halfway"'],
      ['{ "theseus_catalog": 1, ', 'is not valid YAML/JSON'],
    ];
    for (const [doc, message] of cases) {
      const r = cli(['stitch', '--dry-run', '--catalog', write('invalid.json', doc), '--config', config]);
      expect({ status: r.status, error: errorLine(r.stderr) }).toEqual({ status: 2, error: expect.stringContaining(message) });
      expect(errorLine(r.stderr)).toMatch(/^error \[CATALOG_INVALID\]/);
    }
  });

  it('the catalog of another engine (CATALOG_DIALECT_MISMATCH)', () => {
    const r = cli(['stitch', '--dry-run', '--catalog', write('other.json', { ...catalog, dialect: 'postgres' }), '--config', config]);
    expect(r.status).toBe(2);
    expect(errorLine(r.stderr)).toMatch(/^error \[CATALOG_DIALECT_MISMATCH\]: other\.json describes a postgres warehouse/);
  });

  it('a backfill whose windows the catalog cannot tell (CATALOG_INCOMPLETE)', () => {
    // Hand-written state: stitched, nothing backfilled yet.
    const { legacy_profile: _p, ...rest } = catalog;
    const file = write('noprofile.json', { ...rest, state: { orders: { phase: 'stitched' } } });
    expect(cli(['stitch', '--dry-run', '--catalog', file, '--config', config]).status).toBe(0);
    const r = cli(['backfill', '--all', '--dry-run', '--catalog', file, '--config', config]);
    expect(r.status).toBe(2);
    expect(errorLine(r.stderr)).toMatch(/^error \[CATALOG_INCOMPLETE\]: noprofile\.json: legacy_profile\.orders is missing/);
  });

  it('a catalog file that does not exist (CATALOG_UNREADABLE)', () => {
    const r = cli(['stitch', '--dry-run', '--catalog', path.join(s.dir, 'nope.json'), '--config', config]);
    expect(r.status).toBe(2);
    expect(errorLine(r.stderr)).toMatch(/^error \[CATALOG_UNREADABLE\]/);
  });
});

/**
 * A catalog a DBA writes by hand (here for PostgreSQL 14, from INFORMATION_SCHEMA) plans with no server
 * at all: nothing in this test reaches an engine.
 */
describe('a hand-written catalog', () => {
  let dir: string;
  let config: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'theseus-catalog-'));
    config = path.join(dir, 'migrate.yaml');
    fs.writeFileSync(
      config,
      `dialect: postgres
connection: \${WAREHOUSE_URL}
tables:
  orders:
    legacy: erp.orders
    target: dlt_erp.orders
    view: reporting.orders
    key: id
    cursor: created_at
    columns:
      total: { from: order_total, type: "numeric(12,2)" }
`,
    );
    fs.writeFileSync(
      path.join(dir, 'catalog.yaml'),
      `theseus_catalog: 1
dialect: postgresql
server: { merge: false }    # PostgreSQL 14: INSERT … ON CONFLICT instead of MERGE
tables:
  erp.orders:
    columns:
      - { name: id, type: bigint, nullable: false }
      - { name: created_at, type: timestamp without time zone, nullable: true }
      - { name: order_total, type: double precision, nullable: true }
    unique_keys: [[id]]
  dlt_erp.orders:
    columns:
      - { name: id, type: bigint, nullable: false }
      - { name: created_at, type: timestamp with time zone, nullable: true }
      - { name: total, type: "numeric(12,2)", nullable: true }
      - { name: _dlt_load_id, type: character varying, nullable: false }
      - { name: _dlt_id, type: character varying, nullable: false }
    unique_keys: [[id]]
  reporting.orders: null
state:
  orders: { phase: stitched }
legacy_profile:
  orders: { rows: 1200, first_day: 2023-01-15, last_day: 2023-03-02 }
`,
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => cli([...args, '--config', config, '--catalog', path.join(dir, 'catalog.yaml')]);

  it('prints the backfill of the months the profile spans, in the server\'s upsert shape', () => {
    const r = run('backfill', '--all', '--dry-run');
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ON CONFLICT');
    expect(r.stdout).not.toMatch(/\bMERGE INTO\b/);
    for (const month of ['2023-01', '2023-02', '2023-03']) expect(r.stdout).toContain(`'${month}'`);
    expect(r.stdout).not.toContain("'2023-04'");
    // No dlt: section: planned as if the target had no _dlt_loads, and said so.
    expect(r.stderr).toMatch(/warning: orders: not checked offline: .*the dlt dataset beside the target \(no dlt\.orders in the catalog/);
  });

  it('prints the stitch', () => {
    const r = run('stitch', '--dry-run');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('CREATE OR REPLACE VIEW "reporting"."orders"');
  });
});
