import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot } from '../../src/packageRoot';

/**
 * npm with no way off the machine: --offline serves every package and every registry answer from the cache the
 * project's own `npm ci` filled (npm refuses, ENOTCACHED, whatever the cache lacks, rather than ask the registry).
 */
export const offlineNpmEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  npm_config_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
});

/** What a published tarball is built from: the sources its prepack compiles and the files it ships. */
const PACKAGE_SOURCES = ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'LICENSE', 'migrate.schema.json', 'src', 'dialects', 'templates', 'fixtures', 'scripts'];

/**
 * `npm pack` of a copy of the project, so its prepack build runs for real without replacing the dist/ the
 * running tests load. node_modules is linked, not copied. Returns the tarball's path.
 */
export function packProject(workDir: string): string {
  const copy = path.join(workDir, 'source');
  fs.mkdirSync(copy, { recursive: true });
  for (const entry of PACKAGE_SOURCES) {
    const from = path.join(packageRoot(), entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(packageRoot(), 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: copy, env: offlineNpmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // prepack's own output (the build) precedes the JSON on stdout.
  const listing = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string }>;
  return path.join(workDir, listing[0].filename);
}

/**
 * Installs the tarball into an empty folder, as `npm install <tarball>` would, with nothing from the network:
 * the folder's lockfile pins the package's dependencies at the versions the project's own lockfile tested
 * (npm ci put their tarballs in the cache; a registry's metadata is not needed when a lockfile names each one).
 */
export function installTarball(tarball: string, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const local = path.join(dir, path.basename(tarball));
  fs.copyFileSync(tarball, local);
  const spec = `file:${path.basename(tarball)}`;
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(local)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'empty-folder', dependencies: { [String(pkg.name)]: spec } },
    [`node_modules/${String(pkg.name)}`]: { version: pkg.version, resolved: spec, integrity, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines, license: pkg.license },
  };
  for (const [where, entry] of Object.entries(lock.packages)) if (where !== '' && !entry.dev) packages[where] = entry;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'empty-folder', private: true, dependencies: { [String(pkg.name)]: spec } }, null, 2));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'empty-folder', lockfileVersion: 3, requires: true, packages }, null, 2));
  execFileSync('npm', ['ci', '--omit=dev'], { cwd: dir, env: offlineNpmEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
}

export const scratchFolder = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
