import type { Connection } from '../dialects/types';
import { cli } from './helpers/warehouse';
import { printedStatements } from './helpers/printedPlan';
import { ensureMysqlZones } from './helpers/mysqlZones';
import { type EngineName, type Sandbox, testEngines } from './helpers/engines';
import { TIME_TYPES, openTableSandbox, writeTableConfig } from './helpers/tableSandbox';

/**
 * Timestamps never move with the reader's time zone (issue 11, point 2).
 * Legacy holds naive timestamps, the dlt target zoned ones. The view, the
 * upsert, the windows and the checksums name every zone themselves, so a
 * reader, a DBA pasting the printed SQL, or the CLI itself in a zone other
 * than UTC sees and writes the same instants; `legacy_timezone` says which
 * zone legacy's wall times are in, DST resolved by the engine.
 */

/** A session in New York (January: UTC-5). MySQL/MariaDB by offset, which needs no time zone tables. */
const NEW_YORK: Record<EngineName, string> = {
  duckdb: "SET TimeZone = 'America/New_York'",
  postgres: "SET TIME ZONE 'America/New_York'",
  mysql: "SET time_zone = '-05:00'",
};
/** Seconds since the epoch of a zoned value, read in the reader's own session. */
const EPOCH: Record<EngineName, (col: string) => string> = {
  duckdb: (c) => `epoch(${c})`,
  postgres: (c) => `extract(epoch FROM ${c})`,
  mysql: (c) => `UNIX_TIMESTAMP(${c})`,
};

describe.each(testEngines())('time zones on %s', (engine) => {
  let s: Sandbox;
  const t = TIME_TYPES[engine];
  beforeAll(async () => {
    s = await openTableSandbox(engine);
  });
  afterAll(async () => s?.drop());

  /** A connection whose session is in New York, for `body` only (DuckDB admits one process per file). */
  async function inNewYork<T>(body: (c: Connection) => Promise<T>): Promise<T> {
    const c = await s.dialect.connect(s.connection, { readOnly: false });
    try {
      await c.execute(NEW_YORK[engine]);
      return await body(c);
    } finally {
      await c.close();
    }
  }

  async function tables(name: string, rows: Array<[number, string]>): Promise<void> {
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', name)} (id BIGINT PRIMARY KEY, happened_at ${t.naive}, amount DECIMAL(10,2))`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', name)} (id BIGINT NOT NULL PRIMARY KEY, happened_at ${t.zoned}, amount DECIMAL(10,2))`);
    await s.exec(`INSERT INTO ${s.q('legacy_schema', name)} VALUES ${rows.map(([id, at]) => `(${id}, ${s.dialect.stringLiteral(at)}, ${id}.25)`).join(', ')}`);
  }

  const config = (name: string, extra = '') => writeTableConfig(s, name, 'happened_at', extra);

  it('a reader in New York sees the same instant for a row before and after its month is backfilled; the printed upsert writes it from any session', async () => {
    await tables('events', [[1, '2024-01-15 10:00:00']]);
    const file = config('events');
    const run = (...args: string[]) => cli([...args, '--config', file], { THESEUS_NOW: '1700000000' });
    expect(run('stitch').status).toBe(0);
    const view = s.q('dw', 'all_events');
    const readView = () => inNewYork(async (c) => (await c.query(`SELECT ${EPOCH[engine]('happened_at')} AS e, ${s.dialect.cast('happened_at', s.dialect.textType)} AS shown, source_flag FROM ${view} WHERE id = 1`))[0]);
    const instant = Date.UTC(2024, 0, 15, 10) / 1000;
    const before = await readView();
    expect(before.source_flag).toBe('legacy');
    expect(Number(before.e)).toBe(instant);
    expect(String(before.shown)).toMatch(/^2024-01-15 05:00:00/);

    // The DBA's path: the backfill as `--dry-run` prints it, nothing bound. Its statements up to the slice's write run
    // in order in a New York session (the file's first ones, which set the session to UTC, left out): the write puts
    // the UTC instant. The rest runs as the file runs it, in UTC (MySQL's checksums of a naive time read the session's zone).
    const dry = run('backfill', '--month', '2024-01', '--dry-run');
    expect(dry.status).toBe(0);
    const printed = printedStatements(dry.stdout).filter((st) => !st.unit.startsWith('session:') && !/^(BEGIN|COMMIT)$/.test(st.sql));
    expect(printed.filter((st) => st.binds.length > 0)).toEqual([]);
    const target = s.q('dlt_schema', 'events');
    const writes = (sql: string) => [`MERGE INTO ${target}`, `INSERT INTO ${target}`, `WITH upserted AS (\nINSERT INTO ${target}`].some((start) => sql.startsWith(start));
    const write = printed.map((st) => writes(st.sql)).lastIndexOf(true);
    expect(write).toBeGreaterThan(0);
    const runIn = async (c: { query: (sql: string) => Promise<unknown>; execute: (sql: string) => Promise<unknown> }, statements: typeof printed) => {
      for (const st of statements) await (/^SELECT\s/.test(st.sql) ? c.query(st.sql) : c.execute(st.sql));
    };
    await inNewYork((c) => runIn(c, printed.slice(0, write + 1)));
    await runIn({ query: (sql) => s.query(sql), execute: (sql) => s.exec(sql) }, printed.slice(write + 1));
    const [pasted] = await s.query(`SELECT ${EPOCH[engine]('happened_at')} AS e FROM ${s.q('dlt_schema', 'events')} WHERE id = 1`);
    expect(Number(pasted.e)).toBe(instant);
    await s.exec(`DELETE FROM ${s.q('dlt_schema', 'events')}`);

    // The CLI run from a machine and a libpq environment in New York: its sessions are UTC regardless.
    // (--rerun: the pasted file recorded 2024-01 as done.)
    const backfill = cli(['backfill', '--all', '--rerun', '--config', file], { TZ: 'America/New_York', PGTZ: 'America/New_York' });
    expect(backfill.status).toBe(0);
    const after = await readView();
    expect(after.source_flag).toBe('dlt');
    expect(Number(after.e)).toBe(instant);
    expect(after.shown).toBe(before.shown);
    const verify = cli(['verify', '--config', file], { TZ: 'America/New_York', PGTZ: 'America/New_York' });
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
  });

  it('legacy_timezone: America/New_York wall times land in the right UTC window across DST and month ends', async () => {
    if (engine === 'mysql') await ensureMysqlZones(s);
    await tables('visits', [
      [10, '2024-03-10 01:30:00'], // EST, before the spring-forward gap: 06:30 UTC
      [11, '2024-03-10 03:30:00'], // EDT, after it: 07:30 UTC
      [12, '2024-03-31 21:00:00'], // EDT: 2024-04-01 01:00 UTC, an April row
      [13, '2024-02-29 19:30:00'], // EST: 2024-03-01 00:30 UTC, a March row
      [14, '2024-11-30 20:00:00'], // EST: 2024-12-01 01:00 UTC, a December row
    ]);
    const file = config('visits', '    legacy_timezone: America/New_York\n    verify:\n      sums: [amount]\n');
    const run = (...args: string[]) => cli([...args, '--config', file]);
    expect(run('stitch').status).toBe(0);
    const viewed = await s.query(`SELECT id, ${EPOCH[engine]('happened_at')} AS e FROM ${s.q('dw', 'all_visits')} ORDER BY id`);
    const expected = [Date.UTC(2024, 2, 10, 6, 30), Date.UTC(2024, 2, 10, 7, 30), Date.UTC(2024, 3, 1, 1), Date.UTC(2024, 2, 1, 0, 30), Date.UTC(2024, 11, 1, 1)].map((ms) => ms / 1000);
    expect(viewed.map((r) => Number(r.e))).toEqual(expected);

    const backfill = run('backfill', '--all');
    expect(backfill.stderr).toBe('');
    expect(backfill.status).toBe(0);
    expect(backfill.stdout).toContain('from 2024-03 to 2024-12');
    const slices = await s.query(`SELECT window_key, legacy_rows FROM ${s.q('_migrate', 'slices')} WHERE table_name = 'visits' AND legacy_rows > 0 ORDER BY window_key`);
    expect(slices.map((r) => [String(r.window_key), Number(r.legacy_rows)])).toEqual([
      ['2024-03', 3],
      ['2024-04', 1],
      ['2024-12', 1],
    ]);
    const stored = await s.query(`SELECT id, ${EPOCH[engine]('happened_at')} AS e FROM ${s.q('dlt_schema', 'visits')} ORDER BY id`);
    expect(stored.map((r) => Number(r.e))).toEqual(expected);
    const verify = run('verify');
    expect(verify.status).toBe(0);
    expect(run('cutover').status).toBe(0);
  });

  it('a date that stays a date is not moved by legacy_timezone; times outside what the engine can convert are converted (or, on MySQL/MariaDB, refused)', async () => {
    if (engine === 'mysql') await ensureMysqlZones(s);
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'people')} (id BIGINT PRIMARY KEY, happened_at ${t.naive}, born DATE)`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'people')} (id BIGINT NOT NULL PRIMARY KEY, happened_at ${t.naive}, born DATE)`);
    await s.exec(`INSERT INTO ${s.q('legacy_schema', 'people')} VALUES (1, '2024-06-01 12:00:00', '1990-06-01'), (2, '2024-06-02 12:00:00', '1990-06-02')`);
    const file = config('people', '    legacy_timezone: Europe/Berlin\n');
    for (const command of ['stitch', 'backfill --all', 'verify']) {
      const r = cli([...command.split(' '), '--config', file]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const rows = await s.query(`SELECT id, ${s.dialect.cast('born', s.dialect.textType)} AS born, ${s.dialect.cast('happened_at', s.dialect.textType)} AS at FROM ${s.q('dlt_schema', 'people')} ORDER BY id`);
    expect(rows.map((r) => [String(r.born), String(r.at).slice(0, 16)])).toEqual([
      ['1990-06-01', '2024-06-01 10:00'], // CEST: a Berlin noon is 10:00 UTC
      ['1990-06-02', '2024-06-02 10:00'],
    ]);

    // 1965 in Berlin (no DST then: UTC+1). MySQL/MariaDB convert zones only from 1970 to 2038 and would write it unconverted.
    await s.exec(`INSERT INTO ${s.q('legacy_schema', 'people')} VALUES (3, '1965-06-01 12:00:00', '1940-01-01')`);
    // Its month alone: --all would plan every month from 1965 to 2024 (the check that refuses on MySQL reads the whole table).
    const old = cli(['backfill', '--month', '1965-06', '--config', file]);
    if (engine === 'mysql') {
      expect(old.status).toBe(2);
      expect(old.stderr).toContain('error [TIMEZONE_RANGE]: people: mysql converts times between zones only from 1970 to 2038, and legacy holds times outside it (happened_at: 1 legacy row)');
    } else {
      expect(old.stderr).toBe('');
      expect(old.status).toBe(0);
      const [row] = await s.query(`SELECT ${s.dialect.cast('happened_at', s.dialect.textType)} AS at FROM ${s.q('dlt_schema', 'people')} WHERE id = 3`);
      expect(String(row.at).slice(0, 16)).toBe('1965-06-01 11:00');
    }
  });

  it('a legacy_timezone the engine does not know is refused before anything is written', async () => {
    await tables('calls', [[1, '2024-01-15 10:00:00']]);
    const r = cli(['stitch', '--config', config('calls', '    legacy_timezone: Mars/Olympus_Mons\n')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error [TIMEZONE_UNKNOWN]: tables.calls.legacy_timezone is "Mars/Olympus_Mons"');
  });
});
