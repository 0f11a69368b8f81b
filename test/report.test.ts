import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildDemo } from '../src/demo/buildDemo';
import { packageRoot } from '../src/packageRoot';
import { CHROMIUM, chromiumUnavailable, renderedDom, screenshot } from './helpers/chromium';
import { cli, query } from './helpers/warehouse';

const unavailable = chromiumUnavailable();
if (unavailable && !process.env.CI) process.stderr.write(`\n!!!!! SKIPPING the report page test: ${unavailable}\n`);

/** Every element carrying `attr`, as a map from its first attribute's value to the others'. */
function attributes(dom: string, tag: string, attrs: string[]): Array<Record<string, string>> {
  const found: Array<Record<string, string>> = [];
  for (const m of dom.matchAll(new RegExp(`<${tag}\\b[^>]*>`, 'g'))) {
    const el = m[0];
    const values: Record<string, string> = {};
    for (const a of attrs) {
      const v = new RegExp(`\\b${a}="([^"]*)"`).exec(el);
      if (v) values[a] = v[1];
    }
    if (Object.keys(values).length === attrs.length) found.push(values);
  }
  return found;
}

/**
 * migrate report --html, opened in headless Chromium: the page renders, and the figures it shows are the ledger's
 * (each window's state and rows, the view's distribution, the run history). A screenshot is kept in test-output/.
 */
(unavailable && !process.env.CI ? describe.skip : describe)(`the report page, in headless Chromium (${CHROMIUM})`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'theseus-report-'));
  let config = '';
  let database = '';
  let dom = '';
  const page = path.join(dir, 'report.html');
  beforeAll(async () => {
    if (unavailable) throw new Error(`the report test needs Chromium: ${unavailable}`);
    const demo = await buildDemo(dir, 3000);
    config = demo.config;
    database = demo.database;
    const run = (...args: string[]) => cli([...args, '--config', config]);
    expect(run('stitch').status).toBe(0);
    expect(run('backfill', '--from', '2023-01', '--to', '2023-06').status).toBe(0);
    expect(run('backfill', '--month', '2023-07', '--no-validate').status).toBe(0);
    // A row changed behind the tool's back: verify finds 2023-03 differs and marks it failed.
    await query(database, "UPDATE dlt_schema.orders SET total = total + 1 WHERE id = (SELECT min(id) FROM dlt_schema.orders WHERE created_at >= TIMESTAMP '2023-03-01' AND created_at < TIMESTAMP '2023-04-01')");
    expect(run('verify', '--from', '2023-01', '--to', '2023-06').status).toBe(4);
    const report = run('report', '--html', page);
    expect(report.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
    expect(report.status).toBe(0);
    dom = renderedDom(page);
    const out = path.join(packageRoot(), 'test-output');
    fs.mkdirSync(out, { recursive: true });
    screenshot(page, path.join(out, 'report.png'));
  }, 180_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the page is one file: nothing it loads from elsewhere', () => {
    const html = fs.readFileSync(page, 'utf8');
    expect(html).not.toMatch(/<(script|link|img)\b[^>]*(src|href)=/i);
    expect(dom).toContain('<h1>Theseus migration report</h1>');
  });

  test("each window's state on the timeline is the ledger's: pending, done, validated, failed", async () => {
    const slices = await query(database, `SELECT window_key, status FROM _migrate.slices WHERE table_name = 'orders' ORDER BY window_key`);
    const marks = new Map((await query(database, `SELECT window_key, status FROM _migrate.validations WHERE table_name = 'orders'`)).map((v) => [String(v.window_key), String(v.status)]));
    const expected = slices.map((sl) => {
      const mark = marks.get(String(sl.window_key));
      const state = sl.status === 'failed' || mark === 'failed' ? 'failed' : sl.status === 'done' && mark === 'validated' ? 'validated' : String(sl.status);
      return { 'data-window': String(sl.window_key), 'data-state': state };
    });
    // Months legacy holds that no backfill registered yet are pending (status names them), in order among the rest.
    const status = JSON.parse(cli(['status', '--json', '--config', config]).stdout) as { tables: Array<{ unregistered: string[] }> };
    for (const key of status.tables[0].unregistered) expected.push({ 'data-window': key, 'data-state': 'pending' });
    const order = (w: string) => (/^\d{4}-\d\d$/.test(w) ? w : `~${w}`);
    expected.sort((a, b) => (order(a['data-window']) < order(b['data-window']) ? -1 : 1));
    const shown = attributes(dom, 'div', ['data-window', 'data-state']);
    expect(shown).toEqual(expected);
    expect(shown).toHaveLength(25);
    // The scenario's shape, so the comparison above compares something: validated, failed, done and pending windows.
    const states = new Set(shown.map((w) => w['data-state']));
    expect([...states].sort()).toEqual(['done', 'failed', 'pending', 'validated']);
    expect(shown.find((w) => w['data-window'] === '2023-03')!['data-state']).toBe('failed');
    expect(dom).toMatch(/data-kpi="failed"[^>]*>1</);
  });

  test('legacy vs target rows per window are the validation marks\' counts (the slice\'s legacy rows where none)', async () => {
    const bars = attributes(dom, 'g', ['data-window', 'data-legacy-rows', 'data-target-rows']).filter((b) => b['data-legacy-rows'] !== '');
    const ledger = await query(
      database,
      `SELECT s.window_key, coalesce(v.legacy_rows, s.legacy_rows) AS legacy_rows, v.target_rows FROM _migrate.slices s LEFT JOIN _migrate.validations v USING (table_name, window_key) WHERE s.table_name = 'orders' ORDER BY s.window_key`,
    );
    expect(bars).toEqual(ledger.map((r) => ({ 'data-window': String(r.window_key), 'data-legacy-rows': r.legacy_rows === null ? '' : String(r.legacy_rows), 'data-target-rows': r.target_rows === null ? '' : String(r.target_rows) })));
    expect(bars.filter((b) => b['data-target-rows'] !== '').length).toBe(6);
  });

  test("the view's source distribution and the run history are the warehouse's and the ledger's", async () => {
    const view = await query(database, 'SELECT source_flag, count(*) AS n FROM dw.all_orders GROUP BY source_flag ORDER BY source_flag');
    expect(attributes(dom, 'div', ['data-flag', 'data-rows'])).toEqual(view.map((r) => ({ 'data-flag': String(r.source_flag), 'data-rows': String(r.n) })));
    const runs = await query(database, 'SELECT run_id, outcome FROM _migrate.runs ORDER BY started_at DESC');
    const shown = attributes(dom, 'tr', ['data-run']).map((r) => r['data-run']);
    // The report's own read-only run is not in the ledger; every run the ledger has is on the page, newest first.
    expect(shown).toEqual(runs.map((r) => String(r.run_id)));
    expect(runs.map((r) => String(r.outcome))).toContain('failed');
  });

  test('a screenshot is kept in test-output/report.png', () => {
    const png = fs.readFileSync(path.join(packageRoot(), 'test-output', 'report.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
  });
});
