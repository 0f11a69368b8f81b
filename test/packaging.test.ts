import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { installTarball, offlineNpmEnv, packProject, scratchFolder } from './helpers/packedInstall';

/**
 * The package as a user gets it: `npm pack` (its prepack builds), installed into an empty folder, `migrate`
 * run from there through npx — the README's `npx theseus-migrate …` path, with no clone in sight.
 */
describe('the published package', () => {
  const work = scratchFolder('theseus-pack-');
  const app = path.join(work, 'app');
  let tarball = '';
  let listing: string[] = [];

  beforeAll(() => {
    tarball = packProject(work);
    listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    installTarball(tarball, app);
  }, 300_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const npx = (args: string[], cwd = app) => execFileSync('npx', ['--offline', '--no-install', ...args], { cwd, env: offlineNpmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  test('ships what runs and nothing else: compiled code, templates, the demo fixture, the config schema', () => {
    expect(listing).toContain('package/dist/migrate.js');
    expect(listing).toContain('package/dist/cli.bundle.js');
    expect(listing).toContain('package/dist/cli.bundle.cache');
    expect(listing).toContain('package/dist/src/index.js');
    expect(listing).toContain('package/templates/_default/slice_merge.sql');
    expect(listing).toContain('package/fixtures/demo/migrate.yaml');
    expect(listing).toContain('package/LICENSE');
    expect(listing.filter((f) => f.startsWith('package/dist/test/') || f.startsWith('package/dist/bench/') || f.startsWith('package/src/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const pkg = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'theseus-migrate', 'package.json'), 'utf8')) as { private?: boolean; bin: Record<string, string> };
    expect(pkg.private).toBeUndefined();
    expect(Object.keys(pkg.bin)).toEqual(['migrate']);
  });

  test('migrate --help runs from the empty folder it was installed into, as `npx theseus-migrate` and as `npx migrate`', () => {
    expect(npx(['theseus-migrate', '--help'])).toMatch(/^migrate <command> \[options\]/);
    const help = npx(['migrate', '--help']);
    expect(help).toMatch(/^migrate <command> \[options\]/);
    expect(help).toContain('migrate backfill');
  });

  test('the package is a library too: its functions load from the installed folder, typed', () => {
    const exported = execFileSync(process.execPath, ['-e', "const m = require('theseus-migrate'); console.log(['stitch','backfill','verify','cutover','status','validate'].map((f) => typeof m[f]).join(','))"], { cwd: app, encoding: 'utf8' });
    expect(exported.trim()).toBe('function,function,function,function,function,function');
    expect(listing).toContain('package/dist/src/index.d.ts');
  });

  test("the installed bundle's code cache is one this Node.js takes: V8 does not reject it", () => {
    const dist = path.join(app, 'node_modules', 'theseus-migrate', 'dist');
    const source = Module.wrap(fs.readFileSync(path.join(dist, 'cli.bundle.js'), 'utf8').replace(/^#!.*/, ''));
    const cachedData = fs.readFileSync(path.join(dist, 'cli.bundle.cache'));
    expect(cachedData.length).toBeGreaterThan(100_000);
    expect(new vm.Script(source, { filename: path.join(dist, 'cli.bundle.js'), cachedData }).cachedDataRejected).toBe(false);
  });

  test('migrate demo walks the Definition of Done from there, on its own DuckDB file', () => {
    const out = npx(['migrate', 'demo', '--dir', path.join(work, 'demo'), '--rows', '3000']);
    expect(out).toContain('Built ');
    expect(out).toMatch(/6\. migrate cutover[^]*after cutover: \('dlt', 3000\)/);
    expect(out).toContain('npx theseus-migrate status');
    expect(fs.existsSync(path.join(work, 'demo', 'demo.duckdb'))).toBe(true);
  }, 120_000);
});
