import { cleanup, cli, demoWarehouse, distribution, query, spawnCli } from './helpers/warehouse';
import type { DemoFiles } from '../src/demo/buildDemo';

/**
 * A backfill killed with SIGKILL in the middle of its run leaves a ledger the
 * next `backfill --all` completes: no key missing, none twice.
 */
describe('resuming a killed backfill on DuckDB', () => {
  let w: DemoFiles;
  const ROWS = 60000;
  beforeAll(async () => {
    w = await demoWarehouse(ROWS);
    expect(cli(['stitch', '--config', w.config]).status).toBe(0);
  });
  afterAll(() => cleanup(w.dir));

  it('SIGKILL after the third slice, then backfill --all finishes the job', async () => {
    const child = spawnCli(['backfill', '--all', '--include-null-cursor', '--config', w.config]);
    let out = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if ((out.match(/legacy rows? →/g) ?? []).length >= 3) child.kill('SIGKILL');
    });
    expect(await exited).toBe('SIGKILL');

    const slices = await query(w.database, `SELECT status, count(*) AS n FROM _migrate.slices GROUP BY 1`);
    const done = Number(slices.find((s) => s.status === 'done')?.n ?? 0);
    expect(done).toBeGreaterThanOrEqual(3);
    expect(done).toBeLessThan(25);
    const runs = await query(w.database, `SELECT outcome FROM _migrate.runs WHERE command = 'backfill'`);
    expect(runs.map((r) => r.outcome)).toEqual(['running']);

    const resumed = cli(['backfill', '--all', '--include-null-cursor', '--config', w.config]);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`${done} already done`);
    expect(resumed.stdout).toContain('complete: every legacy row is in the target');

    const counts = await query(w.database, `SELECT count(*) AS n, count(DISTINCT id) AS k FROM dlt_schema.orders`);
    expect(counts[0]).toEqual({ n: String(ROWS), k: String(ROWS) });
    const missing = await query(w.database, `SELECT count(*) AS n FROM legacy_schema.orders l WHERE NOT EXISTS (SELECT 1 FROM dlt_schema.orders t WHERE t.id = l."Id")`);
    expect(Number(missing[0].n)).toBe(0);
    expect(await distribution(w.database)).toEqual([['dlt', ROWS]]);
    const status = JSON.parse(cli(['status', '--json', '--config', w.config]).stdout);
    expect(status.tables[0].windows).toEqual({ total: 25, done: 25, pending: 0, running: 0, failed: 0 });
  });
});
