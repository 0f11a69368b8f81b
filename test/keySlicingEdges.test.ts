import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';

/**
 * slice: key at its edges (found by review): a first run of one chunk still plans and registers the whole table; a
 * legacy table with neither a primary key, a cursor nor updated_at (keys held twice) backfills; a row legacy gains in a
 * done chunk keeps the table from being called complete, naming the chunk; a chunk the ledger lost is made again; and
 * a table backfilled by months cannot be staged by key.
 */
describe.each(testEngines())('slice: key edges on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  const run = (...args: string[]) => cli([...args, '--config', config]);
  const legacy = () => s.q('legacy_schema', 'items');
  const target = () => s.q('dlt_schema', 'items');
  const count = async (table: string) => Number((await s.query(`SELECT count(*) AS n FROM ${table}`))[0].n);
  beforeAll(async () => {
    s = await openSandbox(engine);
    await s.createSchema('legacy_schema');
    await s.createSchema('dlt_schema');
    const text = engine === 'mysql' ? 'VARCHAR(64)' : 'VARCHAR';
    // No primary key, no cursor, no updated_at: key 7 is held twice (the same row), key 8 twice (two versions).
    await s.exec(`CREATE TABLE ${legacy()} (id BIGINT, label ${text})`);
    const rows = Array.from({ length: 30 }, (_, i) => `(${(i + 1) * 10}, 'item ${i + 1}')`);
    await s.exec(`INSERT INTO ${legacy()} VALUES ${rows.join(', ')}, (70, 'item 7'), (80, 'item 8 again')`);
    await s.exec(`CREATE TABLE ${target()} (id BIGINT NOT NULL PRIMARY KEY, label ${text}, _dlt_load_id ${text} NOT NULL, _dlt_id ${text} NOT NULL)`);
    config = s.writeConfig(`tables:
  items:
    legacy: ${s.ref('legacy_schema', 'items')}
    target: ${s.ref('dlt_schema', 'items')}
    view: ${s.ref('dw', 'all_items')}
    key: id
backfill:
  chunk_rows: 5
`);
    expect(run('stitch').status).toBe(0);
  });
  afterAll(async () => s?.drop());

  it('plans the whole table on a first run of one chunk, and backfills keys held twice', async () => {
    const one = run('backfill', '--chunk', '1');
    expect(one.stderr).not.toMatch(/error/);
    expect(one.status).toBe(0);
    const slices = await s.query(`SELECT window_key, status FROM ${s.quote(s.stateSchema)}.slices WHERE table_name = 'items' ORDER BY window_key`);
    expect(slices.length).toBeGreaterThan(5);
    expect(slices.filter((r) => r.status === 'done').length).toBe(1);
    const all = run('backfill', '--all');
    expect(all.status).toBe(0);
    expect(all.stdout).toContain('items: complete: every legacy row is in the target');
    expect(await count(target())).toBe(30);
    expect(run('verify').status).toBe(0);
  });

  it('is not complete while a done chunk holds a row legacy gained since, and names the chunk', async () => {
    await s.exec(`INSERT INTO ${legacy()} VALUES (5, 'early')`);
    await s.exec(`DELETE FROM ${legacy()} WHERE id = 300`);
    await s.exec(`DELETE FROM ${s.quote(s.stateSchema)}.table_phases WHERE table_name = 'items'`);
    await s.exec(`INSERT INTO ${s.quote(s.stateSchema)}.table_phases (table_name, phase, updated_at) VALUES ('items', 'backfilling', CURRENT_TIMESTAMP)`);
    const again = run('backfill', '--all');
    expect(again.status).toBe(4);
    expect(again.stderr).toMatch(/ROWS_UNACCOUNTED.*1 more in chunk-0000:/);
    expect(run('backfill', '--chunk', '0').status).toBe(0);
    expect((await s.query(`SELECT id FROM ${target()} WHERE id = 5`)).length).toBe(1);
  });

  it('makes a chunk the ledger lost again', async () => {
    const [first] = await s.query(`SELECT window_key FROM ${s.quote(s.stateSchema)}.slices WHERE table_name = 'items' ORDER BY window_key`);
    await s.exec(`DELETE FROM ${s.quote(s.stateSchema)}.slices WHERE table_name = 'items' AND window_key = '${String(first.window_key)}'`);
    await s.exec(`DELETE FROM ${target()} WHERE id = 5`);
    const refill = run('backfill', '--all');
    expect(refill.status).toBe(0);
    expect(refill.stdout).toMatch(/1 window to run/);
    expect((await s.query(`SELECT id FROM ${target()} WHERE id = 5`)).length).toBe(1);
    expect(run('verify').status).toBe(0);
  });

  it('refuses to stage by key a table backfilled by months', async () => {
    const dated = s.q('legacy_schema', 'dated');
    await s.exec(`CREATE TABLE ${dated} (id BIGINT PRIMARY KEY, created_at ${engine === 'mysql' ? 'DATETIME' : 'TIMESTAMP'})`);
    await s.exec(`INSERT INTO ${dated} VALUES (1, '2024-01-05 00:00:00'), (2, '2024-02-05 00:00:00')`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'dated')} (id BIGINT NOT NULL PRIMARY KEY, created_at ${engine === 'mysql' ? 'DATETIME' : 'TIMESTAMP'}, _dlt_load_id VARCHAR(64) NOT NULL, _dlt_id VARCHAR(64) NOT NULL)`);
    const datedConfig = s.writeConfig(
      `tables:
  dated:
    legacy: ${s.ref('legacy_schema', 'dated')}
    target: ${s.ref('dlt_schema', 'dated')}
    view: ${s.ref('dw', 'all_dated')}
    key: id
    cursor: created_at
`,
      'dated.yaml',
    );
    const dr = (...args: string[]) => cli([...args, '--config', datedConfig]);
    expect(dr('stitch').status).toBe(0);
    expect(dr('backfill', '--month', '2024-01').status).toBe(0);
    const staged = dr('backfill', '--all', '--strategy', 'staging', '--slice', 'key');
    expect(staged.status).toBe(2);
    expect(staged.stderr).toContain('BAD_FLAG');
    expect(staged.stderr).toContain('by periods of its cursor');
  });
});
