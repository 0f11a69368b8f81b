import { cli } from './helpers/warehouse';
import { type EngineName, type Sandbox, testEngines } from './helpers/engines';
import { TIME_TYPES, openTableSandbox, writeTableConfig } from './helpers/tableSandbox';

/**
 * Values compare by meaning, not by spelling (issue 11, point 6): a JSON
 * document kept as json (or text) in legacy and as jsonb/JSON in the target
 * verifies green, and a cast the engine refuses is named at stitch with the
 * column and the way out (columns.<c>.expr).
 */
const JSON_TYPES: Record<EngineName, { legacy: string; target: string }> = {
  duckdb: { legacy: 'VARCHAR', target: 'JSON' },
  postgres: { legacy: 'json', target: 'jsonb' },
  mysql: { legacy: 'LONGTEXT', target: 'JSON' },
};
/**
 * A legacy type the engine refuses to cast to bigint whatever the values. Only PostgreSQL refuses by type;
 * DuckDB and MySQL/MariaDB try every value (and fail, or warn, row by row).
 */
const UNCASTABLE: Partial<Record<EngineName, string>> = { postgres: 'boolean' };

describe.each(testEngines())('values by meaning on %s', (engine) => {
  let s: Sandbox;
  const t = { ...JSON_TYPES[engine], ...TIME_TYPES[engine] };
  beforeAll(async () => {
    s = await openTableSandbox(engine);
  });
  afterAll(async () => s?.drop());

  const config = (name: string) => writeTableConfig(s, name, 'happened_at');

  it('a JSON document spelled differently on the two sides (spacing, key order) validates and verifies green', async () => {
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'events')} (id BIGINT PRIMARY KEY, happened_at ${t.naive}, payload ${t.legacy})`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'events')} (id BIGINT NOT NULL PRIMARY KEY, happened_at ${t.zoned}, payload ${t.target})`);
    const docs = ['{"b": 1,  "a": [1, 2]}', '{ "z" : {"y": null, "x": "é"} }', '[3, 2,   1]'];
    await s.exec(`INSERT INTO ${s.q('legacy_schema', 'events')} VALUES ${docs.map((d, i) => `(${i + 1}, '2024-01-0${i + 1} 10:00:00', ${s.dialect.stringLiteral(d)})`).join(', ')}`);
    const file = config('events');
    expect(cli(['stitch', '--config', file]).status).toBe(0);
    const backfill = cli(['backfill', '--all', '--config', file]);
    expect(backfill.stderr).toBe('');
    expect(backfill.status).toBe(0);
    const verify = cli(['verify', '--json', '--config', file]);
    expect(verify.status).toBe(0);
    const report = JSON.parse(verify.stdout) as { tables: Array<{ compared: string[] }> };
    if (engine !== 'mysql') expect(report.tables[0].compared).toContain('payload (JSON document)');
  });

  // MySQL/MariaDB's DOUBLE holds no NaN or infinity.
  if (engine !== 'mysql') it('NaN and ±infinity in a float column validate and verify (no decimal holds them, so they are written as text); a changed one is found', async () => {
    const double = engine === 'postgres' ? 'double precision' : 'DOUBLE';
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'readings')} (id BIGINT PRIMARY KEY, happened_at ${t.naive}, value ${double})`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'readings')} (id BIGINT NOT NULL PRIMARY KEY, happened_at ${t.zoned}, value ${double})`);
    const values = ["'NaN'", "'Infinity'", "'-Infinity'", '2.5'];
    await s.exec(`INSERT INTO ${s.q('legacy_schema', 'readings')} VALUES ${values.map((v, i) => `(${i + 1}, '2024-01-0${i + 1} 10:00:00', CAST(${v} AS ${double}))`).join(', ')}`);
    // verify.sums over the same column: NaN and ±infinity are left out of both sums alike.
    const file = writeTableConfig(s, 'readings', 'happened_at', '    verify:\n      sums: [value]\n');
    expect(cli(['stitch', '--config', file]).status).toBe(0);
    const backfill = cli(['backfill', '--all', '--config', file]);
    expect({ status: backfill.status, stderr: backfill.stderr }).toEqual({ status: 0, stderr: '' });
    expect(cli(['verify', '--config', file]).status).toBe(0);
    // The target's NaN becomes +infinity: verify must see it.
    await s.exec(`UPDATE ${s.q('dlt_schema', 'readings')} SET value = CAST('Infinity' AS ${double}) WHERE id = 1`);
    const changed = cli(['verify', '--config', file]);
    expect(changed.status).not.toBe(0);
    expect(changed.stdout).toMatch(/2024-01/);
  });

  it('a row with two case changes 16 bytes apart is found (a weak row hash maps such rows to one value)', async () => {
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'guests')} (id BIGINT PRIMARY KEY, happened_at ${t.naive}, name VARCHAR(40), city VARCHAR(40))`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'guests')} (id BIGINT NOT NULL PRIMARY KEY, happened_at ${t.zoned}, name VARCHAR(40), city VARCHAR(40))`);
    await s.exec(`INSERT INTO ${s.q('legacy_schema', 'guests')} VALUES (1000, '2024-01-02 10:00:00', 'grace hopper', 'london')`);
    const file = config('guests');
    expect(cli(['stitch', '--config', file]).status).toBe(0);
    expect(cli(['backfill', '--all', '--config', file]).status).toBe(0);
    expect(cli(['verify', '--config', file]).status).toBe(0);
    await s.exec(`UPDATE ${s.q('dlt_schema', 'guests')} SET name = 'grAce hopper', city = 'londoN' WHERE id = 1000`);
    expect(cli(['verify', '--config', file]).status).not.toBe(0);
  });

  // PostgreSQL hashes a row's text with its own hashtextextended, which follows the text's collation.
  if (engine === 'postgres') it('a case change in a column with a case-insensitive collation is found, and two collations in one table verify', async () => {
    await s.exec(`CREATE COLLATION IF NOT EXISTS theseus_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`);
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'people')} (id BIGINT PRIMARY KEY, happened_at ${t.naive}, name text COLLATE theseus_ci, city text COLLATE "C")`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'people')} (id BIGINT NOT NULL PRIMARY KEY, happened_at ${t.zoned}, name text COLLATE theseus_ci, city text COLLATE "C")`);
    await s.exec(`INSERT INTO ${s.q('legacy_schema', 'people')} VALUES (1, '2024-01-02 10:00:00', 'grace hopper', 'london'), (2, '2024-01-03 10:00:00', 'ada', 'paris')`);
    const file = config('people');
    expect(cli(['stitch', '--config', file]).status).toBe(0);
    const backfill = cli(['backfill', '--all', '--config', file]);
    expect({ status: backfill.status, stderr: backfill.stderr }).toEqual({ status: 0, stderr: '' });
    expect(cli(['verify', '--config', file]).status).toBe(0);
    // Only the case differs: equal under the column's collation, not the same value.
    await s.exec(`UPDATE ${s.q('dlt_schema', 'people')} SET name = 'grAce hopper' WHERE id = 1`);
    expect(cli(['verify', '--config', file]).status).not.toBe(0);
  });

  const uncastable = UNCASTABLE[engine];
  if (uncastable) it("a legacy column the engine cannot cast to the target's type is named at stitch, with columns.<c>.expr as the way out", async () => {
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'flags')} (id BIGINT PRIMARY KEY, happened_at ${t.naive}, active ${uncastable})`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'flags')} (id BIGINT NOT NULL PRIMARY KEY, happened_at ${t.zoned}, active BIGINT)`);
    const r = cli(['stitch', '--config', config('flags')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error \[CAST_UNSUPPORTED\]: flags: legacy values cannot be cast to the target's type: active \(legacy active \w+ → target bigint\): /i);
    expect(r.stderr).toContain('tables.flags.columns.active.expr');
  });
});
