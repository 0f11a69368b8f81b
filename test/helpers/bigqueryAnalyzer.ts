import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCatalogFile } from '../../src/catalog/file';
import type { Catalog } from '../../src/catalog/format';
import { renderTemplate } from '../../src/sql/template';
import { bigquery } from '../../dialects/bigquery';
import { splitDryRun } from './dryRunSplit';
import { AnalysisError, type AnalyzerColumn, type ZetaType, isCountBind, learnFrom, statementLabel } from './zetaResolved';
import { BIGQUERY_ANALYZER } from './zetasqlServer';

/**
 * Offline check of BigQuery SQL: every statement analyzed by Google's ZetaSQL
 * (the analyzer BigQuery itself uses; @fivetrandevelopers/zetasql, pinned)
 * with BigQuery's language features, against a catalog built from a Theseus
 * catalog file plus the ledger tables and the INFORMATION_SCHEMA views the
 * SQL reads. The server is started once per jest run by globalSetup.ts.
 *
 * ZetaSQL is BigQuery's analyzer, not BigQuery: it does not see runtime rules
 * (a MERGE matching a target row twice, DML concurrency, DDL in a
 * transaction, the streaming buffer). Treat a pass as "would compile".
 */

/** BigQuery's language features, after GoogleCloudPlatform/zetasql-toolkit's BigQueryLanguageOptions (research note §1.1). */
const FEATURES = `ALLOW_MISSING_PATH_EXPRESSION_IN_ALTER_DDL ALTER_COLUMN_SET_DATA_TYPE ALTER_TABLE_RENAME_COLUMN
ANALYTIC_FUNCTIONS BIGNUMERIC_TYPE CBRT_FUNCTIONS CREATE_MATERIALIZED_VIEW_CLUSTER_BY CREATE_MATERIALIZED_VIEW_PARTITION_BY
CREATE_SNAPSHOT_TABLE CREATE_TABLE_AS_SELECT_COLUMN_LIST CREATE_TABLE_CLONE CREATE_TABLE_CLUSTER_BY CREATE_TABLE_COPY
CREATE_TABLE_FIELD_ANNOTATIONS CREATE_TABLE_FUNCTION CREATE_TABLE_LIKE CREATE_TABLE_NOT_NULL CREATE_TABLE_PARTITION_BY
CREATE_VIEW_WITH_COLUMN_LIST DML_UPDATE_WITH_JOIN ENCRYPTION FOREIGN_KEYS GEOGRAPHY GROUP_BY_ROLLUP INTERVAL_TYPE
INVERSE_TRIG_FUNCTIONS JSON_ARRAY_FUNCTIONS JSON_TYPE JSON_VALUE_EXTRACTION_FUNCTIONS NAMED_ARGUMENTS NUMERIC_TYPE
PARAMETERIZED_TYPES ROUND_WITH_ROUNDING_MODE TABLESAMPLE TABLE_VALUED_FUNCTIONS TEMPLATE_FUNCTIONS TIMESTAMP_NANOS
UNENFORCED_PRIMARY_KEYS V_1_1_HAVING_IN_AGGREGATE V_1_1_LIMIT_IN_AGGREGATE V_1_1_NULL_HANDLING_MODIFIER_IN_AGGREGATE
V_1_1_NULL_HANDLING_MODIFIER_IN_ANALYTIC V_1_1_ORDER_BY_IN_AGGREGATE V_1_1_SELECT_STAR_EXCEPT_REPLACE V_1_1_WITH_ON_SUBQUERY
V_1_2_CIVIL_TIME V_1_2_SAFE_FUNCTION_CALL V_1_2_WEEK_WITH_WEEKDAY V_1_3_ADDITIONAL_STRING_FUNCTIONS V_1_3_ALLOW_DASHES_IN_TABLE_NAME
V_1_3_ALLOW_REGEXP_EXTRACT_OPTIONALS V_1_3_ANNOTATION_FRAMEWORK V_1_3_CASE_STMT V_1_3_COLLATION_SUPPORT V_1_3_COLUMN_DEFAULT_VALUE
V_1_3_CONCAT_MIXED_TYPES V_1_3_DATE_ARITHMETICS V_1_3_DATE_TIME_CONSTRUCTORS V_1_3_DECIMAL_ALIAS V_1_3_EXTENDED_DATE_TIME_SIGNATURES
V_1_3_FORMAT_IN_CAST V_1_3_FOR_IN V_1_3_IS_DISTINCT V_1_3_LIKE_ANY_SOME_ALL V_1_3_NULLS_FIRST_LAST_IN_ORDER_BY
V_1_3_OMIT_INSERT_COLUMN_LIST V_1_3_PIVOT V_1_3_QUALIFY V_1_3_REPEAT V_1_3_SCRIPT_LABEL V_1_3_UNNEST_AND_FLATTEN_ARRAYS
V_1_3_UNPIVOT V_1_3_WITH_GROUP_ROWS V_1_3_WITH_RECURSIVE V_1_4_ARRAY_AGGREGATION_FUNCTIONS V_1_4_GROUPING_BUILTIN
V_1_4_GROUPING_SETS V_1_4_GROUP_BY_ALL`.split(/\s+/);

/** ZetaSQL's TypeKind numbers (lib/types/zetasql/TypeKind.d.ts). */
const K = { INT64: 2, BOOL: 5, DOUBLE: 7, STRING: 8, BYTES: 9, DATE: 10, ARRAY: 16, TIMESTAMP: 19, TIME: 20, DATETIME: 21, GEOGRAPHY: 22, NUMERIC: 23, BIGNUMERIC: 24, JSON: 26, INTERVAL: 27 } as const;

const BY_NAME: Record<string, number> = {
  INT64: K.INT64, INT: K.INT64, INTEGER: K.INT64, BIGINT: K.INT64, SMALLINT: K.INT64, TINYINT: K.INT64, BYTEINT: K.INT64,
  NUMERIC: K.NUMERIC, DECIMAL: K.NUMERIC, BIGNUMERIC: K.BIGNUMERIC, BIGDECIMAL: K.BIGNUMERIC,
  FLOAT64: K.DOUBLE, FLOAT: K.DOUBLE, BOOL: K.BOOL, BOOLEAN: K.BOOL, STRING: K.STRING, BYTES: K.BYTES,
  DATE: K.DATE, DATETIME: K.DATETIME, TIME: K.TIME, TIMESTAMP: K.TIMESTAMP, GEOGRAPHY: K.GEOGRAPHY, JSON: K.JSON, INTERVAL: K.INTERVAL,
};

/** A BigQuery column type as INFORMATION_SCHEMA prints it (`NUMERIC(12, 2)`, `STRING(40)`, `ARRAY<INT64>`) → ZetaSQL. */
export function bigqueryType(type: string): ZetaType {
  const text = type.trim().toUpperCase();
  const array = /^ARRAY<(.+)>$/.exec(text);
  if (array) return { typeKind: K.ARRAY, arrayType: { elementType: bigqueryType(array[1]) } };
  const name = text.replace(/\s*\(.*\)$/, '');
  const kind = BY_NAME[name];
  if (kind === undefined) throw new Error(`unknown BigQuery type "${type}" (known: ${Object.keys(BY_NAME).join(', ')}, ARRAY<…>)`);
  return { typeKind: kind };
}

const col = (name: string, type: string): AnalyzerColumn => ({ name, type: bigqueryType(type) });

/** The INFORMATION_SCHEMA views Theseus reads, as far as it reads them. */
const DATASET_VIEWS: Record<string, AnalyzerColumn[]> = {
  TABLES: [col('table_name', 'STRING'), col('table_type', 'STRING')],
  COLUMNS: [col('table_name', 'STRING'), col('column_name', 'STRING'), col('data_type', 'STRING'), col('is_nullable', 'STRING'), col('ordinal_position', 'INT64')],
};
const REGION_VIEWS: Record<string, AnalyzerColumn[]> = {
  SCHEMATA: [col('schema_name', 'STRING')],
  JOBS: [col('state', 'STRING'), col('creation_time', 'TIMESTAMP'), col('job_id', 'STRING'), col('statement_type', 'STRING')],
};

/** dlt's `_dlt_loads` as dlt creates it on BigQuery. */
const DLT_LOADS = [col('load_id', 'STRING'), col('schema_name', 'STRING'), col('status', 'INT64'), col('inserted_at', 'TIMESTAMP'), col('schema_version_hash', 'STRING')];

/** Tables by dataset and name (case-insensitive, as ZetaSQL's catalog looks them up), mutable as statements create, rename and drop them. */
export class BigQueryCatalog {
  private readonly tables = new Map<string, { dataset: string; name: string; columns: AnalyzerColumn[] }>();
  constructor(readonly location: string) {}

  private key(p: readonly string[]): string {
    if (p.length !== 2) throw new Error(`a table is dataset.table here, not ${p.join('.')}`);
    return p.join('.').toLowerCase();
  }
  get(p: readonly string[]) {
    return this.tables.get(this.key(p));
  }
  add(p: readonly string[], columns: AnalyzerColumn[]): void {
    this.tables.set(this.key(p), { dataset: p[0], name: p[1], columns });
  }
  remove(p: readonly string[]): void {
    this.tables.delete(this.key(p));
  }

  toProto() {
    const datasets = new Map<string, Array<{ name: string; columns: AnalyzerColumn[] }>>();
    for (const t of this.tables.values()) datasets.set(t.dataset, [...(datasets.get(t.dataset) ?? []), t]);
    const tableProto = (name: string, columns: AnalyzerColumn[]) => ({ name, column: columns.map((c) => ({ name: c.name, type: c.type })) });
    const views = (v: Record<string, AnalyzerColumn[]>) => ({ name: 'INFORMATION_SCHEMA', table: Object.entries(v).map(([n, c]) => tableProto(n, c)) });
    return {
      name: 'root',
      catalog: [
        ...[...datasets].map(([name, tables]) => ({ name, table: tables.map((t) => tableProto(t.name, t.columns)), catalog: [views(DATASET_VIEWS)] })),
        { name: `region-${this.location.toLowerCase()}`, catalog: [views(REGION_VIEWS)] },
      ],
    };
  }
}

/** The analyzer's catalog from a parsed Theseus catalog file, plus the ledger tables (state_tables.sql for BigQuery) and `_dlt_loads`. */
export function bigqueryCatalog(catalog: Catalog, options: { stateSchema: string; location: string; defaultDataset?: string }): BigQueryCatalog {
  const out = new BigQueryCatalog(options.location);
  for (const [name, table] of catalog.tables) {
    if (table === null) continue;
    const dataset = table.ref.schema ?? options.defaultDataset;
    if (!dataset) throw new Error(`${catalog.file}: tables.${name} names no dataset`);
    try {
      out.add([dataset, table.ref.name], table.columns.map((c) => col(c.name, c.type)));
    } catch (err) {
      throw new Error(`${catalog.file}: tables.${name}: ${(err as Error).message}`);
    }
  }
  const { keyOptions: _, ...types } = bigquery.stateTypes;
  for (const sql of renderTemplate(bigquery.templates, 'state_tables', { state: 'STATE', ...types, key_options: 'NOT ENFORCED' })) {
    const head = /^CREATE TABLE IF NOT EXISTS STATE\.(\w+)\s*\(/.exec(sql);
    if (!head) continue;
    const columns = [...sql.slice(head[0].length).matchAll(/^\s*(\w+)\s+(STRING|INT64|TIMESTAMP)\b/gm)].map((m) => col(m[1], m[2]));
    out.add([options.stateSchema, head[1]], columns);
  }
  for (const d of catalog.dlt.values()) {
    const ref = d.loadsTable;
    const dataset = ref?.schema ?? options.defaultDataset;
    if (ref && dataset && !out.get([dataset, ref.name])) out.add([dataset, ref.name], DLT_LOADS);
  }
  return out;
}

type Client = {
  testConnection(): Promise<boolean>;
  registerCatalog(r: { simpleCatalog: unknown }): Promise<any>;
  unRegisterCatalog(r: { registeredId: unknown }): Promise<any>;
  analyze(r: unknown): Promise<any>;
};

/** Why the analyzer cannot run (the global setup could not start it outside CI). */
export function bigqueryAnalyzerUnavailable(): string | undefined {
  return process.env[BIGQUERY_ANALYZER.portEnv] ? undefined : (process.env[BIGQUERY_ANALYZER.missingEnv] ?? `${BIGQUERY_ANALYZER.portEnv} is not set: run jest with jest.config.js`);
}

let client: { port: number; client: Client; features: string[]; evaluate: (request: unknown) => Promise<any> } | undefined;

async function connect(): Promise<{ client: Client; features: string[]; evaluate: (request: unknown) => Promise<any> }> {
  const port = Number(process.env[BIGQUERY_ANALYZER.portEnv]);
  if (!port) throw new Error(bigqueryAnalyzerUnavailable());
  if (client?.port !== port) {
    const { ZetaSQLClient } = require(BIGQUERY_ANALYZER.package) as {
      ZetaSQLClient: { init(port: number): void; getInstance(): Client & { promisify(r: unknown, fn: unknown): Promise<any> }; API: { evaluateQuery: (...a: unknown[]) => unknown } };
    };
    ZetaSQLClient.init(port);
    const c = ZetaSQLClient.getInstance();
    if (!(await c.testConnection())) throw new Error(`cannot reach the ZetaSQL server on localhost:${port}`);
    // Only the features this build of the server knows (it lacks GROUP_BY_ALL, say).
    const proto = path.join(path.dirname(require.resolve(BIGQUERY_ANALYZER.package)), 'zetasql', 'protos', 'zetasql', 'public', 'options.proto');
    const known = new Set([...fs.readFileSync(proto, 'utf8').matchAll(/^\s*(FEATURE_\w+)\s*=/gm)].map((m) => m[1]));
    client = {
      port,
      client: c,
      features: FEATURES.map((f) => `FEATURE_${f}`).filter((f) => known.has(f)),
      evaluate: (request) => c.promisify(request, ZetaSQLClient.API.evaluateQuery.bind(ZetaSQLClient.API)),
    };
  }
  return client;
}

const languageOptionsFor = (features: string[]) => ({ productMode: 'PRODUCT_EXTERNAL', nameResolutionMode: 'NAME_RESOLUTION_DEFAULT', reservedKeywords: ['QUALIFY'], supportedStatementKinds: [], enabledLanguageFeatures: features });

/** ZetaSQL's encoding of a NUMERIC/BIGNUMERIC as decimal text (trailing zeros of the fraction dropped). */
function decimalText(bytes: Buffer, scale: number): string {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  if (bytes.length && bytes[bytes.length - 1] & 0x80) n -= 1n << BigInt(8 * bytes.length);
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** A cell of an in-memory table for the evaluator: null, a number (INT64), text (STRING), or a Date (TIMESTAMP). */
export type EvalValue = null | number | string | Date;

/**
 * Runs a query with ZetaSQL's reference evaluator over in-memory tables (each a root-level table of INT64,
 * STRING and TIMESTAMP columns), for what an analyzer cannot show: the values a query computes. Returns the rows
 * with INT64 as exact text. ZetaSQL computes FARM_FINGERPRINT and friends as BigQuery documents them (research
 * note §1.1); it is not BigQuery, so only functions both share are trusted here.
 */
export async function evaluateBigQuery(sql: string, tables: Array<{ name: string; columns: Array<[string, 'INT64' | 'STRING' | 'TIMESTAMP']>; rows: EvalValue[][] }>): Promise<Array<Record<string, string | null>>> {
  const { evaluate, features } = await connect();
  const languageOptions = languageOptionsFor(features);
  const cell = (v: EvalValue) =>
    v === null ? {} : typeof v === 'number' ? { int64Value: String(v) } : typeof v === 'string' ? { stringValue: v } : { timestampValue: { seconds: Math.floor(v.getTime() / 1000), nanos: (v.getTime() % 1000) * 1_000_000 } };
  const simpleCatalog = {
    name: 'root',
    builtinFunctionOptions: { languageOptions },
    table: tables.map((t) => ({ name: t.name, column: t.columns.map(([name, type]) => ({ name, type: bigqueryType(type) })) })),
  };
  const tableContent = Object.fromEntries(tables.map((t) => [t.name, { tableData: { row: t.rows.map((r) => ({ cell: r.map(cell) })) } }]));
  let result;
  try {
    result = await evaluate({ sql: sql.trim().replace(/;\s*$/, ''), options: { languageOptions, errorMessageMode: 'ERROR_MESSAGE_ONE_LINE' }, simpleCatalog, tableContent });
  } catch (err) {
    const e = err as { details?: string; message: string };
    throw new Error(e.details || e.message);
  }
  const names: string[] = (result.prepared?.columns ?? []).map((c: { name: string }) => c.name);
  const value = (v: any): string | null => {
    if (!v || v.value === undefined) return null;
    const x = v[v.value];
    if (x && typeof x === 'object' && 'low' in x) return BigInt.asIntN(64, (BigInt(x.high >>> 0) << 32n) | BigInt(x.low >>> 0)).toString();
    // NUMERIC and BIGNUMERIC: a little-endian two's-complement integer of the value times 10^9 or 10^38.
    if (v.value === 'numericValue' || v.value === 'bignumericValue') return decimalText(Buffer.from(x), v.value === 'numericValue' ? 9 : 38);
    return x === null || x === undefined ? null : String(x);
  };
  return (result.content?.tableData?.row ?? []).map((r: any) => Object.fromEntries(r.cell.map((v: any, i: number) => [names[i], value(v)])));
}


/** The type of a `?` bind by the name the dry run prints for it: counts are integers, everything else text. */
const bindType = (name: string): ZetaType => bigqueryType(isCountBind(name) ? 'INT64' : 'STRING');

/**
 * Analyzes statements in order against the catalog (what one creates, later ones read). Throws a
 * AnalysisError naming each statement the analyzer rejects, with its message; `resolved`, when given, receives
 * each statement's resolved AST (ZetaSQL's AnyResolvedStatementProto, as JSON). No allowlist: every
 * statement Theseus writes for BigQuery is GoogleSQL the analyzer knows.
 */
export async function analyzeBigQuery(statements: Array<{ sql: string; label?: string; binds?: string[] }>, catalog: BigQueryCatalog, resolved?: unknown[]): Promise<string[]> {
  const { client: c, features } = await connect();
  const languageOptions = languageOptionsFor(features);
  let registeredId: unknown;
  let dirty = true;
  const failures: Array<{ sql: string; label?: string; message: string }> = [];
  const nodes: string[] = [];
  try {
    for (const { sql, label, binds } of statements) {
      if (dirty) {
        if (registeredId !== undefined) await c.unRegisterCatalog({ registeredId }).catch(() => undefined);
        registeredId = (await c.registerCatalog({ simpleCatalog: { ...catalog.toProto(), builtinFunctionOptions: { languageOptions } } })).registeredId;
        dirty = false;
      }
      const options = {
        languageOptions,
        errorMessageMode: 'ERROR_MESSAGE_ONE_LINE',
        ...(binds?.length ? { parameterMode: 'PARAMETER_POSITIONAL', positionalQueryParameters: binds.map(bindType) } : {}),
        systemVariables: [{ namePath: ['session_id'], type: { typeKind: K.STRING } }],
      };
      try {
        const r = await c.analyze({ sqlStatement: sql.trim().replace(/;\s*$/, ''), registeredCatalogId: registeredId, options });
        nodes.push(r.resolvedStatement?.node);
        resolved?.push(r.resolvedStatement);
        if (learnFrom(r.resolvedStatement, catalog, (from, to) => (to.length === 1 ? [from[0], to[0]] : to))) dirty = true;
      } catch (err) {
        const e = err as { details?: string; message: string };
        failures.push({ sql, label, message: e.details || e.message });
      }
    }
  } finally {
    if (registeredId !== undefined) await c.unRegisterCatalog({ registeredId }).catch(() => undefined);
  }
  if (failures.length) throw new AnalysisError(failures, 'BigQuery');
  return nodes;
}

/** Every statement of a `migrate … --dry-run --catalog FILE` output on BigQuery, analyzed against that catalog. */
export async function analyzeBigQueryDryRun(dryRunText: string, catalogFile: string, options: { stateSchema: string; location: string; defaultDataset?: string }): Promise<string[]> {
  const catalog = bigqueryCatalog(readCatalogFile(catalogFile), options);
  const statements = splitDryRun(dryRunText).map((s) => ({
    sql: s.sql,
    binds: s.binds.length ? s.binds : undefined,
    label: statementLabel(s),
  }));
  return analyzeBigQuery(statements, catalog);
}
