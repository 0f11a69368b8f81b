import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { TIME_TYPES } from './helpers/tableSandbox';
import { runWithClient } from './helpers/engineClient';

/**
 * The reviewed plan a DBA runs: `migrate stitch --dry-run --out plan.sql`, then the file as it is in the engine's own
 * client. One sandbox is changed by migrate, a twin by the client from the dry run's file; afterwards every table of
 * both (data, view, ledger) must hold the same rows. The clock and run id are pinned (THESEUS_NOW, THESEUS_RUN_ID), so
 * both record the same run; the ledger's timestamps differ by when each ran and are left out, as is the audit log,
 * migrate's own record of what it executed (a client keeps its own).
 */
const PINNED = { THESEUS_NOW: '1732262400.25', THESEUS_OPERATOR: "José O'Brien 🚀" };

/** Every table and view of the sandbox's schemas, each as its sorted rows (ledger timestamps and the audit log left out). */
async function everyTable(s: Sandbox): Promise<Record<string, string[]>> {
  const schemas = ['legacy_schema', 'dlt_schema', 'dw'].map((x) => s.schema(x));
  const list = [...schemas, s.stateSchema].map((x) => s.dialect.stringLiteral(x)).join(', ');
  const objects = await s.query(`SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema IN (${list}) ORDER BY 1, 2`);
  const out: Record<string, string[]> = {};
  for (const o of objects) {
    const [schema, name] = [String(o.s), String(o.t)];
    if (schema === s.stateSchema && name === 'statement_log') continue;
    const rows = await s.query(`SELECT * FROM ${s.dialect.qualify({ schema, name })}`);
    const ledger = schema === s.stateSchema;
    out[`${schema}.${name}`] = rows
      .map((r) => JSON.stringify(Object.entries(r).filter(([column]) => !(ledger && /_at$/.test(column))), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Date ? v.toISOString() : v)))
      .sort();
  }
  return out;
}

/** The tables with each sandbox's physical schema names (MariaDB's carry a random prefix) put back to the logical ones. */
function logicalNames(tables: Record<string, string[]>, s: Sandbox): Record<string, string[]> {
  const names: Array<[string, string]> = [...['legacy_schema', 'dlt_schema', 'dw'].map((x): [string, string] => [s.schema(x), x]), [s.stateSchema, 'state'], [s.dir, 'dir']];
  const logical = (text: string) => names.reduce((t, [physical, name]) => t.split(physical).join(name), text);
  return Object.fromEntries(Object.entries(tables).map(([name, rows]) => [logical(name), rows.map(logical)]));
}

describe.each(testEngines())('the dry run file runs as it is in the engine\'s own client, with the same effect as migrate, on %s', (engine) => {
  let byMigrate: Sandbox;
  let byClient: Sandbox;
  let migrateConfig: string;
  let clientConfig: string;
  beforeAll(async () => {
    [byMigrate, byClient] = await Promise.all([openSandbox(engine), openSandbox(engine)]);
    migrateConfig = byMigrate.writeConfig(await loadOrders(byMigrate, { rows: 1500 }));
    clientConfig = byClient.writeConfig(await loadOrders(byClient, { rows: 1500 }));
  });
  afterAll(async () => Promise.all([byMigrate?.drop(), byClient?.drop()]));

  /** The command's dry-run file run by the client on one twin, the command run by migrate on the other: every table the same. */
  async function sameEffect(command: string[], runId: string): Promise<string> {
    const pinned = { ...PINNED, THESEUS_RUN_ID: runId };
    const plan = path.join(byClient.dir, `${runId}.sql`);
    const dry = cli([...command, '--dry-run', '--out', plan, '--config', clientConfig], pinned);
    expect(dry.stderr).not.toContain('error');
    expect(dry.status).toBe(0);
    const text = fs.readFileSync(plan, 'utf8');
    // Nothing the client runs is bound: only what migrate runs after a failed unit (commented out) binds its error.
    const runs = text.replace(/^-- If this unit fails:.*\n(--.*\n)*/gm, '');
    expect(runs).not.toMatch(/-- bound:/);
    expect(await runWithClient(byClient, plan)).toEqual({ status: 0, error: '' });
    const applied = cli([...command, '--config', migrateConfig], pinned);
    expect(applied.stderr).not.toContain('error');
    expect(applied.status).toBe(0);
    const [a, b] = await Promise.all([everyTable(byMigrate), everyTable(byClient)]);
    expect(logicalNames(b, byClient)).toEqual(logicalNames(a, byMigrate));
    return text;
  }

  /** A three-row legacy table of `name` (one row on each day given), its empty dlt target, and a config of their own. */
  async function smallTable(s: Sandbox, name: string, days: string[]): Promise<string> {
    const t = TIME_TYPES[engine];
    await s.exec(`CREATE TABLE ${s.q('legacy_schema', name)} (id BIGINT PRIMARY KEY, created_at ${t.naive}, amount BIGINT)`);
    await s.exec(`INSERT INTO ${s.q('legacy_schema', name)} VALUES ${days.map((day, i) => `(${i + 1}, '${day} 00:00:00', ${(i + 1) * 10})`).join(', ')}`);
    await s.exec(`CREATE TABLE ${s.q('dlt_schema', name)} (id BIGINT NOT NULL PRIMARY KEY, created_at ${t.naive}, amount BIGINT, _dlt_load_id VARCHAR(64) NOT NULL, _dlt_id VARCHAR(64) NOT NULL)`);
    return s.writeConfig(`tables:
  ${name}:
    legacy: ${s.ref('legacy_schema', name)}
    target: ${s.ref('dlt_schema', name)}
    view: ${s.ref('dw', `all_${name}`)}
    key: id
    cursor: created_at
`, `${name}.yaml`);
  }

  let staleStitch: string;
  it('stitch: the view, the phase and the run log are the same, and the file holds no parameter to bind', async () => {
    // A second review of the same stitch, kept for later (the last test runs it after the lifecycle moved on).
    staleStitch = path.join(byClient.dir, 'stale-stitch.sql');
    expect(cli(['stitch', '--dry-run', '--out', staleStitch, '--config', clientConfig], { ...PINNED, THESEUS_RUN_ID: 'stale-stitch' }).status).toBe(0);
    const text = await sameEffect(['stitch'], 'reviewed-stitch');
    expect(text).toContain("'reviewed-stitch'");
    const tables = await everyTable(byClient);
    expect(Object.keys(tables)).toContain(`${byClient.schema('dw')}.all_orders`);
    expect(tables[`${byClient.stateSchema}.runs`]).toHaveLength(1);
    expect(tables[`${byClient.stateSchema}.runs`][0]).toContain('"succeeded"');
  });

  /**
   * What dlt loaded before the backfill, on both twins: 100 rows as legacy has them, 50 older than legacy's (the
   * upsert updates them) and 10 a live writer changed since (newer in the target: kept, and summed apart as live).
   */
  async function loadedByDlt(s: Sandbox): Promise<void> {
    const q = s.quote;
    const target = s.q('dlt_schema', 'orders');
    await s.exec(`INSERT INTO ${target} (id, customer_id, created_at, updated_at, total, status, channel, _dlt_load_id, _dlt_id)
      SELECT ${q('Id')}, ${q('CustomerId')}, ${q('CreatedAt')}, ${q('UpdatedAt')}, CAST(order_total AS DECIMAL(12,2)), ${q('Status')}, NULL, '1700000000.1', ${s.dialect.cast(q('Id'), s.dialect.textType)}
      FROM ${s.q('legacy_schema', 'orders')} WHERE ${q('Id')} <= 160`);
    await s.exec(`UPDATE ${target} SET status = 'stale', updated_at = '2000-01-01 00:00:00' WHERE id BETWEEN 101 AND 150`);
    await s.exec(`UPDATE ${target} SET status = 'live', updated_at = '2030-01-01 00:00:00', total = total + 1 WHERE id BETWEEN 151 AND 160`);
  }

  it('backfill: every slice (claim, upsert, checks, validation, counts, dlt load) has the same effect, with nothing bound', async () => {
    // Sums reconciled per window, so each validation records them (and the live rows' apart).
    for (const [s, config] of [[byMigrate, migrateConfig], [byClient, clientConfig]] as const) {
      fs.appendFileSync(config, '    verify:\n      sums: [total]\n');
      await loadedByDlt(s);
    }
    const text = await sameEffect(['backfill', '--all', '--include-null-cursor'], 'reviewed-backfill');
    expect(text).toContain("-- Assert, for a client running this plan: orders 2024-01 is claimed by this run");
    const tables = await everyTable(byClient);
    const slices = tables[`${byClient.stateSchema}.slices`];
    expect(slices.length).toBeGreaterThan(1);
    expect(slices.every((row) => row.includes('"done"') && row.includes('"reviewed-backfill"'))).toBe(true);
    expect(tables[`${byClient.stateSchema}.validations`].every((row) => row.includes('"validated"'))).toBe(true);
    // The upsert updated the 50 older rows and left the live ones; the live rows' sums were recorded apart.
    const runs = tables[`${byClient.stateSchema}.slice_runs`].map((row) => JSON.parse(row) as Array<[string, unknown]>);
    const total = (column: string) => runs.reduce((sum, row) => sum + Number(row.find(([c]) => c === column)?.[1] ?? 0), 0);
    expect([total('rows_inserted'), total('rows_updated')]).toEqual([1340, 50]);
    expect(tables[`${byClient.stateSchema}.validations`].some((row) => row.includes('\\"live\\":'))).toBe(true);
    const view = await byClient.query(`SELECT source_flag, count(*) AS n FROM ${byClient.q('dw', 'all_orders')} GROUP BY source_flag`);
    expect(view.map((r) => [r.source_flag, Number(r.n)])).toEqual([['dlt', 1500]]);
  });

  it('backfill --rerun: windows it leaves unchanged keep the counts and run of the run that moved their rows', async () => {
    await sameEffect(['backfill', '--all', '--include-null-cursor', '--rerun'], 'reviewed-rerun');
    const tables = await everyTable(byClient);
    expect(tables[`${byClient.stateSchema}.slices`].every((row) => row.includes('"reviewed-backfill"'))).toBe(true);
    expect(tables[`${byClient.stateSchema}.slice_runs`].filter((row) => row.includes('"reviewed-rerun"'))).toHaveLength(tables[`${byClient.stateSchema}.slices`].length);
  });

  it('cutover, after the same backfill: the repointed view, the phase and the run log are the same', async () => {
    const text = await sameEffect(['cutover'], 'reviewed-cutover');
    // Each check migrate makes is followed by a statement that fails where it would: the phase, the validated windows
    // (days covered, and still validated in the ledger), every key in the target, the census, the view after.
    expect(text.match(/-- Assert, for a client running this plan: /g)?.length).toBe(6);
    const view = await byClient.query(`SELECT source_flag, count(*) AS n FROM ${byClient.q('dw', 'all_orders')} GROUP BY source_flag`);
    expect(view.map((r) => [r.source_flag, Number(r.n)])).toEqual([['dlt', 1500]]);
  });

  it('retire: legacy renamed to its archive, the phase and the run log the same', async () => {
    await sameEffect(['retire'], 'reviewed-retire');
    expect((await everyTable(byClient))[`${byClient.schema('legacy_schema')}.orders`]).toBeUndefined();
    // Nothing of the backfill can be undone once legacy is archived (undo refuses: UNDO_AFTER_RETIRE), and status says none.
    const status = cli(['status', '--json', '--config', migrateConfig]);
    expect(JSON.parse(status.stdout).tables[0]).toMatchObject({ phase: 'retired', undoable: [] });
    expect(cli(['status', '--config', migrateConfig]).stdout).not.toContain('can be undone');
  });

  it('a reviewed file run after the lifecycle moved on stops at its phase check, as migrate refuses it', async () => {
    const ran = await runWithClient(byClient, staleStitch);
    expect(ran.status).not.toBe(0);
    expect(ran.error).toMatch(engine === 'mysql' ? /failed_assertion/ : /assertion failed: orders is in a phase this plan was made for \(new, stitched, backfilling, backfilled\); found retired/);
    expect(cli(['stitch', '--config', migrateConfig], PINNED).stderr).toMatch(/LEGACY_RETIRED|WRONG_PHASE/);
    const phase = await byClient.query(`SELECT phase FROM ${byClient.dialect.qualify({ schema: byClient.stateSchema, name: 'table_phases' })} WHERE table_name = 'orders'`);
    expect(phase).toEqual([{ phase: 'retired' }]);
  });

  it('a cutover file whose validated window failed a verify since the review stops at its check of the ledger, as migrate refuses it', async () => {
    const s = byClient;
    const config = await smallTable(s, 'late', ['2024-01-01', '2024-01-02', '2024-02-03']);
    for (const command of [['stitch'], ['backfill', '--all']]) expect(cli([...command, '--config', config], PINNED).status).toBe(0);
    const plan = path.join(s.dir, 'late-cutover.sql');
    expect(cli(['cutover', '--dry-run', '--out', plan, '--config', config], { ...PINNED, THESEUS_RUN_ID: 'late-cutover' }).status).toBe(0);
    // After the review, a row of 2024-01 changes in the target and a verify marks that window failed.
    await s.exec(`UPDATE ${s.q('dlt_schema', 'late')} SET amount = amount + 1 WHERE id = 1`);
    expect(cli(['verify', '--config', config], PINNED).status).not.toBe(0);
    const ran = await runWithClient(s, plan);
    expect(ran.status).not.toBe(0);
    expect(ran.error).toMatch(engine === 'mysql' ? /failed_assertion/ : /assertion failed: late: the 2 windows this plan counts as validated are so in the ledger still; found 1/);
    expect(cli(['cutover', '--config', config], PINNED).stderr).toContain('NOT_VALIDATED');
    const view = await s.query(`SELECT source_flag, count(*) AS n FROM ${s.q('dw', 'all_late')} GROUP BY source_flag`);
    expect(view.map((r) => [r.source_flag, Number(r.n)])).toEqual([['dlt', 3]]);
    const phase = await s.query(`SELECT phase FROM ${s.dialect.qualify({ schema: s.stateSchema, name: 'table_phases' })} WHERE table_name = 'late'`);
    expect(phase).toEqual([{ phase: 'backfilled' }]);
  });

  it('a check that fails stops the client where migrate stops: a key twice in the view', async () => {
    const t = TIME_TYPES[engine];
    for (const s of [byMigrate, byClient]) {
      await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'twice')} (id BIGINT, created_at ${t.naive})`);
      await s.exec(`INSERT INTO ${s.q('legacy_schema', 'twice')} VALUES (1, '2024-01-01 00:00:00'), (2, '2024-01-02 00:00:00'), (3, '2024-01-03 00:00:00')`);
      // A target that holds key 1 twice (no key declared: a dlt append gone wrong): the view shows it twice.
      await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'twice')} (id BIGINT NOT NULL, created_at ${t.naive}, _dlt_load_id VARCHAR(64) NOT NULL, _dlt_id VARCHAR(64) NOT NULL)`);
      await s.exec(`INSERT INTO ${s.q('dlt_schema', 'twice')} VALUES (1, '2024-01-01 00:00:00', '1.5', 'a'), (1, '2024-01-01 00:00:00', '1.5', 'b')`);
    }
    const table = (s: Sandbox) => `tables:
  twice:
    legacy: ${s.ref('legacy_schema', 'twice')}
    target: ${s.ref('dlt_schema', 'twice')}
    view: ${s.ref('dw', 'all_twice')}
    key: id
    cursor: created_at
`;
    const pinned = { ...PINNED, THESEUS_RUN_ID: 'reviewed-twice' };
    const plan = path.join(byClient.dir, 'twice.sql');
    expect(cli(['stitch', '--dry-run', '--out', plan, '--config', byClient.writeConfig(table(byClient), 'twice.yaml')], pinned).status).toBe(0);
    const ran = await runWithClient(byClient, plan);
    expect(ran.status).not.toBe(0);
    expect(ran.error).toMatch(engine === 'mysql' ? /failed_assertion/ : /assertion failed: twice: no key twice in the view/);

    const applied = cli(['stitch', '--config', byMigrate.writeConfig(table(byMigrate), 'twice.yaml')], pinned);
    expect(applied.status).not.toBe(0);
    expect(applied.stderr).toContain('KEY_TWICE');
    // Neither recorded the table as stitched.
    for (const s of [byMigrate, byClient]) {
      expect(await s.query(`SELECT phase FROM ${s.dialect.qualify({ schema: s.stateSchema, name: 'table_phases' })} WHERE table_name = 'twice'`)).toEqual([]);
    }
  });

  it('a backfill file whose windows another run did since the review stops at its first slice, changing nothing', async () => {
    const s = byClient;
    const config = await smallTable(s, 'again', ['2024-01-01', '2024-02-02', '2024-03-03']);
    for (const command of [['stitch'], ['backfill', '--month', '2024-01']]) expect(cli([...command, '--config', config], PINNED).status).toBe(0);
    // Reviewed while 2024-02 and 2024-03 were pending; then another run backfilled them.
    const plan = path.join(s.dir, 'again-backfill.sql');
    expect(cli(['backfill', '--all', '--dry-run', '--out', plan, '--config', config], { ...PINNED, THESEUS_RUN_ID: 'stale-backfill' }).status).toBe(0);
    expect(cli(['backfill', '--all', '--config', config], PINNED).status).toBe(0);
    const before = await everyTable(s);
    const ran = await runWithClient(s, plan);
    expect(ran.status).not.toBe(0);
    expect(ran.error).toMatch(engine === 'mysql' ? /failed_assertion/ : /assertion failed: again 2024-02 is claimed by this run \(no other worker took it first\); found 0/);
    // Only the run log moved: the file's run is left "running", which the next migrate command marks interrupted.
    const after = await everyTable(s);
    for (const name of Object.keys(before).filter((n) => !n.endsWith('.runs'))) expect([name, after[name]]).toEqual([name, before[name]]);
  });
});
