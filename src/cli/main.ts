#!/usr/bin/env node
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { backfillCommand, backfillFlags, strategyFlag } from './backfillCommand';
import { attachNegativeValues } from './negativeValues';
import { runCutover, runDropStaging, runRollback } from '../commands/cutover';
import { runDemo } from '../commands/demo';
import { runCatalog } from '../commands/catalog';
import { runRetire } from '../commands/retire';
import { runUndo } from '../commands/undo';
import { formatLog, runLog } from '../commands/log';
import { runPrune } from '../commands/prune';
import type { CommandOptions } from '../commands/session';
import { formatStatus, runStatus } from '../commands/status';
import { runStitch } from '../commands/stitch';
import { runVerify } from '../commands/verify';
import { formatValidation, runValidate } from '../commands/validate';
import { runInit } from '../commands/init';
import { runReport } from '../commands/report';
import { formatHeld, orProgressOfHolder } from '../commands/heldDatabase';
import { KNOWN_DIALECTS } from '../../dialects/names';
import { formatReport } from '../verify/report';
import { EXIT_CODES, asTheseusError, maskSecrets } from '../errors';
import { createOutput, outputFlags } from './output';

/**
 * The `migrate` command line: parse → run → render → exit code. Everything
 * else lives in src/commands and below, usable as a library.
 */

interface CommonArgs {
  config: string;
  quiet?: boolean;
  color?: boolean;
  reason?: string;
  table?: string[];
  'dry-run'?: boolean;
  out?: string;
  catalog?: string;
  'allow-key-mismatch'?: boolean;
  'allow-orphan-children'?: boolean;
}

/** The overrides of the dlt refusals, on the commands that write legacy rows (stitch, backfill). */
function dltFlags<T>(y: Argv<T>) {
  return y
    .option('allow-key-mismatch', { type: 'boolean', describe: "backfill a table dlt merges on another primary key than the config's key" })
    .option('allow-orphan-children', { type: 'boolean', describe: 'backfill an upsert/insert-only parent whose nested tables stay empty' });
}

/** --config and --table: what every command that reads the config takes. */
function configFlags(y: Argv) {
  return y
    .option('config', { alias: 'c', type: 'string', default: './migrate.yaml', describe: 'config file (YAML or JSON)' })
    .option('table', { alias: 't', type: 'string', array: true, describe: 'table name from the config (repeatable; default: all)' });
}

function common(y: Argv): Argv<CommonArgs> {
  return configFlags(y)
    .option('dry-run', { type: 'boolean', default: false, describe: 'print the SQL it would run and change nothing' })
    .option('reason', { type: 'string', describe: 'why, in words (a ticket, a business reason): kept in the run log; required with --force' })
    .option('out', { type: 'string', describe: 'write the SQL to FILE (dry run: what would run; otherwise: what ran)' })
    .option('catalog', {
      type: 'string',
      describe: 'plan from this snapshot (JSON/YAML, written by migrate catalog) instead of the warehouse: with --dry-run, no connection at all',
    }) as Argv<CommonArgs>;
}

function jsonFlag<T>(y: Argv<T>) {
  return y.option('json', { type: 'boolean', default: false, describe: "print each table's status afterwards as JSON (progress goes to stderr)" });
}

/** stitch --json, cutover --json: the tables' status afterwards, as status --json prints it (the API's return value). */
async function printStatusJson(argv: CommonArgs & { json?: boolean }): Promise<void> {
  if (!argv.json || argv['dry-run']) return;
  const tables = await runStatus({ config: argv.config, tables: argv.table, log: () => undefined, warn: () => undefined });
  process.stdout.write(`${JSON.stringify({ tables }, null, 2)}\n`);
}

/** A dry run with no --out prints SQL on stdout, and --json its JSON: progress then goes to stderr, so stdout stays pasteable and parseable. */
function commandOptions(argv: CommonArgs & { json?: boolean }): CommandOptions {
  const stdoutTaken = Boolean((argv['dry-run'] && !argv.out) || argv.json);
  return {
    config: argv.config,
    tables: argv.table,
    dryRun: argv['dry-run'],
    out: argv.out,
    catalog: argv.catalog,
    dltAllow: { keyMismatch: argv['allow-key-mismatch'], orphanChildren: argv['allow-orphan-children'] },
    argv: process.argv.slice(2),
    ...outputOf(argv, stdoutTaken),
  };
}

/** The run's writer of progress lines and warnings (colour, --quiet, each warning once): see output.ts. */
function outputOf(argv: { quiet?: boolean; color?: boolean }, stdoutTaken: boolean): Pick<CommandOptions, 'log' | 'warn'> {
  const output = createOutput({ quiet: argv.quiet, color: argv.color, stdoutTaken });
  return { log: (line) => output.info(line), warn: (line) => output.warn(line) };
}

async function main(): Promise<void> {
  await yargs(attachNegativeValues(hideBin(process.argv)))
    .scriptName('migrate')
    .usage('$0 <command> [options]\n\nMove a table\'s history from a legacy schema into the table a dlt pipeline loads.')
    .command(
      'stitch',
      "create the unified view (legacy + target, target wins); asserts ('legacy', N) while the target is empty",
      (y) => jsonFlag(dltFlags(common(y))),
      async (argv) => {
        await runStitch(commandOptions(argv));
        await printStatusJson(argv);
      },
    )
    .command(
      'backfill',
      'merge legacy into the target, one idempotent upsert per window, under the run controls (throttle, pause, limits, parallelism)',
      (y) => strategyFlag(dltFlags(backfillFlags(common(y)))),
      async (argv) => backfillCommand(argv, commandOptions(argv)),
    )
    .command(
      'promote',
      'move staged windows (strategy: staging) into the target, one upsert per window where live data wins, each validated against legacy, under the same run controls',
      (y) =>
        backfillFlags(common(y))
          .example('$0 promote --all', 'every staged window not promoted yet')
          .example('$0 promote --month 2024-03 --dry-run', 'print what promoting one month would run'),
      async (argv) => backfillCommand(argv, commandOptions(argv), true),
    )
    .command(
      'drop-staging',
      'drop the staging table and forget its staged windows; refused while some are not promoted (--force --reason drops them)',
      (y) => common(y).option('force', { type: 'boolean', default: false, describe: 'drop staged windows that were never promoted (needs --reason)' }),
      async (argv) => {
        await runDropStaging({ ...commandOptions(argv), force: argv.force, reason: argv.reason });
      },
    )
    .command(
      'status',
      "each table's phase, slices and view distribution",
      (y) => common(y).option('json', { type: 'boolean', default: false, describe: 'machine-readable output' }),
      async (argv) => {
        const options = commandOptions(argv);
        // While a DuckDB backfill holds the file, its progress file answers instead.
        const status = await orProgressOfHolder(options, () => runStatus(options));
        if ('held' in status) process.stdout.write(argv.json ? `${JSON.stringify({ held: status.held }, null, 2)}\n` : `${formatHeld(status.held)}\n`);
        else process.stdout.write(argv.json ? `${JSON.stringify({ tables: status.result }, null, 2)}\n` : `${formatStatus(status.result)}\n`);
      },
    )
    .command(
      'verify',
      'per window: every legacy row in the target with the same values (row checksums), metric sums reconciled; rewrites the validation marks cutover requires',
      (y) =>
        common(y)
          .option('month', { type: 'string', describe: 'verify the windows of one month (YYYY-MM); default: every window in the ledger' })
          .option('from', { type: 'string', describe: 'first month of a range (YYYY-MM), with --to' })
          .option('to', { type: 'string', describe: 'last month of a range (YYYY-MM), inclusive' })
          .option('sample', { type: 'string', default: '0', describe: 'show up to N differing rows of each failing window, column by column' })
          .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
          .option('markdown', { type: 'string', describe: 'write a change note for stakeholders (Markdown) to FILE' })
          .option('approve', { type: 'boolean', default: false, describe: 'once every window passes, record that you (THESEUS_OPERATOR, or the OS user) approve this validated state; cutover.require_approval needs it' })
          .option('self-approve', { type: 'boolean', default: false, describe: 'with --approve: approve a backfill you ran yourself (recorded as such)' })
          .option('against', { type: 'string', choices: ['target', 'staging'], default: 'target', describe: 'compare legacy with the target, or with the staging table before promote (strategy: staging)' }),
      async (argv) => {
        await runVerify({
          ...commandOptions(argv),
          month: argv.month,
          from: argv.from,
          to: argv.to,
          sample: argv.sample,
          markdown: argv.markdown,
          approve: argv.approve,
          selfApprove: argv['self-approve'],
          against: argv.against as 'target' | 'staging',
          onReport: (report) => process.stdout.write(argv.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`),
        });
      },
    )
    .command(
      'cutover',
      'point the view at the target alone; refuses unless every window is validated and every legacy key is in the target',
      (y) =>
        common(y)
          .option('allow-unkeyed', { type: 'boolean', default: false, describe: 'accept that legacy rows with a NULL key leave the view' })
          .option('force', { type: 'boolean', default: false, describe: 'cut over although some windows are not validated (needs --reason)' })
          .option('keep-staging', { type: 'boolean', default: false, describe: 'keep the staging table (strategy: staging); cutover drops it by default' })
          .option('json', { type: 'boolean', default: false, describe: "print each table's status afterwards as JSON (progress goes to stderr)" }),
      async (argv) => {
        await runCutover({ ...commandOptions(argv), allowUnkeyed: argv['allow-unkeyed'], force: argv.force, reason: argv.reason, keepStaging: argv['keep-staging'] });
        await printStatusJson(argv);
      },
    )
    .command(
      'undo',
      'put the target back as it was before a backfill run (rows changed since by live ingest are kept); refused after cutover',
      (y) =>
        common(y)
          .option('run', { type: 'string', demandOption: true, describe: 'the run to undo (migrate status and migrate log list them)' })
          .option('window', { type: 'string', array: true, describe: 'only this window (repeatable), e.g. 2024-03' })
          .example('$0 undo --run 1733130000.123456-ab12cd --dry-run', 'print what it would do')
          .example('$0 undo --run 1733130000.123456-ab12cd --table orders --window 2024-03', 'one window of one table'),
      async (argv) => {
        await runUndo({ ...commandOptions(argv), run: argv.run, windows: argv.window });
      },
    )
    .command(
      'log',
      'the runs the ledger keeps (command, arguments, operator, outcome), newest first, and which can be undone',
      (y) =>
        common(y)
          .option('run', { type: 'string', describe: 'only this run' })
          .option('limit', { type: 'number', default: 20, describe: 'at most N runs' })
          .option('sql', { type: 'boolean', default: false, describe: 'also print the SQL each run executed, statement by statement, from the audit log' })
          .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
          .example('$0 log --run 1733130000.123456-ab12cd --sql', 'what one run executed'),
      async (argv) => {
        const entries = await runLog({ ...commandOptions(argv), run: argv.run, limit: argv.limit, sql: argv.sql });
        process.stdout.write(argv.json ? `${JSON.stringify({ runs: entries }, null, 2)}\n` : `${formatLog(entries)}\n`);
      },
    )
    .command(
      'prune',
      'drop the pre-images of backfill runs started before a day; those runs can no longer be undone',
      (y) =>
        common(y)
          .option('before', { type: 'string', demandOption: true, describe: 'YYYY-MM-DD (UTC)' })
          .option('audit-log', { type: 'boolean', default: false, describe: "also drop the audit log's statements of those runs (migrate log keeps the runs)" }),
      async (argv) => {
        await runPrune({ ...commandOptions(argv), before: argv.before, auditLog: argv['audit-log'] });
      },
    )
    .command('rollback', 'put the stitched view back after a cutover', common, async (argv) => {
      await runRollback(commandOptions(argv));
    })
    .command(
      'retire',
      'after cutover, rename legacy to a dated archive name; --drop --confirm <legacy> drops that archive',
      (y) =>
        common(y)
          .option('drop', { type: 'boolean', default: false, describe: 'drop the archived legacy table (after retire)' })
          .option('drop-snapshot', { type: 'boolean', default: false, describe: 'with --drop: drop the zero-copy snapshot retire took too (Snowflake)' })
          .option('confirm', { type: 'string', describe: 'with --drop: the legacy table name as configured, e.g. legacy_schema.orders' })
          .option('force', { type: 'boolean', default: false, describe: 'retire although views or foreign keys other than the view use legacy (needs --reason)' }),
      async (argv) => {
        await runRetire({ ...commandOptions(argv), drop: argv.drop, confirm: argv.confirm, dropSnapshot: argv['drop-snapshot'] as boolean, force: argv.force, reason: argv.reason });
      },
    )
    .command(
      'report',
      'write the migration on one self-contained HTML page: windows by state, legacy vs target rows, the view, the checks, the runs',
      (y) =>
        configFlags(y)
          .option('html', { type: 'string', demandOption: true, describe: 'the page to write, e.g. report.html' }),
      async (argv) => {
        const options = commandOptions({ ...argv, 'dry-run': false });
        await runReport({ ...options, html: argv.html });
        options.log?.(`wrote ${argv.html}`);
      },
    )
    .command(
      'catalog',
      'write a snapshot of what planning reads (tables, ledger state, dlt dataset, legacy profile) for --dry-run --catalog FILE; changes nothing',
      (y) =>
        configFlags(y)
          .option('out', { type: 'string', demandOption: true, describe: 'the catalog file to write (.json: JSON, otherwise YAML)' })
          .example('$0 catalog --out catalog.json', 'snapshot the warehouse')
          .example('$0 backfill --all --dry-run --catalog catalog.json', 'print the plan from it, with no connection'),
      async (argv) => {
        await runCatalog({ config: argv.config, tables: argv.table, out: argv.out, argv: process.argv.slice(2) });
      },
    )
    .command(
      'init',
      'introspect a legacy and a target table and write a commented migrate.yaml (key, cursor candidates, column sources, what stitch would say); never replaces a file without --force',
      (y) =>
        y
          .option('dialect', { type: 'string', demandOption: true, describe: `the engine: ${KNOWN_DIALECTS.join(', ')}` })
          .option('connection', { type: 'string', demandOption: true, describe: 'a DuckDB file, or a URL (postgres://…, mysql://…); a password in it is written as ${MIGRATE_DB_PASSWORD}' })
          .option('legacy', { type: 'string', demandOption: true, describe: 'the legacy table, schema.table' })
          .option('target', { type: 'string', demandOption: true, describe: 'the table the dlt pipeline loads, schema.table' })
          .option('view', { type: 'string', demandOption: true, describe: 'the view users will read, schema.table' })
          .option('table', { type: 'string', describe: "the migration's name under tables: (default: the target's table name)" })
          .option('state-schema', { type: 'string', describe: 'where the ledger lives (default _migrate)' })
          .option('out', { type: 'string', default: './migrate.yaml', describe: 'the config file to write' })
          .option('force', { type: 'boolean', default: false, describe: 'replace the file if it exists' })
          .example('$0 init --dialect postgres --connection postgres://etl@db/warehouse --legacy legacy.orders --target dlt.orders --view dw.all_orders', 'write ./migrate.yaml'),
      async (argv) => {
        const { file } = await runInit({ dialect: argv.dialect, connection: argv.connection, legacy: argv.legacy, target: argv.target, view: argv.view, table: argv.table, stateSchema: argv['state-schema'], out: argv.out, force: argv.force, log: (line) => process.stderr.write(`note: ${line}\n`) });
        process.stdout.write(`wrote ${file}: read it through, then run migrate validate --connect --config ${file}\n`);
      },
    )
    .command(
      'validate',
      'check the config without changing anything: every problem at once; with --connect, that every table and column it names exists',
      (y) =>
        configFlags(y)
          .option('connect', { type: 'boolean', default: false, describe: 'also connect (read-only) and look up every table and column' })
          .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
          .example('$0 validate', 'the file alone, offline')
          .example('$0 validate --connect', 'and the warehouse'),
      async (argv) => {
        const result = await runValidate({ config: argv.config, tables: argv.table, connect: argv.connect, argv: process.argv.slice(2), log: (line) => process.stderr.write(`${line}\n`) });
        if (argv.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          // Each problem as every command reports an error (coloured on a terminal), then the verdict.
          const output = createOutput({ color: argv.color as boolean | undefined });
          for (const p of result.problems) output.error(p.code, p.table && !p.message.includes(p.table) ? `${p.table}: ${p.message}` : p.message, p.hint);
          process.stdout.write(`${formatValidation(result)}\n`);
        }
        if (!result.ok) process.exitCode = EXIT_CODES.usage;
      },
    )
    .command(
      'demo',
      'build a DuckDB demo warehouse and walk the Definition of Done',
      (y) =>
        y
          .option('dir', { type: 'string', default: './theseus-demo', describe: 'folder for demo.duckdb and migrate.yaml (recreated)' })
          .option('force', { type: 'boolean', default: false, describe: "overwrite a migrate.yaml in --dir that is not the demo's own" })
          .option('rows', { type: 'string', default: '120000', describe: 'legacy rows to generate' }),
      async (argv) => {
        await runDemo({ dir: argv.dir, rows: argv.rows, force: argv.force });
      },
    )
    .completion('completion', 'print a shell completion script: bash, or zsh where $SHELL is zsh (migrate completion >> ~/.bashrc)')
    .option('quiet', { alias: 'q', type: 'boolean', global: true, describe: 'print only warnings, errors and what the command was asked for (no progress)' })
    .option('color', { type: 'boolean', global: true, describe: 'colour errors and warnings (default: on a terminal, unless NO_COLOR is set; --no-color turns it off)' })
    .demandCommand(1, 'name a command: stitch, backfill, status, verify, cutover, undo, rollback, retire, log, prune, catalog, init, validate, report or demo')
    .strict()
    .recommendCommands()
    .help()
    .fail((message, err) => {
      if (err) throw err;
      // yargs says only "Did you mean stitch?" for a mistyped command: name what was typed, in the tool's form.
      const suggested = /^Did you mean (\S+)\?$/.exec(message);
      const typed = hideBin(process.argv).find((word) => !word.startsWith('-'));
      const said = suggested ? `unknown command "${typed}"; did you mean "${suggested[1]}"?` : message;
      createOutput(outputFlags(process.argv)).error('USAGE', said, 'migrate --help lists the commands and options');
      process.exit(EXIT_CODES.usage);
    })
    .parseAsync();
}

main().catch((err: unknown) => {
  const e = asTheseusError(err);
  createOutput(outputFlags(process.argv)).error(e.code, maskSecrets(e.message), e.hint && maskSecrets(e.hint));
  if (e.errorClass === 'internal' && err instanceof Error && err.stack) process.stderr.write(`${maskSecrets(err.stack)}\n`);
  process.exitCode = e.exitCode;
});
