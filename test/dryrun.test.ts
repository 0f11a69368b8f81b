import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanup, cli, demoWarehouse, fileFingerprint } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import type { DemoFiles } from '../src/demo/buildDemo';
import { runStitch } from '../src/commands/stitch';
import { runBackfill } from '../src/commands/backfill';
import { runCutover } from '../src/commands/cutover';
import type { CommandOptions } from '../src/commands/session';

/**
 * THESEUS_NOW pins the clock, so the load id in a MERGE is the same in the dry run and the apply; THESEUS_RUN_ID the
 * run id the ledger's statements hold, one per command (an id serves one apply).
 */
let runs = 0;
const pinned = () => ({ THESEUS_NOW: '1732262400.25', THESEUS_RUN_ID: `dry-run-${++runs}` });

/**
 * What a dry run could have changed: the DuckDB file itself, or on a server
 * every table and view of the sandbox with its row count.
 */
async function snapshot(s: Sandbox): Promise<string> {
  if (s.engine === 'duckdb') return fileFingerprint(s.connection);
  const schemas = ['legacy_schema', 'dlt_schema', 'dw', '_migrate'].map((x) => `'${s.schema(x)}'`).join(', ');
  const objects = await s.query(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema IN (${schemas}) ORDER BY 1, 2`,
  );
  const counts: string[] = [];
  for (const o of objects) counts.push(`${String(o.s)}.${String(o.t)}=${Number((await s.query(`SELECT count(*) AS n FROM ${s.dialect.qualify({ schema: String(o.s), name: String(o.t) })}`))[0].n)}`);
  return counts.join(' ');
}

describe.each(testEngines())('--dry-run prints exactly the SQL a command runs, and changes nothing, on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadOrders(s, { rows: 2000 }));
  });
  afterAll(async () => s?.drop());

  // {legacy} stands for the sandbox's name of the legacy table.
  const commands: string[][] = [
    ['stitch'],
    ['backfill', '--month', '2023-06'],
    ['backfill', '--all', '--include-null-cursor'],
    ['cutover'],
    ['rollback'],
    ['cutover'],
    ['retire'],
    ['retire', '--drop', '--confirm', '{legacy}'],
  ];

  it.each(commands.map((c) => [c.join(' '), c]))('%s', async (_name, command) => {
    const args = [...(command as string[]).map((a) => (a === '{legacy}' ? s.ref('legacy_schema', 'orders') : a)), '--config', config];
    const printed = path.join(s.dir, 'printed.sql');
    const executed = path.join(s.dir, 'executed.sql');

    const before = await snapshot(s);
    const PINNED = pinned();
    const dry = cli([...args, '--dry-run', '--out', printed], PINNED);
    expect(dry.stderr).not.toMatch(/error/);
    expect(dry.status).toBe(0);
    expect(await snapshot(s)).toBe(before);

    const toStdout = cli([...args, '--dry-run'], PINNED);
    expect(toStdout.status).toBe(0);
    expect(toStdout.stdout).toBe(fs.readFileSync(printed, 'utf8'));
    expect(await snapshot(s)).toBe(before);

    const apply = cli([...args, '--out', executed], PINNED);
    expect(apply.stderr).not.toMatch(/error/);
    expect(apply.status).toBe(0);
    expect(fs.readFileSync(executed, 'utf8')).toBe(fs.readFileSync(printed, 'utf8'));
  });
});

describe('the statements sent to the engine are the statements printed', () => {
  let w: DemoFiles;
  beforeAll(async () => {
    w = await demoWarehouse(1000);
  });
  afterAll(() => cleanup(w.dir));

  async function printedAndTraced(run: (o: CommandOptions) => Promise<void>) {
    let printed = '';
    const quiet = { log: () => undefined, warn: () => undefined, env: { ...process.env, ...pinned() } };
    await run({ config: w.config, dryRun: true, print: (t) => (printed += t), ...quiet });
    const traced: string[] = [];
    await run({ config: w.config, trace: (sql) => traced.push(sql), ...quiet });
    return { printed, traced };
  }

  it.each([
    ['stitch', (o: CommandOptions) => runStitch(o)],
    ['backfill --from 2023-01 --to 2023-03', (o: CommandOptions) => runBackfill({ ...o, from: '2023-01', to: '2023-03' })],
    ['cutover (refused: the statements up to the refusal)', (o: CommandOptions) => runCutover(o).catch(() => undefined)],
  ])('%s', async (_name, run) => {
    const { printed, traced } = await printedAndTraced(run);
    expect(traced.length).toBeGreaterThan(3);
    let position = 0;
    for (const sql of traced) {
      // A refused unit rolls back, which the dry run names in its comments; a failed run closes its log entry with
      // its error, where the plan prints the succeeded one.
      const text = sql === 'ROLLBACK' || /outcome = 'failed'/.test(sql) ? null : `\n${sql};\n`;
      if (!text) continue;
      const found = printed.indexOf(text, position);
      expect({ sql, found: found >= 0 }).toEqual({ sql, found: true });
      position = found + text.length - 1;
    }
  });
});
