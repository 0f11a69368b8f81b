import type { Catalog } from '../../src/catalog/format';
import { renderTemplate } from '../../src/sql/template';

/**
 * The analyzer's catalog: the tables a Theseus catalog file (--catalog)
 * describes, typed for Fivetran's ZetaSQL fork, plus Theseus's own ledger
 * tables, nested database → schema → table as Snowflake names them.
 *
 * Snowflake resolves `SCHEMA.TABLE` in the session's current database and
 * `TABLE` in its current schema; ZetaSQL resolves names from the root only.
 * So the default database's schemas are registered at the root too, and the
 * default schema's tables as well: `DB.S.T`, `S.T` and (in the default
 * schema) `T` all resolve, as they would in a session with that database and
 * schema. The fork compares names case-insensitively, so it cannot catch a
 * quoting mistake ("id" vs ID): golden SQL covers that.
 */

// ZetaSQL's TypeProto, the part the catalog uses (kinds from the fork's TypeKind, lib/types/zetasql/TypeKind.d.ts).
import type { AnalyzerColumn, ZetaType } from './zetaResolved';
export type { AnalyzerColumn, ZetaType };

const K = {
  INT64: 2,
  BOOL: 5,
  DOUBLE: 7,
  STRING: 8,
  BYTES: 9,
  DATE: 10,
  TIMESTAMP: 19,
  ARRAY: 16,
  TIME: 20,
  GEOGRAPHY: 22,
  NUMERIC: 23,
  VARIANT: 1000,
  OBJECT: 1001,
} as const;
export const ZETA_KIND = K;

const simple = (typeKind: number): ZetaType => ({ typeKind });

const BY_NAME: Record<string, ZetaType> = {
  // Snowflake's integer aliases are NUMBER(38,0); the fork types them INT64 (its TypeFactory does the same).
  INT: simple(K.INT64), INTEGER: simple(K.INT64), BIGINT: simple(K.INT64), SMALLINT: simple(K.INT64), TINYINT: simple(K.INT64), BYTEINT: simple(K.INT64),
  FLOAT: simple(K.DOUBLE), FLOAT4: simple(K.DOUBLE), FLOAT8: simple(K.DOUBLE), DOUBLE: simple(K.DOUBLE), 'DOUBLE PRECISION': simple(K.DOUBLE), REAL: simple(K.DOUBLE),
  VARCHAR: simple(K.STRING), STRING: simple(K.STRING), TEXT: simple(K.STRING), CHAR: simple(K.STRING), CHARACTER: simple(K.STRING),
  NCHAR: simple(K.STRING), NVARCHAR: simple(K.STRING), NVARCHAR2: simple(K.STRING), 'CHAR VARYING': simple(K.STRING), 'NCHAR VARYING': simple(K.STRING),
  BINARY: simple(K.BYTES), VARBINARY: simple(K.BYTES),
  BOOLEAN: simple(K.BOOL),
  DATE: simple(K.DATE),
  TIME: simple(K.TIME),
  // The fork has one TIMESTAMP kind: NTZ, LTZ and TZ are not told apart (a golden test must pin which one a template writes).
  TIMESTAMP: simple(K.TIMESTAMP), TIMESTAMP_NTZ: simple(K.TIMESTAMP), TIMESTAMP_LTZ: simple(K.TIMESTAMP), TIMESTAMP_TZ: simple(K.TIMESTAMP), DATETIME: simple(K.TIMESTAMP),
  VARIANT: simple(K.VARIANT),
  OBJECT: simple(K.OBJECT),
  // Snowflake's ARRAY holds VARIANTs.
  ARRAY: { typeKind: K.ARRAY, arrayType: { elementType: simple(K.VARIANT) } },
  GEOGRAPHY: simple(K.GEOGRAPHY),
};

/**
 * A Snowflake column type as INFORMATION_SCHEMA or DESCRIBE prints it
 * (`NUMBER(38,0)`, `TIMESTAMP_NTZ(9)`, `VARCHAR(16777216)`, `TEXT`) → ZetaSQL.
 * NUMBER with scale 0 is INT64; with a scale, or bare (DATA_TYPE alone does not
 * say the scale), NUMERIC. An unknown type throws: a silent STRING would hide
 * type mistakes.
 */
export function snowflakeType(type: string): ZetaType {
  const text = type.trim().toUpperCase().replace(/\s+/g, ' ');
  const m = /^([A-Z_0-9 ]+?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(text);
  if (!m) throw new Error(`unknown Snowflake type "${type}"`);
  const [, name, , scale] = m;
  if (name === 'NUMBER' || name === 'DECIMAL' || name === 'NUMERIC') return simple(m[2] !== undefined && (scale === undefined || scale === '0') ? K.INT64 : K.NUMERIC);
  const t = BY_NAME[name];
  if (!t) throw new Error(`unknown Snowflake type "${type}" (known: NUMBER/DECIMAL/NUMERIC, ${Object.keys(BY_NAME).join(', ')})`);
  return structuredClone(t);
}

/** A table the analyzer knows, by its full path [database, schema, table]. */
export interface AnalyzerTable {
  path: [string, string, string];
  columns: AnalyzerColumn[];
}

export interface CatalogOptions {
  /** The session's database: where a `schema.table` ref lives. */
  defaultDatabase: string;
  /** The session's schema: where a bare `table` ref lives. */
  defaultSchema: string;
  /** Theseus's state schema (the config's state_schema; default `_migrate`), in the default database. */
  stateSchema?: string;
  /** The Snowflake types the state tables are created with (the dialect's stateTypes, once it lands). */
  stateTypes?: { text: string; longText: string; bigint: string; timestamp: string };
  /** Template folders for state_tables.sql, most specific first (default ['snowflake'], falling back to _default). */
  templateDirs?: readonly string[];
}

export const SNOWFLAKE_STATE_TYPES = { text: 'VARCHAR', longText: 'VARCHAR', bigint: 'NUMBER(38,0)', timestamp: 'TIMESTAMP_TZ' };

const key = (path: readonly string[]) => path.map((p) => p.toUpperCase()).join('.');

/** The tables, mutable as statements of a dry run create, rename and drop them (see snowflakeAnalyzer.ts). */
export class AnalyzerCatalog {
  private readonly tables = new Map<string, AnalyzerTable>();
  constructor(readonly defaultDatabase: string, readonly defaultSchema: string) {}

  /** A name path as a statement writes it (1 to 3 parts) → the full path. */
  resolve(parts: readonly string[]): [string, string, string] {
    if (parts.length === 3) return [parts[0], parts[1], parts[2]];
    if (parts.length === 2) return [this.defaultDatabase, parts[0], parts[1]];
    if (parts.length === 1) return [this.defaultDatabase, this.defaultSchema, parts[0]];
    throw new Error(`a table name has 1 to 3 parts, not ${parts.length}: ${parts.join('.')}`);
  }

  add(parts: readonly string[], columns: AnalyzerColumn[]): void {
    const path = this.resolve(parts);
    this.tables.set(key(path), { path, columns });
  }

  get(parts: readonly string[]): AnalyzerTable | undefined {
    return this.tables.get(key(this.resolve(parts)));
  }

  remove(parts: readonly string[]): void {
    this.tables.delete(key(this.resolve(parts)));
  }

  list(): AnalyzerTable[] {
    return [...this.tables.values()];
  }

  /** The SimpleCatalogProto to register (root → database → schema → table, and the default database's shortcuts). */
  toProto(): SimpleCatalog {
    const byDb = new Map<string, Map<string, AnalyzerTable[]>>();
    for (const t of this.tables.values()) {
      const [db, schema] = t.path.map((p) => p.toUpperCase());
      if (!byDb.has(db)) byDb.set(db, new Map());
      const schemas = byDb.get(db)!;
      schemas.set(schema, [...(schemas.get(schema) ?? []), t]);
    }
    const tableProto = (t: AnalyzerTable) => ({ name: t.path[2], column: t.columns.map((c) => ({ name: c.name, type: c.type })) });
    const schemaProto = (name: string, tables: AnalyzerTable[]) => ({ name: tables[0]?.path[1] ?? name, table: tables.map(tableProto) });
    const root: SimpleCatalog = { name: 'root', catalog: [], table: [] };
    for (const [db, schemas] of byDb) {
      root.catalog.push({ name: [...schemas.values()][0][0].path[0], catalog: [...schemas].map(([s, ts]) => schemaProto(s, ts)) });
    }
    const defaults = byDb.get(this.defaultDatabase.toUpperCase());
    for (const [s, ts] of defaults ?? []) {
      if (byDb.has(s)) throw new Error(`schema ${s} of the default database ${this.defaultDatabase} has the name of a database: \`${s}.T\` would be ambiguous for the analyzer`);
      root.catalog.push(schemaProto(s, ts));
    }
    root.table.push(...(defaults?.get(this.defaultSchema.toUpperCase()) ?? []).map(tableProto));
    return root;
  }
}

export interface SimpleCatalog {
  name: string;
  catalog: Array<{ name: string; catalog?: unknown[]; table?: unknown[] }>;
  table: unknown[];
}

/**
 * Theseus's ledger tables: state_tables.sql rendered for Snowflake types and
 * read back (name and type of each column line), so a new ledger column
 * reaches the analyzer without editing this file.
 */
export function stateTables(options: CatalogOptions): Array<{ name: string; columns: AnalyzerColumn[] }> {
  const types = options.stateTypes ?? SNOWFLAKE_STATE_TYPES;
  const statements = renderTemplate(options.templateDirs ?? ['snowflake'], 'state_tables', { state: 'STATE', ...types });
  const tables: Array<{ name: string; columns: AnalyzerColumn[] }> = [];
  for (const sql of statements) {
    const head = /^CREATE TABLE (?:IF NOT EXISTS )?STATE\.("?)(\w+)\1\s*\(/i.exec(sql);
    if (!head) continue; // CREATE SCHEMA
    const columns: AnalyzerColumn[] = [];
    for (const line of sql.slice(head[0].length).split('\n')) {
      const col = /^\s*("?)(\w+)\1\s+([A-Z_]+(?: PRECISION)?(?:\s*\([\d,\s]+\))?)/i.exec(line);
      if (col && !/^(PRIMARY|UNIQUE|CONSTRAINT|FOREIGN)$/i.test(col[2])) columns.push({ name: col[2], type: snowflakeType(col[3]) });
    }
    if (!columns.length) throw new Error(`state_tables.sql: no columns read for ${head[2]}`);
    tables.push({ name: head[2], columns });
  }
  return tables;
}

/** dlt's `_dlt_loads` (dlt's own DDL on Snowflake: load_id, schema_name, status, inserted_at, schema_version_hash). */
const DLT_LOADS: AnalyzerColumn[] = [
  { name: 'load_id', type: snowflakeType('VARCHAR') },
  { name: 'schema_name', type: snowflakeType('VARCHAR') },
  { name: 'status', type: snowflakeType('NUMBER(19,0)') },
  { name: 'inserted_at', type: snowflakeType('TIMESTAMP_TZ') },
  { name: 'schema_version_hash', type: snowflakeType('VARCHAR') },
];

/** The analyzer's catalog from a parsed Theseus catalog file, plus the ledger tables and dlt's `_dlt_loads` where the catalog names one. */
export function analyzerCatalog(catalog: Catalog, options: CatalogOptions): AnalyzerCatalog {
  const out = new AnalyzerCatalog(options.defaultDatabase, options.defaultSchema);
  for (const [name, table] of catalog.tables) {
    if (table === null) continue; // known not to exist yet (the view before stitch): a CREATE in the dry run adds it
    const parts = table.ref.schema === undefined ? [table.ref.name] : [table.ref.schema, table.ref.name];
    try {
      out.add(parts, table.columns.map((c) => ({ name: c.name, type: snowflakeType(c.type) })));
    } catch (err) {
      throw new Error(`${catalog.file}: tables.${name}: ${(err as Error).message}`);
    }
  }
  for (const t of stateTables(options)) out.add([options.stateSchema ?? '_migrate', t.name], t.columns);
  for (const d of catalog.dlt.values()) {
    const ref = d.loadsTable;
    if (ref && !out.get(ref.schema === undefined ? [ref.name] : [ref.schema, ref.name])) out.add(ref.schema === undefined ? [ref.name] : [ref.schema, ref.name], DLT_LOADS);
  }
  return out;
}
