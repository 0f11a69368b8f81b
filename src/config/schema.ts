import { z } from 'zod';
import { KNOWN_DIALECTS, canonicalDialect } from '../../dialects/names';
import { withHint } from './issues';

/**
 * migrate.yaml as it is written (snake_case keys, before `${VAR}` is replaced): the one definition of the config's
 * shape. load.ts parses with it and maps the result onto the Config the commands use; jsonSchema.ts turns it into
 * migrate.schema.json, which editors read through the `# yaml-language-server: $schema=…` line. A rule written
 * here therefore holds in the tool and in the editor alike; what needs the engine (does the table exist, is the
 * zone known) is `migrate validate --connect`'s.
 *
 * Messages are the tool's one-line form: what is wrong at the path (load.ts prefixes the file and the path),
 * then, after a newline, what to write instead (issues.ts splits the two).
 */

const README = 'see README, "Config reference"';

/** A non-empty string, trimmed. */
const text = (hint = README) =>
  z
    .string({ error: withHint('is missing or not a string', hint) })
    // Not blank: a character that is not white space (the same pattern, in migrate.schema.json, for editors).
    .regex(/\S/, { error: withHint('is missing or not a string', hint) })
    .trim();

/** An IANA zone name (Europe/Berlin, America/Argentina/Buenos_Aires, UTC, Etc/GMT+5); the engine says whether it knows it. */
export const ZONE_NAME = /^\s*[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*\s*$/;
/** A type name as written in SQL: words, optional (p) or (p, s), optional []. Nothing else reaches a CAST. */
export const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$/;
/** `schema.table` or `table`: no empty part, at most one dot. */
const TABLE_REF = /^\s*[^.\s][^.]*(\.[^.]*[^.\s])?\s*$/;
/** DuckDB's memory_limit: an amount with a unit, KB to TiB in any case (spelled out: a JSON Schema pattern has no flags). */
export const MEMORY = /^\s*\d+(\.\d+)?\s*[KkMmGgTt][Ii]?[Bb]\s*$/;

const tableRef = z
  .string({ error: withHint('must be a table name like legacy_schema.orders', 'write it as schema.table') })
  .regex(TABLE_REF, { error: (iss) => withHint(`is "${String(iss.input)}"; write it as schema.table`, 'a name with a dot in it is not supported') })
  .describe('schema.table (or a bare table name, in the connection\'s default schema)');

/** A whole number as written in YAML: 12 or "12". */
const notWhole = (iss: { input?: unknown }) => withHint(`is ${JSON.stringify(iss.input)}; it must be a whole number`);
const wholeNumberText = z.union([z.number({ error: notWhole }).int({ error: notWhole }), z.string({ error: notWhole }).regex(/^\s*[+-]?\d+\s*$/, { error: notWhole })], { error: notWhole });
/** A whole number of at least 1, as a number or as text (one pattern, so an editor refuses 0 and "0" as the tool does). */
const atLeastOne = (message: (input: unknown) => string) => {
  const error = (iss: { input?: unknown }) => message(iss.input);
  return z.union([z.number({ error }).int({ error }).min(1, { error }), z.string({ error }).regex(/^\s*\+?0*[1-9]\d*\s*$/, { error })], { error });
};

const override = z.union([
  z.string().trim().min(1).describe('the legacy column that feeds this target column'),
  z
    .strictObject({
      from: text().optional().describe('the legacy column that feeds this target column'),
      expr: text().optional().describe('an SQL expression over legacy\'s columns (the config author\'s SQL, reviewed as such)'),
      type: z
        .string({ error: withHint('must be a string', 'write a type such as decimal(12,2), varchar or timestamp') })
        .trim()
        .regex(TYPE_NAME, { error: (iss) => withHint(`"${String(iss.input)}" is not a type name`, 'write a type such as decimal(12,2), varchar or timestamp') })
        .optional()
        .describe('cast the legacy value to this type first, e.g. decimal(12,2)'),
      allow_narrowing: z
        .boolean({ error: withHint('must be true or false') })
        .optional()
        .describe("the target's type is narrower than legacy's and you accept that values change (verify then compares at the target's type)"),
    })
    .superRefine((o, ctx) => {
      if (o.from && o.expr) ctx.addIssue({ code: 'custom', message: withHint('has both from and expr', 'use from for a legacy column, expr for an SQL expression') });
      if (!o.from && !o.expr && !o.type && o.allow_narrowing !== true) ctx.addIssue({ code: 'custom', message: withHint('needs from, expr, type or allow_narrowing') });
    }),
]);

const notAnAmount = (input: unknown) => withHint(`is ${JSON.stringify(input)}: not an amount or a percentage`, 'e.g. tolerance: 0.01 (absolute) or tolerance: "0.5%"');

const CONNECTION_EXAMPLE = 'e.g. connection: { host: 127.0.0.1, port: 5432, user: etl, password: ${PGPASSWORD}, database: warehouse }';

const columnList = (key: string) =>
  z.array(text(), { error: withHint('must be a list of target column names', `e.g. ${key}: [amount]`) }).nullish();

const verifySection = z
  .strictObject({
    sums: columnList('sums').describe('numeric target columns whose sum per window must match legacy\'s'),
    tolerance: z
      .union([z.number().nonnegative(), z.string().regex(/^\s*\d+(\.\d+)?\s*%?\s*$/, { error: (iss) => notAnAmount(iss.input) })], { error: (iss) => notAnAmount(iss.input) })
      .nullish()
      .describe('how far a sum may differ: 0.01 (absolute) or "0.5%" (of legacy\'s sum); default 0'),
    ignore: columnList('ignore').describe('target columns left out of the row checksums'),
  })
  .nullish();

export const STRATEGIES = ['direct', 'staging'] as const;
export const CURSOR_UNITS = ['s', 'ms', 'us'] as const;

const table = z
  .strictObject({
    legacy: tableRef.describe('the legacy table whose history moves (schema.table)'),
    target: tableRef.describe('the table the dlt pipeline loads (schema.table)'),
    view: tableRef.describe('the view users read: legacy and target stitched, then the target alone after cutover'),
    key: z
      .union(
        [
          text('name the business key column(s)'),
          z
            .array(text())
            .min(1, { error: withHint('is an empty list', 'name the business key column(s)') })
            .refine((names) => new Set(names.map((n) => n.toLowerCase())).size === names.length, { error: (iss) => withHint(`names a column twice: ${JSON.stringify(iss.input)}`, 'list each key column once') })
            // In migrate.schema.json too (case-sensitive there: JSON Schema has no other uniqueness).
            .meta({ uniqueItems: true }),
        ],
        { error: withHint('is missing or not a string', 'name the business key column(s): key: id, or key: [order_id, line_no]') },
      )
      .describe('the business key: a target column, or a list of them'),
    cursor: text().nullish().describe('the target column whose time defines the windows; leave it out to slice by the key (backfill.slice: key)'),
    cursor_unit: z
      .enum(CURSOR_UNITS, { error: (iss) => withHint(`is ${JSON.stringify(iss.input)}`, 'an integer epoch cursor counts s (seconds), ms or us since 1970-01-01 UTC, e.g. cursor_unit: s') })
      .nullish()
      .describe('where the cursor is an integer: what it counts since 1970-01-01 UTC'),
    cursor_immutable: z
      .boolean({ error: (iss) => withHint(`is ${JSON.stringify(iss.input)}`, "write cursor_immutable: true only if a row's cursor never changes once written (created_at, an event date); default false") })
      .nullish()
      .describe("true only if a row's cursor never changes once written: each slice's MERGE then reads only its window of the target"),
    updated_at: text().nullish().describe('a target column: a target row is only overwritten by a legacy row at least as new'),
    legacy_timezone: text('write an IANA zone name, e.g. legacy_timezone: Europe/Berlin (default UTC)')
      .regex(ZONE_NAME, { error: (iss) => withHint(`is "${String(iss.input)}": not a time zone name`, 'write an IANA zone name, e.g. legacy_timezone: Europe/Berlin (default UTC)') })
      .nullish()
      .describe("the zone legacy's naive timestamps are wall times in (IANA name); default UTC"),
    columns: z
      .record(z.string(), override)
      .nullish()
      .describe('target column → its legacy source, where the snake_case rule does not find it: a legacy column name, or {from, expr, type, allow_narrowing}'),
    verify: verifySection.describe('what verify compares besides every row'),
    dlt: z.strictObject({ schema_name: text().nullish().describe("the dlt schema the backfill's loads are registered under (default: read from _dlt_version)") }).nullish(),
    strategy: z
      .enum(STRATEGIES, {
        error: (iss) => withHint(`is ${JSON.stringify(iss.input)}`, 'strategy: direct (default: slices write the target) or strategy: staging (slices write a staging table; migrate promote moves it into the target)'),
      })
      .nullish()
      .describe('direct (default): slices write the target; staging: slices write a staging table that migrate promote moves in'),
    staging_schema: text().nullish().describe('where the staging table is made (default: the state schema)'),
  })
  .describe('one migration: a legacy table, the dlt table it moves into, and the view users read');

/** Run controls: each is also a flag of backfill (--max-parallel for max_parallel); backfill/controls.ts checks the values. */
const duration = z.union([z.number().nonnegative(), z.string()]).nullish();
/** Any case of a word, as a pattern (JSON Schema patterns have no flags): [Ww][Ee][Ee][Kk]. */
export const anyCase = (word: string) => word.replace(/[a-z]/gi, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
/** One of these words in any case, as controls.ts reads them (an editor completes them as written). */
const word = (words: readonly string[]) => {
  const error = (iss: { input?: unknown }) => withHint(`is ${JSON.stringify(iss.input)}; one of: ${words.join(', ')}`);
  return z.union([z.enum(words as [string, ...string[]], { error }), z.string().regex(new RegExp(`^\\s*(${words.map(anyCase).join('|')})\\s*$`), { error })], { error });
};
/** true or false, or the words "true" and "false" (as a flag's value reads). */
const flagError = (iss: { input?: unknown }) => withHint(`is ${JSON.stringify(iss.input)}; it must be true or false`);
const flag = z.union([z.boolean({ error: flagError }), z.enum(['true', 'false'], { error: flagError })], { error: flagError });
const backfillSection = z
  .strictObject({
    slice: word(['month', 'week', 'day', 'key']).nullish().describe('windows by month (default), week or day of the cursor, or chunks of the key'),
    chunk_rows: wholeNumberText.nullish().describe('slice: key: about how many legacy rows each chunk holds (default 100000)'),
    newest_first: flag.nullish().describe('run the newest windows first'),
    limit: wholeNumberText.nullish().describe('run at most this many slices, then stop cleanly'),
    rerun: flag.nullish().describe('run windows again even when the ledger has them as done'),
    max_parallel: wholeNumberText.nullish().describe('slices at once (default 1)'),
    min_interval: duration.describe('time between two slice starts: 5s, 500ms, 2m'),
    max_load: z.union([z.number(), z.string()]).nullish().describe('wait while the source is busier than this: a number, or signal=value'),
    critical_load: z.union([z.number(), z.string()]).nullish().describe('stop when the source is busier than this'),
    recheck_every: duration.describe('how often a throttled or paused run looks again (default 2s)'),
    pause_file: z.string().nullish().describe('while this file exists the run pauses between slices'),
    on_error: word(['continue', 'stop']).nullish().describe('after a failed slice: stop (default) or continue with the next'),
    retries: wholeNumberText.nullish().describe('attempts after the first, for transient errors (default 3)'),
    retry_delay: duration.describe('first retry delay, doubling each attempt (default 1s)'),
    validate: flag.nullish().describe('check each window right after merging it (default true)'),
    max_bytes_billed: z.union([z.number(), z.string()]).nullish().describe('BigQuery: the most one slice may bill, e.g. 50 GiB'),
    keep_preimages: flag.nullish().describe('keep what each slice replaces, so migrate undo can take a run back (default true)'),
  })
  .nullish()
  .describe('run controls of backfill and promote; each flag of the same name overrides');

/** `tables:` — at least one (migrate.schema.json says so with minProperties, which jsonSchema.ts adds). */
export const tablesSchema = z
  .record(
    z.string().regex(/^[^@]+$/, { error: withHint('is not a table id: a table id may not contain "@"', 'rename the table under tables: (it names the migration in --table and the ledger, not a database table)') }),
    table,
    { error: withHint('must be a mapping', README) },
  )
  .refine((t) => Object.keys(t).length > 0, { error: withHint('is empty', 'add at least one table (see README, "Config reference")') })
  .describe('the migrations, by the id --table and the ledger name them');

/** `dialect:` — case-insensitive, aliases allowed (postgresql, mariadb); load.ts stores the canonical name. */
export const dialectName = z
  .string({ error: withHint('is missing or not a string', `one of: ${KNOWN_DIALECTS.join(', ')}`) })
  .trim()
  .superRefine((name, ctx) => {
    if (!canonicalDialect(name)) ctx.addIssue({ code: 'custom', message: withHint(`"${name}" is not supported`, `use one of: ${KNOWN_DIALECTS.join(', ')}`), params: { didYouMean: { word: name.toLowerCase(), among: KNOWN_DIALECTS } } });
  })
  .describe(`the engine: ${KNOWN_DIALECTS.join(', ')} (any case)`);

const connection = z
  .union([z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: withHint('must be a string, number or boolean', CONNECTION_EXAMPLE) }))], {
    error: withHint('must be a string (a path or URL) or a mapping of driver settings whose values are strings, numbers or booleans', CONNECTION_EXAMPLE),
  })
  .nullish()
  .describe('a DuckDB path, a URL (postgres://…, mysql://…, snowflake://…, bigquery://…) or a mapping of driver settings; ${VAR} and ${VAR:-default} read the environment');

export const configSchema = z
  .strictObject({
    dialect: dialectName,
    connection,
    state_schema: text().nullish().describe('where the ledger lives (default _migrate)'),
    tables: tablesSchema,
    backfill: backfillSection,
    cutover: z
      .strictObject({ require_approval: z.boolean({ error: (iss) => withHint(`is ${String(iss.input)}; it must be true or false`, 'e.g. cutover: { require_approval: true }') }).nullish().describe('cutover refuses until a reviewer ran verify --approve') })
      .nullish(),
    retire: z
      .strictObject({
        snapshot_days: atLeastOne((input) => withHint(`is ${String(input)}; it must be a whole number of days, at least 1`, 'e.g. retire: { snapshot_days: 30 }, or leave it out to keep the snapshot until retire --drop --drop-snapshot'))
          .nullish()
          .describe("days the snapshot of legacy that retire takes lives before the engine drops it (BigQuery's expiration); unset: kept until --drop-snapshot"),
      })
      .nullish(),
    log: z
      .strictObject({
        keep_sql: z
          .boolean({ error: (iss) => withHint(`is ${JSON.stringify(iss.input)}; it must be true or false`, 'e.g. log: { keep_sql: false }') })
          .nullish()
          .describe("keep each statement's SQL text in the audit log (default true); false keeps the unit, duration and rows changed only"),
      })
      .nullish()
      .describe('the audit log of every statement a run executes (migrate log --sql)'),
    duckdb: z
      .strictObject({
        memory_limit: z
          .string({ error: (iss) => withHint(`is ${JSON.stringify(iss.input)}: not an amount of memory`, 'e.g. memory_limit: 2GB (or 512MB)') })
          .regex(MEMORY, { error: (iss) => withHint(`is ${JSON.stringify(iss.input)}: not an amount of memory`, 'e.g. memory_limit: 2GB (or 512MB)') })
          .nullish()
          .describe('e.g. 2GB; default a quarter of the machine (at least 256MB)'),
        threads: atLeastOne((input) => withHint(`is ${String(input)}; it must be a whole number, at least 1`, 'e.g. threads: 4'))
          .nullish()
          .describe('threads the embedded engine may use'),
      })
      .nullish()
      .describe('settings of the embedded DuckDB engine (dialect duckdb only)'),
  })
  .superRefine((c, ctx) => {
    if (c.duckdb && canonicalDialect(c.dialect) !== 'duckdb' && canonicalDialect(c.dialect)) {
      ctx.addIssue({ code: 'custom', path: ['duckdb'], message: withHint(`is for dialect duckdb, and this config's dialect is ${c.dialect}`, 'remove the duckdb: section') });
    }
  })
  .describe('Theseus migrate.yaml: move a table\'s history from a legacy schema into the table a dlt pipeline loads');

export type RawConfig = z.output<typeof configSchema>;
export type RawTable = z.output<typeof table>;
export type RawOverride = z.output<typeof override>;
