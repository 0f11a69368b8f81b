import { loadDialect } from '../dialects';
import type { Connection } from '../dialects/types';
import { events } from './helpers/backfillEvents';
import { type Sandbox, SERVER_URLS, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { eventually, startCli } from './helpers/processes';
import { SLOW_MONTH, openStitchedOrders, slowChannel } from './helpers/slowOrders';
import { cli, writeConfig } from './helpers/warehouse';

/**
 * Faults on real servers, through the real CLI: a slice's connection lost
 * mid-flight (retried on a fresh connection), the server staying away past
 * the retries (CANNOT_CONNECT, and the next run resumes), an idle-session
 * timeout, and the operator lock's session killed (LOCK_LOST). Sessions are
 * found by this sandbox's database (PostgreSQL: pg_stat_activity.datname;
 * MariaDB: the sandbox's database prefix in PROCESSLIST.INFO), never others'.
 */
const servers = testEngines().filter((e): e is 'postgres' | 'mysql' => e !== 'duckdb');
const ROWS = 6000;
/** The legacy row whose read sleeps, and so the window whose slice is slow. */

/** `channel` fed by an expression that sleeps on one row: each statement of that window's slice reading it takes a while. */
/** Server sessions of this sandbox, except the test's own. */
function sessions(s: Sandbox) {
  const pg = s.engine === 'postgres';
  const mine = pg ? 'pid <> pg_backend_pid() AND datname = current_database()' : 'ID <> CONNECTION_ID()';
  return {
    /** The session running a statement that sleeps (the slow slice's). */
    async sleeping(): Promise<string[]> {
      const rows = pg
        ? await s.query(`SELECT pid AS id FROM pg_stat_activity WHERE ${mine} AND application_name = 'theseus' AND state = 'active' AND query LIKE '%pg!_sleep%' ESCAPE '!'`)
        : await s.query(`SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ${mine} AND INFO LIKE '%SLEEP(%' AND INFO LIKE ?`, [`%${s.schema('legacy_schema')}%`]);
      return rows.map((r) => String(r.id));
    },
    /** The session holding the table's operator lock. */
    async lockHolder(): Promise<string[]> {
      if (pg) return (await s.query(`SELECT pid AS id FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND pid <> pg_backend_pid()`)).map((r) => String(r.id));
      const lock = s.dialect.operatorLock!;
      const [row] = await s.query('SELECT IS_USED_LOCK(?) AS id', [String(lock.key(`theseus/${s.stateSchema}/${s.ref('dlt_schema', 'orders')}`))]);
      return row?.id == null ? [] : [String(row.id)];
    },
    /** Every session of the run that can be told apart (PostgreSQL: all of this database's; MariaDB: the lock's and the sleeping slice's). */
    async all(): Promise<string[]> {
      if (!pg) return [...(await this.lockHolder()), ...(await this.sleeping())];
      return (await s.query(`SELECT pid AS id FROM pg_stat_activity WHERE ${mine} AND application_name = 'theseus'`)).map((r) => String(r.id));
    },
    async kill(ids: string[]): Promise<void> {
      for (const id of ids) await s.exec(pg ? `SELECT pg_terminate_backend(${Number(id)})` : `KILL ${Number(id)}`);
    },
  };
}

const sliceOf = async (s: Sandbox, window: string) =>
  (await s.query(`SELECT status, run_id, rows_inserted FROM ${s.q('_migrate', 'slices')} WHERE table_name = 'orders' AND window_key = '${window}'`))[0];
const runOutcome = async (s: Sandbox, runId: string) => (await s.query(`SELECT outcome FROM ${s.q('_migrate', 'runs')} WHERE run_id = '${runId}'`))[0]?.outcome;
const lastRun = async (s: Sandbox) => String((await s.query(`SELECT run_id FROM ${s.q('_migrate', 'runs')} WHERE command = 'backfill' ORDER BY started_at DESC`))[0].run_id);

describe.each(servers)('faults on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  let slowConfig: string;
  beforeAll(async () => {
    ({ s, config, slowConfig } = await openStitchedOrders(engine, ROWS, 1.5));
  });
  afterAll(async () => s?.drop());
  const kill = () => sessions(s);

  it("the slice's session killed mid-flight: retried on a fresh connection with backoff, and the slice is done", async () => {
    const run = startCli(['backfill', '--month', SLOW_MONTH, '--retries', '3', '--retry-delay', '200ms', '--json', '--config', slowConfig]);
    let victims: string[] = [];
    // Only once the slice is claimed: a planning read that evaluates the slow column too (and is replaced on a fresh
    // connection without a slice retry) is not the slice.
    await eventually(async () => (await sliceOf(s, SLOW_MONTH))?.status === 'running' && (victims = await kill().sleeping()).length > 0, 30_000, 'the slow slice to start');
    await kill().kill(victims);
    const { code } = await run.exited;
    expect(run.stderr()).not.toMatch(/error/);
    expect(code).toBe(0);
    const evs = events(run.stdout());
    const retry = evs.find((e) => e.event === 'slice_retry');
    expect(retry).toMatchObject({ window: SLOW_MONTH, attempt: 1, of: 3 });
    expect(String(retry!.error)).toMatch(engine === 'postgres' ? /terminating connection due to administrator command/ : /Connection lost: The server closed the connection|killed/);
    expect(evs.filter((e) => e.event === 'slice_done').map((e) => e.window)).toEqual([SLOW_MONTH]);
    expect(await sliceOf(s, SLOW_MONTH)).toMatchObject({ status: 'done' });
    expect(await runOutcome(s, await lastRun(s))).toBe('succeeded');
  });

  it('the operator lock\'s session killed: the run stops before its next unit with LOCK_LOST (exit 3), and the next run resumes', async () => {
    await resetLedger(s);
    const run = startCli(['backfill', '--all', '--min-interval', '1s', '--json', '--config', config]);
    await run.waitFor(/"event":"slice_done"/);
    await kill().kill(await kill().lockHolder());
    const { code } = await run.exited;
    expect(`${code} ${run.stderr()}`).toMatch(/^3 /);
    expect(run.stderr()).toMatch(/error \[LOCK_LOST\]: .*the operator lock was lost \(its connection failed: .*\): another command may now work on these tables/);
    expect(run.stderr()).toContain('run the same command again');
    // At most the slice under way when the lock went finished; nothing started after it.
    const done = events(run.stdout()).filter((e) => e.event === 'slice_done').length;
    expect(done).toBeLessThanOrEqual(2);
    const statuses = await s.query(`SELECT status, count(*) AS n FROM ${s.q('_migrate', 'slices')} GROUP BY status`);
    expect(Number(statuses.find((r) => r.status === 'done')?.n)).toBe(done);
    expect(statuses.find((r) => r.status === 'running')).toBeUndefined();
    const resumed = cli(['backfill', '--all', '--include-null-cursor', '--config', config]);
    expect(resumed.stderr).not.toMatch(/error/);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`${done} already done`);
    expect(resumed.stdout).toContain('complete: every legacy row is in the target');
  });
});

/**
 * What a server restart does to a run: every session ends at once, the lock's
 * among them, so the lock is lost (another operator may have taken it while
 * the server came back). The run stops rather than go on unguarded.
 */
describe.each(servers)('every session of the run ended at once (as a restart does) on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  let slowConfig: string;
  beforeAll(async () => {
    ({ s, config, slowConfig } = await openStitchedOrders(engine, ROWS, 1.5));
  });
  afterAll(async () => s?.drop());

  it('the slice is rolled back and recorded failed through a fresh connection, the run stops with LOCK_LOST (exit 3), and the next run does the slice', async () => {
    const run = startCli(['backfill', '--month', SLOW_MONTH, '--retries', '3', '--retry-delay', '200ms', '--json', '--config', slowConfig]);
    await eventually(async () => (await sessions(s).sleeping()).length > 0, 30_000, 'the slow slice to start');
    await sessions(s).kill(await sessions(s).all());
    const { code } = await run.exited;
    expect(`${code} ${run.stderr()}`).toMatch(/^3 [\s\S]*error \[LOCK_LOST\]: .*the operator lock was lost/);
    expect(run.stderr()).not.toMatch(/could not record|INTERNAL/);
    expect(await sliceOf(s, SLOW_MONTH)).toMatchObject({ status: 'failed' });
    const resumed = cli(['backfill', '--month', SLOW_MONTH, '--config', config]);
    expect(resumed.stderr).not.toMatch(/error/);
    expect(resumed.status).toBe(0);
    expect(await sliceOf(s, SLOW_MONTH)).toMatchObject({ status: 'done' });
  });
});

/** Puts the sandbox back to "stitched, nothing backfilled". */
async function resetLedger(s: Sandbox): Promise<void> {
  await s.exec(`DELETE FROM ${s.q('dlt_schema', 'orders')}`);
  await s.exec(`DELETE FROM ${s.q('_migrate', 'slices')}`);
  await s.exec(`UPDATE ${s.q('_migrate', 'table_phases')} SET phase = 'stitched' WHERE table_name = 'orders'`);
}

/**
 * PostgreSQL only: a database can refuse new connections
 * (ALLOW_CONNECTIONS false, set from another database), which stands in for a
 * server that stays away without stopping the shared one; and an
 * idle-session timeout can be set for this database alone.
 */
const describePg = servers.includes('postgres') ? describe : describe.skip;
describePg('the connection lost for good, and idle sessions ended by the server, on postgres', () => {
  let s: Sandbox;
  let config: string;
  let slowConfig: string;
  let admin: Connection;
  let database: string;
  beforeAll(async () => {
    ({ s, config, slowConfig } = await openStitchedOrders('postgres', ROWS, 1.5));
    admin = await (await loadDialect('postgres')).connect(SERVER_URLS.postgres, { readOnly: false });
    database = String((await s.query('SELECT current_database() AS name'))[0].name);
  });
  afterAll(async () => {
    await admin?.execute(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin?.close();
    await s?.drop();
  });

  it('every reconnect refused: exit 5 CANNOT_CONNECT after the retries, and the next run takes the slice over', async () => {
    const run = startCli(['backfill', '--month', SLOW_MONTH, '--retries', '2', '--retry-delay', '200ms', '--json', '--config', slowConfig]);
    let victims: string[] = [];
    try {
      await eventually(async () => (victims = await sessions(s).sleeping()).length > 0, 30_000, 'the slow slice to start');
      await admin.execute(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS false`);
      await sessions(s).kill(victims);
      const { code } = await run.exited;
      expect(`${code} ${run.stdout()} ${run.stderr()}`).toMatch(/^5 /);
    } finally {
      await admin.execute(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS true`);
    }
    expect(run.stderr()).toMatch(new RegExp(`error \\[CANNOT_CONNECT\\]: orders ${SLOW_MONTH}: lost the connection to the server, and 2 retries could not get it back: cannot connect to PostgreSQL at [^:]+:\\d+: database "\\w+" is not currently accepting connections`));
    expect(run.stderr()).toContain('run the same command again once the server is reachable');
    expect(events(run.stdout()).filter((e) => e.event === 'slice_retry')).toHaveLength(2);
    // The failure could not be recorded: the slice is still this (dead) run's, and the next run takes it over.
    const failedRun = await lastRun(s);
    expect(await sliceOf(s, SLOW_MONTH)).toMatchObject({ status: 'running', run_id: failedRun });
    const resumed = cli(['backfill', '--month', SLOW_MONTH, '--config', config]);
    expect(resumed.stderr).not.toMatch(/error/);
    expect(resumed.status).toBe(0);
    expect(await sliceOf(s, SLOW_MONTH)).toMatchObject({ status: 'done', run_id: await lastRun(s) });
  });

  it('an idle-session timeout shorter than the wait between slices: idle sessions are replaced, the lock session is kept, the run succeeds', async () => {
    await resetLedger(s);
    await admin.execute(`ALTER DATABASE ${database} SET idle_session_timeout = '300ms'`);
    let run;
    try {
      run = cli(['backfill', '--from', '2023-01', '--to', '2023-03', '--min-interval', '1s', '--retries', '3', '--retry-delay', '100ms', '--json', '--config', config]);
    } finally {
      await admin.execute(`ALTER DATABASE ${database} RESET idle_session_timeout`);
    }
    expect(run.stderr).not.toMatch(/error/);
    expect(run.status).toBe(0);
    expect(events(run.stdout).filter((e) => e.event === 'slice_done').map((e) => e.window)).toEqual(['2023-01', '2023-02', '2023-03']);
    expect(await runOutcome(s, await lastRun(s))).toBe('succeeded');
  });
});

/**
 * MariaDB: the sandbox's own account (its databases only), which can be
 * locked (ALTER USER … ACCOUNT LOCK: new connections refused, open ones kept),
 * stands in for a server that stays away, without touching the shared server.
 */
const describeMysql = servers.includes('mysql') ? describe : describe.skip;
describeMysql('the connection lost for good, on mysql (MariaDB)', () => {
  let s: Sandbox;
  let config: string;
  let slowConfig: string;
  let account: string;
  beforeAll(async () => {
    s = await openSandbox('mysql');
    const prefix = s.schema('x').slice(0, -2);
    account = `'${prefix}_u'@'%'`;
    await s.exec(`CREATE USER ${account}`);
    await s.exec(`GRANT ALL PRIVILEGES ON \`${prefix}\\_%\`.* TO ${account}`);
    const url = new URL(SERVER_URLS.mysql);
    url.username = `${prefix}_u`;
    url.password = '';
    const tables = await loadOrders(s, { rows: ROWS });
    // The sandbox's config head, connecting as the sandbox's account.
    const head = s.configHead().replace(/^connection: .*$/m, `connection: ${JSON.stringify(url.toString())}`);
    config = writeConfig(s.dir, head + tables);
    slowConfig = writeConfig(s.dir, head + tables + slowChannel('mysql', 1.5), 'slow.yaml');
    expect(cli(['stitch', '--config', config]).status).toBe(0);
  });
  afterAll(async () => {
    await s?.exec(`DROP USER IF EXISTS ${account}`).catch(() => undefined);
    await s?.drop();
  });

  it('every reconnect refused: exit 5 CANNOT_CONNECT after the retries, and the next run takes the slice over', async () => {
    const run = startCli(['backfill', '--month', SLOW_MONTH, '--retries', '2', '--retry-delay', '200ms', '--json', '--config', slowConfig]);
    let victims: string[] = [];
    try {
      await eventually(async () => (victims = await sessions(s).sleeping()).length > 0, 30_000, 'the slow slice to start');
      await s.exec(`ALTER USER ${account} ACCOUNT LOCK`);
      await sessions(s).kill(victims);
      const { code } = await run.exited;
      expect(`${code} ${run.stdout()} ${run.stderr()}`).toMatch(/^5 /);
    } finally {
      await s.exec(`ALTER USER ${account} ACCOUNT UNLOCK`);
    }
    expect(run.stderr()).toMatch(new RegExp(`error \\[CANNOT_CONNECT\\]: orders ${SLOW_MONTH}: lost the connection to the server, and 2 retries could not get it back: cannot connect to MySQL/MariaDB at [^:]+:\\d+: .*this account is locked`));
    expect(events(run.stdout()).filter((e) => e.event === 'slice_retry')).toHaveLength(2);
    const failedRun = await lastRun(s);
    expect(await sliceOf(s, SLOW_MONTH)).toMatchObject({ status: 'running', run_id: failedRun });
    const resumed = cli(['backfill', '--month', SLOW_MONTH, '--config', config]);
    expect(resumed.stderr).not.toMatch(/error/);
    expect(resumed.status).toBe(0);
    expect(await sliceOf(s, SLOW_MONTH)).toMatchObject({ status: 'done', run_id: await lastRun(s) });
  });
});
