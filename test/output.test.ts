import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildDemo } from '../src/demo/buildDemo';
import { createOutput } from '../src/cli/output';
import { startCli } from './helpers/processes';
import { cli } from './helpers/warehouse';

/** What the CLI prints, as people and scripts expect it: colour on a terminal only, warnings once, --quiet, completion, progress while DuckDB's file is held. */
describe('output people expect', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'theseus-output-'));
  let config = '';
  let database = '';
  beforeAll(async () => {
    const demo = await buildDemo(dir, 3000);
    config = demo.config;
    database = demo.database;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const RED = '\x1b[31m';

  test('colour: off where no terminal reads it (pipes, CI logs); FORCE_COLOR or --color turn it on; NO_COLOR and --no-color win', () => {
    const refused = (args: string[], env: NodeJS.ProcessEnv = {}) => cli(['status', '--config', path.join(dir, 'missing.yaml'), ...args], { NO_COLOR: '', FORCE_COLOR: '', ...env }).stderr;
    expect(refused([])).toMatch(/^error \[CONFIG_UNREADABLE\]: /);
    expect(refused([], { FORCE_COLOR: '1' })).toContain(`${RED}`);
    expect(refused(['--color'])).toContain(RED);
    expect(refused([], { FORCE_COLOR: '1', NO_COLOR: '1' })).not.toContain('\x1b[');
    expect(refused(['--no-color'], { FORCE_COLOR: '1' })).toMatch(/^error \[CONFIG_UNREADABLE\]: /);
  });

  test('each warning once per run, however often the run meets it', () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((text) => (written.push(String(text)), true));
    try {
      const out = createOutput({ color: false });
      for (let i = 0; i < 3; i++) out.warn('orders: legacy columns that feed no target column: legacy_note');
      out.warn('another');
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual(['warning: orders: legacy columns that feed no target column: legacy_note\n', 'warning: another\n']);
  });

  test('--quiet: no progress; warnings, errors and what was asked for (status) are still printed', () => {
    const stitched = cli(['stitch', '--quiet', '--config', config]);
    expect(stitched.status).toBe(0);
    expect(stitched.stdout).toBe('');
    expect(stitched.stderr).toContain('warning: orders: legacy columns that feed no target column: legacy_note');
    expect(cli(['stitch', '--config', config]).stdout).toContain("view dw.all_orders after stitch: ('legacy', 3000)");
    expect(cli(['status', '-q', '--config', config]).stdout).toMatch(/orders\s+stitched/);
  });

  test('shell completion: migrate completion prints a script; a mistyped command names the one meant', () => {
    const script = cli(['completion']);
    expect(script.status).toBe(0);
    expect(script.stdout).toContain('###-begin-migrate-completions-###');
    expect(cli(['--get-yargs-completions', 'back']).stdout.split('\n')).toEqual(expect.arrayContaining(['backfill', 'init', 'validate', 'log']));
    const typo = cli(['backfil', '--all']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('error [USAGE]: unknown command "backfil"; did you mean "backfill"?');
  });

  test('while a backfill holds the DuckDB file, status in another shell shows its progress; the progress file goes when the run ends', async () => {
    const progressFile = `${database}.migrate-progress.json`;
    const running = startCli(['backfill', '--all', '--min-interval', '700ms', '--config', config]);
    await running.waitFor(/orders 2023-02: /);
    const status = cli(['status', '--config', config]);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(`${database} is held by a running backfill`);
    expect(status.stdout).toMatch(/orders: \d+\/\d+ windows done, last 2023-\d\d; this run: [\d,]+ legacy rows → [\d,]+ inserted/);
    const json = JSON.parse(cli(['status', '--json', '--config', config]).stdout) as { held: { writerAlive: boolean; progress: { tables: { orders: { done: number } } } } };
    expect(json.held.writerAlive).toBe(true);
    expect(json.held.progress.tables.orders.done).toBeGreaterThanOrEqual(2);
    running.child.kill('SIGTERM');
    await running.exited;
    expect(fs.existsSync(progressFile)).toBe(false);
    // The file free again, status reads the ledger.
    expect(cli(['status', '--config', config]).stdout).toMatch(/orders\s+backfilling/);
  }, 60_000);
});
