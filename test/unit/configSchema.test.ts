import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { configProblemsOf, validateConfig } from '../../src/config/load';
import { configJsonSchema, yamlSchemaLine } from '../../src/config/jsonSchema';
import { jsonSchemaText } from '../../src/config/writeJsonSchema';
import { packageRoot } from '../../src/packageRoot';
import { TheseusError } from '../../src/errors';

/**
 * One schema (src/config/schema.ts) is the config's validation, its types and the JSON Schema editors read.
 * Ajv, a validator of its own, checks that migrate.schema.json says what the tool says.
 */
const root = packageRoot();
const base = { dialect: 'duckdb', connection: './w.duckdb', tables: { orders: { legacy: 'legacy_schema.orders', target: 'dlt_schema.orders', view: 'dw.all_orders', key: 'id', cursor: 'created_at' } } };
const t = base.tables.orders;
const ajv = new Ajv({ allErrors: true, strict: false });
const editorAccepts = ajv.compile(JSON.parse(fs.readFileSync(path.join(root, 'migrate.schema.json'), 'utf8')));

function refusal(raw: unknown): { message: string; hint?: string } {
  try {
    validateConfig(raw, '/x/migrate.yaml', {});
  } catch (e) {
    expect((e as TheseusError).code).toBe('CONFIG_INVALID');
    return { message: (e as TheseusError).message, hint: (e as TheseusError).hint };
  }
  throw new Error('accepted');
}

/** Configs the tool refuses by their shape alone, which an editor must flag too. */
const wrongShapes: Record<string, unknown> = {
  'an unknown top-level key': { ...base, dialekt: 'duckdb' },
  'an unknown table key': { ...base, tables: { o: { ...t, cursr: 'x' } } },
  'an unknown dialect': { ...base, dialect: 'oracle' },
  'a strategy that is not one': { ...base, tables: { o: { ...t, strategy: 'blue-green' } } },
  'a table id with @': { ...base, tables: { 'o@staging': t } },
  'a three-part table name': { ...base, tables: { o: { ...t, legacy: 'a.b.c' } } },
  'a type that is no type name': { ...base, tables: { o: { ...t, columns: { total: { from: 'x', type: 'int); DROP TABLE t; --' } } } } },
  'a column override with an unknown key': { ...base, tables: { o: { ...t, columns: { total: { from: 'x', form: 'y' } } } } },
  'an empty key list': { ...base, tables: { o: { ...t, key: [] } } },
  'no key': { ...base, tables: { o: { ...t, key: undefined } } },
  'a cursor that is a number': { ...base, tables: { o: { ...t, cursor: 42 } } },
  'a zone with a space': { ...base, tables: { o: { ...t, legacy_timezone: 'Europe Berlin' } } },
  'a cursor unit that is none': { ...base, tables: { o: { ...t, cursor_unit: 'ns' } } },
  'no tables': { dialect: 'duckdb', connection: 'x' },
  'a backfill control that is none': { ...base, backfill: { max_paralel: 2 } },
  'a slice that is none': { ...base, backfill: { slice: 'year' } },
  'a tolerance that is neither amount nor percentage': { ...base, tables: { o: { ...t, verify: { tolerance: 'lots' } } } },
  'a connection setting that is a mapping': { ...base, connection: { host: { a: 1 } } },
  'require_approval that is not a boolean': { ...base, cutover: { require_approval: 'yes' } },
  'memory that is no amount': { ...base, duckdb: { memory_limit: 'lots' } },
  'an empty tables: mapping': { ...base, tables: {} },
  'a duckdb: section under another dialect': { ...base, dialect: 'postgres', duckdb: { threads: 2 } },
  'a blank state schema': { ...base, state_schema: '   ' },
  'a blank key column': { ...base, tables: { o: { ...t, key: ['  '] } } },
  'threads "0"': { ...base, duckdb: { threads: '0' } },
  'a key column twice': { ...base, tables: { o: { ...t, key: ['id', 'id'] } } },
  'a chunk_rows that is not whole': { ...base, backfill: { chunk_rows: 2.5 } },
};

/** Configs the tool accepts (as it did before the schema), which an editor must accept too. */
const rightShapes: Record<string, unknown> = {
  'run control words in any case': { ...base, backfill: { slice: 'Week', on_error: 'Continue' } },
  'run control flags as the words true and false': { ...base, backfill: { newest_first: 'true', validate: 'false' } },
  'a zone with spaces around it': { ...base, tables: { o: { ...t, legacy_timezone: ' Europe/Berlin ' } } },
  'whole numbers as text': { ...base, backfill: { max_parallel: '2', chunk_rows: '50000' }, duckdb: { threads: '4' } },
};

describe('the config schema', () => {
  test('migrate.schema.json is what the schema generates (npm run schema writes it; prepack too)', () => {
    expect(fs.readFileSync(path.join(root, 'migrate.schema.json'), 'utf8')).toBe(jsonSchemaText());
    expect(configJsonSchema()).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', additionalProperties: false, required: ['dialect', 'tables'] });
  });

  test.each(Object.keys(wrongShapes))('the tool and an editor both refuse %s', (name) => {
    const raw = wrongShapes[name];
    expect(configProblemsOf(raw, '/x/migrate.yaml').length).toBeGreaterThan(0);
    expect(refusal(raw).message).toMatch(/^migrate\.yaml/);
    expect(editorAccepts(raw)).toBe(false);
  });

  test.each(Object.keys(rightShapes))('the tool and an editor both accept %s', (name) => {
    const raw = rightShapes[name];
    expect(configProblemsOf(raw, '/x/migrate.yaml')).toEqual([]);
    expect(editorAccepts(raw)).toBe(true);
  });

  test('a key listed twice is refused by name, in any case', () => {
    expect(refusal({ ...base, tables: { o: { ...t, key: ['id', 'ID'] } } }).message).toBe('migrate.yaml: tables.o.key names a column twice: ["id","ID"]');
  });

  const shippedConfigs = ['fixtures/demo/migrate.yaml', 'fixtures/demo/snowflake/migrate.yaml', 'fixtures/demo/bigquery/migrate.yaml'];
  test.each(shippedConfigs)('%s: the tool and an editor accept it, and its first line points the editor at the schema', (file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    expect(text.split('\n')[0]).toBe(yamlSchemaLine());
    const raw = YAML.parse(text) as unknown;
    expect(configProblemsOf(raw, file)).toEqual([]);
    expect(editorAccepts(raw)).toBe(true);
  });

  test("the README's config reference is a config both accept", () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const reference = /## Config reference[^]*?```yaml\n([^]*?)```/.exec(readme)![1];
    const raw = YAML.parse(reference) as unknown;
    expect(configProblemsOf(raw, 'README.md')).toEqual([]);
    expect(editorAccepts(raw)).toBe(true);
  });

  test('dialect names are read in any case and by their other names; an editor accepts them too', () => {
    for (const [written, meant] of [['PostgreSQL', 'postgres'], ['DuckDB', 'duckdb'], ['MariaDB', 'mysql'], [' BigQuery ', 'bigquery']]) {
      const raw = { ...base, dialect: written, connection: 'x://y' };
      expect(validateConfig(raw, '/x/m.yaml', {}).dialect).toBe(meant);
      expect(editorAccepts(raw)).toBe(true);
    }
  });

  test('did you mean: an unknown key or dialect name that is a typo names the one meant; the hint lists the known ones', () => {
    expect(refusal({ ...base, dialekt: 'duckdb' })).toEqual({ message: 'migrate.yaml has an unknown key "dialekt"; did you mean "dialect"?', hint: expect.stringContaining('known keys: dialect, connection,') });
    expect(refusal({ ...base, tables: { orders: { ...t, cursr: 'x' } } }).message).toBe('migrate.yaml: tables.orders has an unknown key "cursr"; did you mean "cursor"?');
    expect(refusal({ ...base, backfill: { max_paralel: 2 } }).message).toBe('migrate.yaml: backfill has an unknown key "max_paralel"; did you mean "max_parallel"?');
    expect(refusal({ ...base, tables: { orders: { ...t, columns: { x: { from: 'a', tpye: 'int' } } } } }).message).toBe('migrate.yaml: tables.orders.columns.x has an unknown key "tpye"; did you mean "type"?');
    expect(refusal({ ...base, dialect: 'postgress' })).toEqual({ message: 'migrate.yaml: dialect "postgress" is not supported; did you mean "postgres"?', hint: expect.stringContaining('use one of: duckdb, postgres') });
    // Nothing close: no guess.
    expect(refusal({ ...base, zzz: 1 }).message).toBe('migrate.yaml has an unknown key "zzz"');
    expect(refusal({ ...base, dialect: 'oracle' }).message).toBe('migrate.yaml: dialect "oracle" is not supported');
  });

  test("messages keep the tool's one-line form: the file, the path, what is wrong; the hint says what to write", () => {
    expect(refusal({ ...base, tables: { orders: { ...t, key: 42 } } })).toEqual({ message: 'migrate.yaml: tables.orders.key is missing or not a string', hint: expect.stringContaining('key: id') });
    expect(refusal({ ...base, tables: { orders: { ...t, legacy_timezone: 'Europe Berlin' } } }).message).toBe('migrate.yaml: tables.orders.legacy_timezone is "Europe Berlin": not a time zone name');
    expect(refusal({ ...base, tables: { orders: { ...t, columns: { c: { from: 'a', expr: 'b' } } } } })).toEqual({ message: 'migrate.yaml: tables.orders.columns.c has both from and expr', hint: 'use from for a legacy column, expr for an SQL expression' });
    expect(refusal({ ...base, tables: {} }).message).toBe('migrate.yaml: tables is empty');
    expect(refusal('just a string').message).toBe('migrate.yaml must be a mapping');
    expect(refusal({ ...base, dialect: 'postgres', duckdb: { threads: 2 } }).message).toBe("migrate.yaml: duckdb is for dialect duckdb, and this config's dialect is postgres");
    for (const m of Object.values(wrongShapes).map((raw) => refusal(raw).message)) expect(m).not.toMatch(/\n|Invalid input|expected/);
  });

  test('validate lists every problem at once, where the other commands stop at the first', () => {
    const problems = configProblemsOf({ ...base, dialekt: 1, tables: { o: { ...t, cursr: 'x', strategy: 'blue' } } }, '/x/migrate.yaml');
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        'migrate.yaml has an unknown key "dialekt"; did you mean "dialect"?',
        'migrate.yaml: tables.o has an unknown key "cursr"; did you mean "cursor"?',
        'migrate.yaml: tables.o.strategy is "blue"',
      ]),
    );
    expect(problems).toHaveLength(3);
  });
});
