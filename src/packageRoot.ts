import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/** The folder holding package.json (templates/ sits beside it), found from wherever this file was compiled to. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find package.json above ' + __dirname);
    dir = parent;
  }
  cached = dir;
  return dir;
}

export function toolVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The `migrate` command as installed: the bundle scripts/bundleCli.js writes at build time (the package's bin). */
export function cliPath(): string {
  return path.join(packageRoot(), 'dist', 'migrate.js');
}
