import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { eventually, startCli } from './helpers/processes';

/**
 * Inputs and names, through the real CLI on every engine: names longer than
 * the engine keeps, names that differ only in case, one ledger shared by two
 * configs, months outside legacy, the preflight before stitch, and what
 * commands say once legacy is retired.
 */

const TYPES = {
  duckdb: { big: 'BIGINT', ts: 'TIMESTAMP', dec: 'DECIMAL(12,2)' },
  postgres: { big: 'bigint', ts: 'timestamp', dec: 'numeric(12,2)' },
  mysql: { big: 'BIGINT', ts: 'DATETIME', dec: 'DECIMAL(12,2)' },
} as const;

/** A legacy table of 9 rows over 2024-01 … 2024-03 and its empty target (with a primary key, which every engine's upsert can use). */
async function createPair(s: Sandbox, legacy: [string, string], target: [string, string]): Promise<void> {
  const t = TYPES[s.engine];
  await s.createSchema(legacy[0]);
  await s.createSchema(target[0]);
  await s.exec(`CREATE TABLE ${s.q(...legacy)} (id ${t.big} PRIMARY KEY, created_at ${t.ts}, amount ${t.dec})`);
  await s.exec(`CREATE TABLE ${s.q(...target)} (id ${t.big} NOT NULL PRIMARY KEY, created_at ${t.ts}, amount ${t.dec})`);
  const rows = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `(${i}, TIMESTAMP '2024-0${Math.ceil(i / 3)}-1${i % 3} 10:00:00', ${i}.50)`);
  await s.exec(`INSERT INTO ${s.q(...legacy)} VALUES ${rows.join(', ')}`);
}

function tableYaml(s: Sandbox, id: string, legacy: [string, string], target: [string, string], view: [string, string]): string {
  return `  ${id}:
    legacy: ${s.ref(...legacy)}
    target: ${s.ref(...target)}
    view: ${s.ref(...view)}
    key: id
    cursor: created_at
`;
}

const errorLine = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('error')) ?? '';
const statusOf = (config: string) => JSON.parse(cli(['status', '--json', '--config', config]).stdout).tables[0];

describe.each(testEngines())('inputs and names on %s', (engine) => {
  let s: Sandbox;
  beforeAll(async () => {
    s = await openSandbox(engine);
  });
  afterAll(async () => s?.drop());

  it('a name longer than the engine keeps is refused at config time (exit 2), naming it; retire fits the archive name to the limit', async () => {
    const long = `invoices_${'x'.repeat(46)}`; // 55 characters
    expect(long).toHaveLength(55);
    await createPair(s, ['lim_legacy', long], ['lim_dlt', 'invoices']);
    const longView = `all_invoices_${'v'.repeat(58)}`; // 71 characters
    const tooLong = s.writeConfig(`tables:\n${tableYaml(s, 'invoices', ['lim_legacy', long], ['lim_dlt', 'invoices'], ['lim_dw', longView])}`, 'long-view.yaml');
    const limit = s.dialect.maxIdentifierLength;
    const stitched = cli(['stitch', '--config', tooLong]);
    if (limit) {
      expect(stitched.status).toBe(2);
      expect(errorLine(stitched.stderr)).toContain(`error [NAME_TOO_LONG]: tables.invoices.view: "${longView}" is 71 ${limit.unit} long`);
      expect(cli(['status', '--config', tooLong]).status).toBe(2);
    } else {
      // DuckDB keeps long names whole: the view is made, and status finds it.
      expect(stitched.status).toBe(0);
      expect(cli(['status', '--config', tooLong]).stdout).toContain('legacy 9');
    }

    const config = s.writeConfig(`tables:\n${tableYaml(s, 'invoices', ['lim_legacy', long], ['lim_dlt', 'invoices'], ['lim_dw', 'all_invoices'])}`, 'long-legacy.yaml');
    for (const args of [['stitch'], ['backfill', '--all'], ['cutover']]) expect(cli([...args, '--config', config]).status).toBe(0);
    if (!limit) {
      // The long-named view stitched above still reads legacy: retire names it and refuses until it is gone.
      const refused = cli(['retire', '--config', config]);
      expect(refused.status).toBe(3);
      expect(refused.stderr).toContain(`LEGACY_IN_USE]: invoices: 1 object other than the view reads legacy lim_legacy.${long}: view lim_dw.${longView}`);
      await s.exec(`DROP VIEW ${s.q('lim_dw', longView)}`);
    }
    const retired = cli(['retire', '--config', config]);
    expect(retired.stderr).toBe('');
    expect(retired.status).toBe(0);
    const archive = /renamed to (\S+) /.exec(retired.stdout)![1];
    const tables = (await s.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${s.schema('lim_legacy')}'`)).map((r) => String(r.name ?? r.NAME));
    expect(tables).toEqual([archive]);
    if (limit) {
      expect(archive.length).toBeLessThanOrEqual(limit.max);
      expect(archive).toMatch(/^invoices_x+_[0-9a-f]{6}__retired_\d{8}$/);
    } else {
      expect(archive).toMatch(new RegExp(`^${long}__retired_\\d{8}$`));
    }
    expect(statusOf(config)).toMatchObject({ phase: 'retired', archive });
    const dropped = cli(['retire', '--drop', '--confirm', s.ref('lim_legacy', long), '--config', config]);
    expect(dropped.stderr).toBe('');
    expect(dropped.status).toBe(0);
    expect(statusOf(config)).toMatchObject({ phase: 'retired', archive: null });
  });

  it('commands after retire say the legacy table was retired, and as what', async () => {
    const config = s.writeConfig(`tables:\n${tableYaml(s, 'paid', ['ret_legacy', 'paid'], ['ret_dlt', 'paid'], ['ret_dw', 'all_paid'])}`, 'retired.yaml');
    await createPair(s, ['ret_legacy', 'paid'], ['ret_dlt', 'paid']);
    for (const args of [['stitch'], ['backfill', '--all'], ['cutover'], ['retire']]) expect(cli([...args, '--config', config]).status).toBe(0);
    const archive = statusOf(config).archive as string;
    for (const args of [['stitch'], ['verify'], ['backfill', '--all'], ['cutover']]) {
      const r = cli([...args, '--config', config]);
      expect({ args, status: r.status }).toEqual({ args, status: 3 });
      expect(errorLine(r.stderr)).toBe(`error [LEGACY_RETIRED]: paid: the legacy table ${s.ref('ret_legacy', 'paid')} was retired as ${archive}`);
    }
  });

  it('two configs sharing a ledger cannot use one table id for different tables', async () => {
    await createPair(s, ['id_a', 'invoices'], ['id_a_dlt', 'invoices']);
    await createPair(s, ['id_b', 'invoices'], ['id_b_dlt', 'invoices']);
    const first = s.writeConfig(`tables:\n${tableYaml(s, 'bills', ['id_a', 'invoices'], ['id_a_dlt', 'invoices'], ['id_a_dw', 'all_invoices'])}`, 'first.yaml');
    for (const args of [['stitch'], ['backfill', '--all']]) expect(cli([...args, '--config', first]).status).toBe(0);
    expect(statusOf(first).windows).toMatchObject({ done: 3, total: 3 });

    const second = s.writeConfig(`tables:\n${tableYaml(s, 'bills', ['id_b', 'invoices'], ['id_b_dlt', 'invoices'], ['id_b_dw', 'all_invoices'])}`, 'second.yaml');
    for (const args of [['status'], ['stitch'], ['backfill', '--all']]) {
      const r = cli([...args, '--config', second]);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(errorLine(r.stderr)).toContain(`error [TABLE_ID_TAKEN]: tables.bills: the ledger in ${s.stateSchema} already holds a migration named bills, of ${s.ref('id_a', 'invoices')} into ${s.ref('id_a_dlt', 'invoices')}`);
    }
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${s.q('id_b_dlt', 'invoices')}`))[0].n)).toBe(0);

    // Under a name of its own, the second migration starts from nothing, and the first is untouched.
    const renamed = s.writeConfig(`tables:\n${tableYaml(s, 'bills_b', ['id_b', 'invoices'], ['id_b_dlt', 'invoices'], ['id_b_dw', 'all_invoices'])}`, 'second-renamed.yaml');
    expect(cli(['stitch', '--config', renamed]).status).toBe(0);
    expect(statusOf(renamed)).toMatchObject({ phase: 'stitched', windows: { done: 0, total: 3 } });
    const all = cli(['backfill', '--all', '--config', renamed]);
    expect(all.stdout).toContain('complete: every legacy row is in the target');
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${s.q('id_b_dlt', 'invoices')}`))[0].n)).toBe(9);
    expect(statusOf(first)).toMatchObject({ phase: 'backfilled', windows: { done: 3, total: 3 } });
  });

  it('backfill --plan runs before stitch and writes nothing; months outside legacy are refused unless --allow-empty', async () => {
    await createPair(s, ['rng_legacy', 'orders'], ['rng_dlt', 'orders']);
    const config = s.writeConfig(`tables:\n${tableYaml(s, 'orders', ['rng_legacy', 'orders'], ['rng_dlt', 'orders'], ['rng_dw', 'all_orders'])}`, 'range.yaml');
    const ledgerRows = async () => Number((await s.query(`SELECT count(*) AS n FROM ${s.q('_migrate', 'slices')} WHERE table_name = 'orders'`))[0].n);
    const runs = async () => Number((await s.query(`SELECT count(*) AS n FROM ${s.q('_migrate', 'runs')}`))[0].n);
    const runsBefore = await runs();
    const planned = cli(['backfill', '--all', '--plan', '--config', config]);
    expect(planned.stderr).toBe('');
    expect(planned.status).toBe(0);
    expect(planned.stdout).toContain('orders: 3 windows to run, 9 legacy rows');
    expect(planned.stdout).toMatch(/2024-03\s+3 rows/);
    expect(statusOf(config)).toMatchObject({ phase: 'new' });
    expect(await runs()).toBe(runsBefore);
    expect(await s.query(`SELECT table_name AS t FROM information_schema.views WHERE table_schema = '${s.schema('rng_dw')}'`)).toEqual([]);

    expect(cli(['stitch', '--config', config]).status).toBe(0);
    for (const range of [['--month', '2019-05'], ['--from', '2023-12', '--to', '2024-02'], ['--month', '2024-04']]) {
      const r = cli(['backfill', ...range, '--config', config]);
      expect({ range, status: r.status }).toEqual({ range, status: 2 });
      expect(errorLine(r.stderr)).toContain(`error [MONTH_OUT_OF_RANGE]: orders: ${range.join(' ')} reaches outside legacy's months (2024-01 … 2024-03)`);
    }
    expect(await ledgerRows()).toBe(0);
    expect(statusOf(config).windows).toMatchObject({ done: 0, total: 3 });

    expect(cli(['backfill', '--month', '2024-02', '--config', config]).status).toBe(0);
    const empty = cli(['backfill', '--month', '2019-05', '--allow-empty', '--config', config]);
    expect(empty.status).toBe(0);
    expect(statusOf(config).windows).toMatchObject({ done: 2, total: 4 });
  });
});

/**
 * PostgreSQL and MariaDB allow two tables whose names differ only in case
 * (DuckDB refuses to create the second), so a name matching both
 * case-insensitively, and neither exactly, is refused with the candidates.
 */
describe.each(testEngines().filter((e) => e !== 'duckdb'))('names that differ only in case on %s', (engine) => {
  let s: Sandbox;
  beforeAll(async () => {
    s = await openSandbox(engine);
  });
  afterAll(async () => s?.drop());

  it('a name matching several tables but none as written is refused, listing them; an exact spelling picks its table', async () => {
    await createPair(s, ['case_legacy', 'invoices'], ['case_dlt', 'invoices']);
    const t = TYPES[engine];
    await s.exec(`CREATE TABLE ${s.q('case_legacy', 'Invoices')} (id ${t.big} PRIMARY KEY, created_at ${t.ts}, amount ${t.dec})`);
    const config = (legacyName: string, file: string) =>
      s.writeConfig(`tables:\n${tableYaml(s, 'invoices', ['case_legacy', legacyName], ['case_dlt', 'invoices'], ['case_dw', 'all_invoices'])}`, file);

    const r = cli(['stitch', '--config', config('INVOICES', 'upper.yaml')]);
    expect(r.status).toBe(2);
    const candidates = [s.ref('case_legacy', 'Invoices'), s.ref('case_legacy', 'invoices')].sort();
    const line = errorLine(r.stderr);
    expect(line).toContain(`error [AMBIGUOUS_NAME]: ${s.ref('case_legacy', 'INVOICES')} matches 2 tables that differ only in case:`);
    for (const c of candidates) expect(line).toContain(c);

    // Spelled exactly, each name means its own table: `Invoices` is empty, `invoices` holds 9 rows.
    const exactUpper = cli(['stitch', '--dry-run', '--config', config('Invoices', 'exact-upper.yaml')]);
    expect(exactUpper.status).toBe(0);
    expect(exactUpper.stdout).toContain(s.q('case_legacy', 'Invoices'));
    const exactLower = cli(['stitch', '--config', config('invoices', 'exact-lower.yaml')]);
    expect(exactLower.status).toBe(0);
    expect(exactLower.stdout).toContain("('legacy', 9)");
  });
});

/**
 * Killed between the DROP and the ledger write: where the DROP commits on its
 * own (MariaDB) the archive is gone while the ledger still names it. The kill
 * is real: a reader holds the archive, so the CLI's DROP waits; the process is
 * killed there, and the reader lets go (the server may then finish the DROP;
 * where it does not, the test drops the archive itself, as a DROP that
 * completed just before the kill would have). Where DDL is transactional
 * (PostgreSQL) the kill rolls the whole unit back. Either way, running the
 * command again finishes it, and status tells the truth in between.
 */
describe.each(testEngines().filter((e) => e !== 'duckdb'))('an interrupted retire --drop, run again, on %s', (engine) => {
  let s: Sandbox;
  beforeAll(async () => {
    s = await openSandbox(engine);
  });
  afterAll(async () => s?.drop());

  it('finishes, and status shows the archive dropped', async () => {
    await createPair(s, ['drop_legacy', 'orders'], ['drop_dlt', 'orders']);
    const config = s.writeConfig(`tables:\n${tableYaml(s, 'orders', ['drop_legacy', 'orders'], ['drop_dlt', 'orders'], ['drop_dw', 'all_orders'])}`);
    for (const args of [['stitch'], ['backfill', '--all'], ['cutover'], ['retire']]) expect(cli([...args, '--config', config]).status).toBe(0);
    const archive = statusOf(config).archive as string;
    const archiveExists = async () =>
      (await s.query(`SELECT 1 AS present FROM information_schema.tables WHERE table_schema = '${s.schema('drop_legacy')}' AND table_name = '${archive}'`)).length > 0;
    const waitingDrops = async () =>
      engine === 'postgres'
        ? s.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'theseus' AND query LIKE 'DROP TABLE%${archive}%' AND state = 'active'`)
        : s.query(`SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DROP TABLE%${archive}%'`);

    const reader = await s.dialect.connect(s.connection, { readOnly: false });
    try {
      await reader.execute(engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
      await reader.query(`SELECT count(*) AS n FROM ${s.q('drop_legacy', archive)}`);
      const run = startCli(['retire', '--drop', '--confirm', s.ref('drop_legacy', 'orders'), '--config', config]);
      await eventually(async () => (await waitingDrops()).length > 0, 30_000, 'the DROP to wait for the reader');
      run.child.kill('SIGKILL');
      await run.exited;
    } finally {
      await reader.execute('COMMIT');
      await reader.close();
    }
    await eventually(async () => (await waitingDrops()).length === 0, 30_000, 'the killed DROP to end');
    const intents = await s.query(`SELECT archive_name FROM ${s.q('_migrate', 'archive_drops')} WHERE table_name = 'orders'`).catch(() => []);
    if (intents.length > 0 && (await archiveExists())) await s.exec(`DROP TABLE ${s.q('drop_legacy', archive)}`);

    // Where DDL commits on its own, the intent was committed before the DROP began.
    if (!s.dialect.capabilities.transactionalDdl) expect(intents).toEqual([{ archive_name: archive }]);
    const between = statusOf(config);
    expect(between).toMatchObject({ phase: 'retired', archive });
    // Where the intent survived the kill, the archive is gone and status says a drop is under way.
    expect(between.archiveDropping).toBe(intents.length > 0);
    expect(await archiveExists()).toBe(intents.length === 0);
    if (intents.length > 0) expect(cli(['status', '--config', config]).stdout).toContain(`archive ${archive} being dropped (if interrupted: retire --drop again)`);

    const again = cli(['retire', '--drop', '--confirm', s.ref('drop_legacy', 'orders'), '--config', config]);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(intents.length > 0 ? `${archive} had already been dropped; the interrupted retire --drop is finished` : `${archive} was dropped`);
    expect(await archiveExists()).toBe(false);
    expect(statusOf(config)).toMatchObject({ phase: 'retired', archive: null, archiveDropping: false });
    expect(cli(['status', '--config', config]).stdout).toMatch(/retired .* dropped/);
  });

  it('an archive that vanished without a retire --drop is refused with a hint that fits', async () => {
    await createPair(s, ['gone_legacy', 'orders'], ['gone_dlt', 'orders']);
    const config = s.writeConfig(`tables:\n${tableYaml(s, 'gone', ['gone_legacy', 'orders'], ['gone_dlt', 'orders'], ['gone_dw', 'all_orders'])}`, 'gone.yaml');
    for (const args of [['stitch'], ['backfill', '--all'], ['cutover'], ['retire']]) expect(cli([...args, '--config', config]).status).toBe(0);
    const archive = statusOf(config).archive as string;
    await s.exec(`DROP TABLE ${s.q('gone_legacy', archive)}`);
    const r = cli(['retire', '--drop', '--confirm', s.ref('gone_legacy', 'orders'), '--config', config]);
    expect(r.status).toBe(3);
    expect(errorLine(r.stderr)).toContain(`error [ARCHIVE_MISSING]: gone: legacy was archived as ${s.ref('gone_legacy', archive)}, but no such table exists`);
    expect(r.stderr).toContain(`hint: if it was renamed, rename it back to ${archive} and run this again`);
  });
});
