import * as fs from 'node:fs';
import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';

/**
 * retire renames legacy; a view or foreign key other than Theseus's own view that uses legacy would break (or,
 * on PostgreSQL, go on reading the archive). retire names each and refuses (exit 3, LEGACY_IN_USE) until they are
 * gone or --force comes with a reason, which the run log keeps.
 */
describe.each(testEngines())('retire while other objects use legacy, on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: 300 }));
    for (const args of [['stitch'], ['backfill', '--all', '--include-null-cursor']]) {
      const r = run(...args);
      if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    }
    await s.createSchema('reports');
    await s.exec(`CREATE VIEW ${s.q('reports', 'from_view')} AS SELECT count(*) AS n FROM ${s.q('dw', 'all_orders')}`);
    await s.exec(`CREATE VIEW ${s.q('reports', 'from_target')} AS SELECT count(*) AS n FROM ${s.q('dlt_schema', 'orders')}`);
    // A report reading legacy from another schema (PostgreSQL: a materialized view too). A view of a table whose
    // name only starts like legacy's must not be named.
    await s.exec(`CREATE VIEW ${s.q('reports', 'order_totals')} AS SELECT count(*) AS n FROM ${s.q('legacy_schema', 'orders')}`);
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'orders_notes')} (id INTEGER)`);
    await s.exec(`CREATE VIEW ${s.q('reports', 'notes')} AS SELECT id FROM ${s.q('legacy_schema', 'orders_notes')}`);
    // A foreign key referencing legacy (DuckDB keeps foreign keys within one schema).
    const fkSchema = engine === 'duckdb' ? 'legacy_schema' : 'reports';
    await s.exec(`CREATE TABLE ${s.q(fkSchema, 'order_lines')} (id INTEGER, order_id BIGINT REFERENCES ${s.q('legacy_schema', 'orders')} (${s.quote('Id')}))`);
    if (engine === 'postgres') await s.exec(`CREATE MATERIALIZED VIEW ${s.q('reports', 'order_days')} AS SELECT count(*) AS n FROM ${s.q('legacy_schema', 'orders')}`);
  });
  afterAll(async () => s?.drop());
  const run = (...args: string[]) => cli([...args, '--config', config]);

  it('backfill --plan, the change note and cutover (its SQL and its run) name what reads legacy, the target and the view', async () => {
    const reads = (what: string) => [
      `view ${s.schema('reports')}.order_totals`,
      `reads legacy ${s.schema('legacy_schema')}.orders`,
      `view ${s.schema('reports')}.from_target`,
      `reads the target ${s.schema('dlt_schema')}.orders`,
      `view ${s.schema('reports')}.from_view`,
      `reads the view ${s.schema('dw')}.all_orders`,
    ].forEach((text) => expect(what).toContain(text));
    const plan = run('backfill', '--all', '--plan');
    expect(plan.status).toBe(0);
    reads(plan.stdout);
    expect(plan.stdout).not.toContain('reports.notes');
    const dry = run('cutover', '--dry-run');
    expect(dry.status).toBe(0);
    reads(dry.stdout.split('\n').filter((line) => line.startsWith('-- WARNING: orders: used by')).join('\n'));
    const note = `${s.dir}/change-note.md`;
    expect(run('verify', '--markdown', note).status).toBe(0);
    const downstream = fs.readFileSync(note, 'utf8').split('\n').find((line) => line.startsWith('- **Downstream:**'))!;
    reads(downstream);
    const cut = run('cutover');
    expect(cut.status).toBe(0);
    reads(cut.stdout);
  });

  it('retire and retire --dry-run refuse, naming each object that reads legacy and no other', async () => {
    for (const args of [['retire'], ['retire', '--dry-run']]) {
      const r = run(...args);
      expect(r.status).toBe(3);
      expect(r.stderr).toContain('LEGACY_IN_USE');
      expect(r.stderr).toContain(`view ${s.schema('reports')}.order_totals`);
      expect(r.stderr).not.toContain('from_view'); // it reads the view, which retire leaves alone
      expect(r.stderr).toContain(`foreign key ${s.schema(engine === 'duckdb' ? 'legacy_schema' : 'reports')}.order_lines`);
      if (engine === 'postgres') expect(r.stderr).toContain(`materialized view ${s.schema('reports')}.order_days (owner `);
      expect(r.stderr).not.toContain('reports.notes');
      expect(r.stderr).not.toContain(`${s.schema('reports')}.notes`);
    }
    const tables = await s.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${s.schema('legacy_schema')}' ORDER BY 1`);
    expect(tables.map((t) => String(t.name))).toContain('orders');
  });

  it('--force needs a reason; with one, retire renames legacy, warns with the list, and the run log keeps the reason', async () => {
    expect(run('retire', '--force').status).toBe(2);
    expect(run('retire', '--reason', 'x').status).toBe(3); // a reason alone overrides nothing: it is only kept in the run log
    // DuckDB itself refuses to rename a table a foreign key references (a dependency error), --force or not.
    if (engine === 'duckdb') await s.exec(`DROP TABLE ${s.q('legacy_schema', 'order_lines')}`);
    // The SQL a DBA reviews names what the forced retire leaves reading the archive or broken.
    const dry = run('retire', '--dry-run', '--force', '--reason', 'finance moves its report to the view next week (TICKET-9)');
    expect(dry.status).toBe(0);
    expect(dry.stdout.split('\n').find((line) => line.startsWith('-- WARNING: orders: retiring legacy'))).toContain(`view ${s.schema('reports')}.order_totals`);
    const forced = run('retire', '--force', '--reason', 'finance moves its report to the view next week (TICKET-9)');
    expect(forced.stderr).toContain(`view ${s.schema('reports')}.order_totals`);
    expect(forced.stderr).toContain('(--force), reason: finance moves its report to the view next week (TICKET-9)');
    expect(forced.status).toBe(0);
    const [log] = await s.query(`SELECT arguments FROM ${s.q('_migrate', 'runs')} WHERE command = 'retire' AND outcome = 'succeeded'`);
    expect(String(log.arguments)).toContain('TICKET-9');
  });
});
