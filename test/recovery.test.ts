import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';

/**
 * Where DDL commits on its own (MySQL/MariaDB), a command interrupted between
 * two statements is finished by running it again. Here: retire, stopped right
 * after its rename (simulated by doing its first two statements by hand).
 */
describe.each(testEngines())('an interrupted retire, run again, on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: 300 }));
    for (const args of [['stitch'], ['backfill', '--all', '--include-null-cursor'], ['cutover']]) expect(cli([...args, '--config', config]).status).toBe(0);
  });
  afterAll(async () => s?.drop());

  it('finishes: the phase becomes retired with the archive the first attempt made', async () => {
    const archive = 'orders__retired_20260101';
    await s.exec(`UPDATE ${s.q('_migrate', 'table_phases')} SET archive_name = '${archive}' WHERE table_name = 'orders'`);
    const rename = engine === 'mysql' ? `RENAME TABLE ${s.q('legacy_schema', 'orders')} TO ${s.q('legacy_schema', archive)}` : `ALTER TABLE ${s.q('legacy_schema', 'orders')} RENAME TO ${s.quote(archive)}`;
    await s.exec(rename);
    expect(JSON.parse(cli(['status', '--json', '--config', config]).stdout).tables[0]).toMatchObject({ phase: 'cutover', archive: null });

    const r = cli(['retire', '--config', config]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`had already been renamed to ${archive}; the interrupted retire is finished`);
    expect(JSON.parse(cli(['status', '--json', '--config', config]).stdout).tables[0]).toMatchObject({ phase: 'retired', archive });
  });
});
