#!/usr/bin/env node
'use strict';
// The `migrate` command (dist/migrate.js, copied here by scripts/bundleCli.js): runs the bundled CLI,
// dist/cli.bundle.js, from V8's code cache beside it (dist/cli.bundle.cache, made at build time by a run of
// `migrate --help`). Compiling the 5 MB bundle is a fifth of a short command's time; with the cache V8 takes the
// compiled code instead. A cache another Node.js or other V8 flags made is rejected by V8 itself, and the bundle
// is compiled as it would be without one: the cache can make a command faster, never different.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const bundle = path.join(__dirname, 'cli.bundle.js');
const cacheFile = path.join(__dirname, 'cli.bundle.cache');
const writeCache = process.env.THESEUS_WRITE_CODE_CACHE === '1';

let cachedData;
if (!writeCache) {
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // No cache (a build without one): compile.
  }
}
// The bundle as Node would load it: wrapped as a CommonJS module (its #! line blanked, so line numbers hold).
const source = Module.wrap(fs.readFileSync(bundle, 'utf8').replace(/^#!.*/, ''));
const script = new vm.Script(source, { filename: bundle, cachedData });
// After the run, so the cache holds every function the run compiled, not only the top level.
if (writeCache) process.once('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));

const cli = new Module(bundle, module);
cli.filename = bundle;
cli.paths = Module._nodeModulePaths(__dirname);
script.runInThisContext()(cli.exports, Module.createRequire(bundle), cli, bundle, __dirname);
