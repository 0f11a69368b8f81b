import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { cli, writeConfig } from './helpers/warehouse';

/**
 * A command refused while planning (usage, exit 2; precondition, exit 3)
 * writes nothing: not even the ledger's schema, which the operator lock used
 * to create before anything was checked. And an engine rejecting SQL the
 * operator wrote (`columns.<c>.expr`) is a clean database error (exit 5)
 * naming the table and step, in verify as in stitch and backfill.
 */
describe.each(testEngines())('refusals and rejected expressions on %s', (engine) => {
  let s: Sandbox;
  let tables: string;
  /** Schemas whose name starts with `prefix` (a too-long name may have been truncated by the engine). */
  const schemasLike = async (prefix: string) =>
    (await s.query(`SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ${s.dialect.placeholder(1)}`, [`${prefix}%`])).map((r) => String(r.name));
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

  beforeAll(async () => {
    s = await openSandbox(engine);
    tables = await loadOrders(s, { rows: 300 });
  }, 60_000);
  afterAll(async () => s?.drop());

  it('a refusal leaves no ledger behind: exit 3 (cutover before stitch) and exit 2 (a missing column)', async () => {
    const config = s.writeConfig(tables);
    const refused = cli(['cutover', '--config', config]);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(/^error \[WRONG_PHASE\]/m);
    expect(await schemasLike(s.stateSchema)).toEqual([]);

    const badCursor = s.writeConfig(tables.replace('cursor: created_at', 'cursor: placed_at'), 'bad-cursor.yaml');
    const usage = cli(['stitch', '--config', badCursor]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^error \[MISSING_COLUMN\]/m);
    expect(await schemasLike(s.stateSchema)).toEqual([]);
  });

  it('…with a 71-character state_schema too', async () => {
    const long = s.schema(`_migrate_${'x'.repeat(80)}`).slice(0, 71);
    const config = writeConfig(s.dir, s.configHead().replace(`state_schema: ${s.stateSchema}`, `state_schema: ${long}`) + tables, 'long-state.yaml');
    const r = cli(['cutover', '--config', config]);
    expect([2, 3]).toContain(r.status);
    noStack(r.stderr);
    expect(await schemasLike(long.slice(0, 40))).toEqual([]);
  });

  it('a columns.<c>.expr the engine rejects: verify exits 5 naming the table and step; stitch refuses it cleanly too', async () => {
    const config = s.writeConfig(tables);
    expect(cli(['stitch', '--config', config]).status).toBe(0);
    expect(cli(['backfill', '--month', '2023-03', '--config', config]).status).toBe(0);
    const bad = s.writeConfig(tables.replace('total: { from: order_total, type: "decimal(12,2)" }', `total: { expr: '${s.quote('no_such_column')} * 2', type: "decimal(12,2)" }`), 'bad-expr.yaml');

    const verify = cli(['verify', '--config', bad]);
    expect(verify.status).toBe(5);
    expect(verify.stderr).toMatch(/^error \[DATABASE_ERROR\]: orders: verify: checksums per day over legacy: .*no_such_column/m);
    noStack(verify.stderr);

    // stitch meets it while planning (the cast probe: CAST_UNSUPPORTED, exit 2) or while applying (exit 5): cleanly either way.
    const stitch = cli(['stitch', '--config', bad]);
    expect([2, 5]).toContain(stitch.status);
    expect(stitch.stderr).toMatch(/^error \[[A-Z_]+\]: orders: .*no_such_column/m);
    noStack(stitch.stderr);
  });
});
