import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';

/**
 * PostgreSQL's CREATE OR REPLACE VIEW cannot drop, rename or retype a column.
 * When the target's columns change between stitches, the view is dropped and
 * created again in one transaction, and the privileges others held on it are
 * given back.
 */
const engines = testEngines().filter((e) => e === 'postgres');

describe.each(engines)('re-stitching a view whose columns changed, on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  const reader = `theseus_reader_${Math.random().toString(16).slice(2, 10)}`;
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: 500 }));
    await s.exec(`CREATE ROLE ${reader}`);
  });
  afterAll(async () => {
    await s?.drop();
    // Roles live outside the database: drop it once the database (and the grants in it) are gone.
    const admin = await openSandbox(engine);
    await admin.exec(`DROP ROLE IF EXISTS ${reader}`);
    await admin.drop();
  });

  it('drops and recreates the view in one transaction, keeping its grants, and says so in the dry run', async () => {
    expect(cli(['stitch', '--config', config]).status).toBe(0);
    await s.exec(`GRANT SELECT ON ${s.q('dw', 'all_orders')} TO ${reader}`);
    // The dlt pipeline's schema evolved: a new column, appended after dlt's own, so source_flag would have to move.
    await s.exec(`ALTER TABLE ${s.q('dlt_schema', 'orders')} ADD COLUMN coupon_code text`);

    const dry = cli(['stitch', '--dry-run', '--config', config]);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/BEGIN;[\s\S]*DROP VIEW "dw"\."all_orders";[\s\S]*CREATE VIEW "dw"\."all_orders" AS[\s\S]*GRANT SELECT ON "dw"\."all_orders" TO "theseus_reader_\w+";[\s\S]*COMMIT;/);

    const r = cli(['stitch', '--config', config]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const columns = await s.query(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'dw' AND table_name = 'all_orders' ORDER BY ordinal_position`);
    expect(columns.map((c) => c.name).slice(-3)).toEqual(['_dlt_id', 'coupon_code', 'source_flag']);
    const grants = await s.query(`SELECT privilege_type AS p FROM information_schema.role_table_grants WHERE grantee = $1 AND table_name = 'all_orders'`, [reader]);
    expect(grants.map((g) => g.p)).toEqual(['SELECT']);
  });

  it('a view another view depends on is refused, and left as it was', async () => {
    await s.exec(`CREATE VIEW ${s.q('dw', 'order_counts')} AS SELECT count(*) AS n, status FROM ${s.q('dw', 'all_orders')} GROUP BY status`);
    await s.exec(`ALTER TABLE ${s.q('dlt_schema', 'orders')} ADD COLUMN gift_note text`);
    const r = cli(['stitch', '--config', config]);
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/error \[DATABASE_ERROR\]: orders: stitch: Drop the view orders first[^\n]*cannot drop view/);
    const columns = await s.query(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'dw' AND table_name = 'all_orders' ORDER BY ordinal_position`);
    expect(columns.map((c) => c.name).slice(-2)).toEqual(['coupon_code', 'source_flag']);
  });
});
