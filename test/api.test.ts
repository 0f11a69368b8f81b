import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { buildDemo } from '../src/demo/buildDemo';
import { TheseusError, backfill, cutover, stitch, status, validate, verify, type ConfigDocument } from '../src/index';
import { cli } from './helpers/warehouse';
import { spawnSync } from 'node:child_process';
import { packageRoot } from '../src/packageRoot';

/**
 * The programmatic API, as an orchestrator calls it: the config as an object, each function returning what the
 * CLI's --json prints, nothing printed, failures thrown as TheseusError with the CLI's code and exit code.
 */
describe('the programmatic API (DuckDB demo warehouse)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'theseus-api-'));
  const ROWS = 2000;
  let config: ConfigDocument;
  let file: string;
  beforeAll(async () => {
    const demo = await buildDemo(dir, ROWS);
    file = demo.config;
    config = { ...(YAML.parse(fs.readFileSync(demo.config, 'utf8')) as ConfigDocument), connection: demo.database };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('validate and status take the config object; status is what migrate status --json prints', async () => {
    expect(await validate(config)).toMatchObject({ ok: true, problems: [] });
    const viaApi = await status(config);
    expect(viaApi.tables[0]).toMatchObject({ table: 'orders', phase: 'new' });
    expect(JSON.parse(cli(['status', '--json', '--config', file]).stdout)).toEqual(JSON.parse(JSON.stringify(viaApi)));
  });

  test('a dry run returns the SQL and changes nothing', async () => {
    const planned = await stitch(config, { dryRun: true });
    expect(planned.sql).toContain('CREATE');
    expect(planned.tables[0].phase).toBe('new');
  });

  test('stitch → backfill → verify → cutover, each returning its data', async () => {
    const lines: string[] = [];
    const stitched = await stitch(config, { log: (l) => lines.push(l) });
    expect(stitched.tables[0]).toMatchObject({ phase: 'stitched', distribution: [{ flag: 'legacy', rows: ROWS }] });
    expect(lines.join('\n')).toContain(`('legacy', ${ROWS})`);

    const run = await backfill(config, { all: true, includeNullCursor: true, controls: { max_parallel: 2 } });
    expect(run.summary).toMatchObject({ event: 'summary', slices_failed: 0, inserted: ROWS, updated: 0 });
    expect(run.events.filter((e) => e.event === 'slice_done').length).toBe(run.summary!.slices_done);

    const report = await verify(config);
    expect(report.ok).toBe(true);

    const done = await cutover(config);
    expect(done.tables[0]).toMatchObject({ phase: 'cutover', distribution: [{ flag: 'dlt', rows: ROWS }] });
  });

  test('a refusal is thrown as TheseusError with the code and exit code the CLI gives', async () => {
    const bad = { ...config, tables: { orders: { ...(config.tables as Record<string, object>).orders, cursr: 'x' } } };
    await expect(status(bad)).rejects.toThrow(TheseusError);
    await expect(status(bad)).rejects.toMatchObject({ code: 'CONFIG_INVALID', exitCode: 2, message: '(config object): tables.orders has an unknown key "cursr"; did you mean "cursor"?' });
    await expect(stitch(config)).rejects.toMatchObject({ exitCode: 3 });
  });
});

describe('the orchestrator examples', () => {
  const examples = ['examples/airflow_dag.py', 'examples/dagster_op.py'].map((f) => path.join(packageRoot(), f));

  test('are valid Python, and every command they run takes --json', () => {
    for (const file of examples) {
      const compiled = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', file], { encoding: 'utf8' });
      expect(compiled.stderr).toBe('');
      expect(compiled.status).toBe(0);
      const commands = [...fs.readFileSync(file, 'utf8').matchAll(/migrate\("([a-z-]+)"/g)].map((m) => m[1]);
      expect(commands.length).toBeGreaterThan(1);
      for (const command of commands) expect(cli([command, '--help']).stdout).toContain('--json');
    }
  });
});
