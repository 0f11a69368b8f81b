import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connection } from '../dialects/types';
import { StatementAudit } from '../src/exec/statementAudit';
import { readStatements } from '../src/ledger/statementLog';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { cli } from './helpers/warehouse';
import { startCli } from './helpers/processes';

interface LoggedRun {
  run: string;
  command: string;
  seconds: number | null;
  statements?: Array<{ seq: number; unit: string; intent: string; durationMs: number; rowsChanged: number | null; error: string | null; bound: string | null; sql: string | null }>;
}

/** The audit log on each engine: every statement a run's plan executed, kept in the state schema, shown by migrate log --sql. */
describe.each(testEngines())('the audit log on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  let tables: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    tables = await loadOrders(s, { rows: 1500 });
    config = s.writeConfig(tables);
  });
  afterAll(async () => s?.drop());
  const newestRun = (file = config): LoggedRun => (JSON.parse(cli(['log', '--json', '--limit', '1', '--sql', '--config', file]).stdout) as { runs: LoggedRun[] }).runs[0];

  test('each statement a backfill ran is kept in order, with its unit, duration, rows changed and bound values: the SQL its --out file shows', () => {
    expect(cli(['stitch', '--config', config]).status).toBe(0);
    const ran = path.join(s.dir, 'ran.sql');
    const backfill = cli(['backfill', '--month', '2023-06', '--out', ran, '--config', config]);
    expect(backfill.status).toBe(0);
    const run = newestRun();
    expect(run.command).toBe('backfill');
    expect(run.seconds).toEqual(expect.any(Number));
    const statements = run.statements!;
    expect(statements.length).toBeGreaterThan(10);
    expect(statements.map((st) => st.seq)).toEqual(statements.map((_, i) => i + 1));
    const outFile = fs.readFileSync(ran, 'utf8');
    for (const st of statements) {
      expect(outFile).toContain(`${st.sql};`);
      expect(st.durationMs).toBeGreaterThanOrEqual(0);
      expect(st.error).toBeNull();
    }
    // The window's upsert changed rows, and says how many; its claim expects the row as read; the run log's entry holds
    // the run's id as a literal.
    const slice = statements.filter((st) => st.unit.includes('2023-06') && (st.rowsChanged ?? 0) > 0);
    expect(slice.length).toBeGreaterThan(0);
    expect(statements.find((st) => st.intent.startsWith('Record this run'))!.sql).toContain(`'${run.run}'`);
    expect(statements.find((st) => st.intent.startsWith('Claim orders 2023-06'))!.sql).toContain("status = 'pending' AND run_id IS NULL");
    // The text form: each statement headed by its unit and intent, then the SQL.
    const text = cli(['log', '--run', run.run, '--sql', '--config', config]).stdout;
    expect(text).toMatch(/-- \[1\] session: the settings migrate's own sessions have: Set the session as migrate sets its own \(\d+ ms/);
    expect(text).toMatch(/-- \[\d+\] ledger: make sure the state schema \S+ exists: Create the state schema if missing \(\d+ ms/);
    expect(text).toContain(`${slice[0].sql};`);
  });

  test('log.keep_sql: false keeps every row but the SQL text', () => {
    const quiet = s.writeConfig(`${tables}log:\n  keep_sql: false\n`, 'quiet.yaml');
    expect(cli(['stitch', '--config', quiet]).status).toBe(0);
    const run = newestRun(quiet);
    expect(run.command).toBe('stitch');
    expect(run.statements!.length).toBeGreaterThan(3);
    expect(run.statements!.every((st) => st.sql === null && st.unit && st.intent)).toBe(true);
    expect(cli(['log', '--run', run.run, '--sql', '--config', quiet]).stdout).toContain('-- (SQL not kept: log.keep_sql is false)');
  });

  test('a statement longer than a part is kept in parts and read back whole, characters outside the BMP included; a failed one keeps its error', async () => {
    const conn = { execute: async (sql: string) => (await s.exec(sql), 0), query: (sql: string, params?: Array<string | number | null>) => s.query(sql, params), close: async () => undefined } as unknown as Connection;
    const audit = new StatementAudit(s.dialect, s.stateSchema, 'audit-parts-run', true, (line) => {
      throw new Error(line);
    });
    const long = `SELECT '${'é🦀x'.repeat(7000)}' AS "it's"`;
    const startedAt = new Date();
    audit.record({ unit: 'parts', intent: 'a long statement', sql: long, startedAt, durationMs: 12, rowsChanged: 3 });
    audit.record({ unit: 'parts', intent: 'a failed one', sql: 'SELECT 1/0', startedAt, durationMs: 1, error: 'division by zero' });
    await audit.flush(conn);
    const read = await readStatements(conn, s.dialect, s.stateSchema, 'audit-parts-run');
    expect(read.map((st) => [st.seq, st.sql, st.rowsChanged, st.error])).toEqual([
      [1, long, 3, null],
      [2, 'SELECT 1/0', null, 'division by zero'],
    ]);
  });

  test('prune --audit-log drops the statements of runs started before the day; the runs stay in the log', () => {
    const first = newestRun();
    const pruned = cli(['prune', '--before', '2999-01-01', '--audit-log', '--config', config]);
    expect(pruned.stderr).toBe('');
    expect(pruned.status).toBe(0);
    expect(pruned.stdout).toMatch(/audit log: [\d,]+ statement rows of runs started before 2999-01-01 dropped/);
    const after = (JSON.parse(cli(['log', '--json', '--sql', '--run', first.run, '--config', config]).stdout) as { runs: LoggedRun[] }).runs[0];
    expect(after.statements).toEqual([]);
    expect(cli(['log', '--run', first.run, '--sql', '--config', config]).stdout).toContain('(no statements in the audit log for this run)');
  });

  test("a run killed outright keeps the statements of every slice that committed", async () => {
    const running = startCli(['backfill', '--from', '2023-08', '--to', '2023-12', '--min-interval', '400ms', '--config', config]);
    await running.waitFor(/orders 2023-09: /);
    running.child.kill('SIGKILL');
    await running.exited;
    const run = String((await s.query(`SELECT run_id FROM ${s.quote(s.stateSchema)}.runs WHERE command = 'backfill' ORDER BY started_at DESC`))[0].run_id);
    const done = (await s.query(`SELECT window_key FROM ${s.quote(s.stateSchema)}.slices WHERE run_id = ${s.dialect.stringLiteral(run)} AND status = 'done'`)).map((r) => String(r.window_key));
    expect(done).toEqual(expect.arrayContaining(['2023-08', '2023-09']));
    const logged = (JSON.parse(cli(['log', '--json', '--sql', '--run', run, '--config', config]).stdout) as { runs: LoggedRun[] }).runs[0].statements!;
    for (const window of done) expect(logged.some((st) => st.unit === `orders ${window}: backfill` && /Mark orders \S+ as done/.test(st.intent))).toBe(true);
  });

  test('an unknown run is a clear refusal', () => {
    const r = cli(['log', '--run', 'no-such-run', '--config', config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error [RUN_NOT_FOUND]');
  });
});
