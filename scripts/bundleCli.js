// Bundles the compiled CLI (dist/src/cli/main.js, type-checked by tsc) into one file, dist/cli.bundle.js, and puts
// beside it the package's `bin`, dist/migrate.js (scripts/cliLauncher.js: what the tests and benchmarks spawn), and
// V8's code cache of the bundle (dist/cli.bundle.cache), made by one run of `migrate --help`.
//
// Why: every `migrate` invocation used to resolve, read and compile about 600 small modules (ours, zod,
// yargs, yaml, knex, the drivers' JavaScript) before doing any work; on a two-core machine that was a third of
// a short command's time (status on DuckDB 0.60 s → 0.47 s bundled, on PostgreSQL 0.45 s → 0.32 s). The
// library entry (dist/src/index.js) stays unbundled: an embedding program loads what it uses.
//
// Left outside the bundle, and loaded from node_modules when an engine needs them:
//   @duckdb/node-bindings           a native addon, chosen by platform when it loads
//   snowflake-sdk, @google-cloud/bigquery, google-auth-library
//                                   large, used only on their engines, with file lookups of their own
//   oracledb, mysql, mariadb, sqlite3, better-sqlite3, tedious, pg-query-stream, pg-native
//                                   optional clients knex and pg require only when asked for; not installed
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');

const external = [
  '@duckdb/node-bindings',
  'snowflake-sdk',
  '@google-cloud/bigquery',
  'google-auth-library',
  'oracledb',
  'mysql',
  'mariadb',
  'sqlite3',
  'better-sqlite3',
  'tedious',
  'pg-query-stream',
  'pg-native',
];

esbuild
  .build({
    entryPoints: [path.join(root, 'dist', 'src', 'cli', 'main.js')],
    outfile: path.join(root, 'dist', 'cli.bundle.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external,
    // Stack traces of an unexpected error point at the TypeScript sources (esbuild follows tsc's maps).
    sourcemap: true,
    logLevel: 'warning',
  })
  .then(() => {
    const bin = path.join(root, 'dist', 'migrate.js');
    fs.copyFileSync(path.join(__dirname, 'cliLauncher.js'), bin);
    fs.chmodSync(bin, 0o755);
    // The code cache: what `migrate --help` compiled (the bundle's modules and the CLI's setup). A failure here only
    // leaves the cache out; the launcher compiles without one.
    const made = spawnSync(process.execPath, [bin, '--help'], { env: { ...process.env, THESEUS_WRITE_CODE_CACHE: '1' }, stdio: 'ignore' });
    if (made.status !== 0) console.warn('warning: no code cache for dist/cli.bundle.js (migrate --help failed)');
  })
  .catch(() => process.exit(1));
