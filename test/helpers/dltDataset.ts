import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';
import { type EngineName, type Sandbox, openSandbox } from './engines';
import { loadOrders } from './ordersFixture';

/**
 * The bookkeeping a dlt pipeline leaves beside the tables it loads, laid out
 * as dlt 1.26 creates it on each engine (types from dlt's
 * impl/<destination>/factory.py and the sqlalchemy type mapper for MySQL):
 * `_dlt_loads` with earlier completed loads, `_dlt_version` with two stored
 * schemas (the older as plain JSON, the newer base64(zlib(JSON)), as dlt
 * stores a long one), `_dlt_pipeline_state`, and the `<dataset>_staging`
 * schema of merge loads.
 */
const TYPES: Record<EngineName, { id: string; text: string; big: string; ts: string }> = {
  duckdb: { id: 'VARCHAR', text: 'VARCHAR', big: 'BIGINT', ts: 'TIMESTAMP WITH TIME ZONE' },
  postgres: { id: 'varchar(64)', text: 'varchar', big: 'bigint', ts: 'timestamp with time zone' },
  mysql: { id: 'VARCHAR(64)', text: 'TEXT', big: 'BIGINT', ts: 'DATETIME(6)' },
};

export const DLT_SCHEMA_NAME = 'erp';
export const DLT_VERSION_HASH = 'Pz1Qm3nAbxN6jQ8cS2y9hU0vJ4kR7tLw=';
/** Loads the pipeline completed before the backfill. */
export const EARLIER_LOADS = ['1700000000.123456', '1700000100.5'];

function storedSchema(version: number, hash: string, tables: string[]): string {
  const table = (name: string) => ({ name, write_disposition: name.startsWith('_dlt') ? 'skip' : 'merge', columns: {}, ...(name.startsWith('_dlt') ? {} : { 'x-merge-strategy': 'upsert' }) });
  return JSON.stringify({
    version,
    version_hash: hash,
    engine_version: 11,
    name: DLT_SCHEMA_NAME,
    tables: Object.fromEntries(tables.map((t) => [t, table(t)])),
    settings: {},
    normalizers: { names: 'snake_case', json: { module: 'dlt.common.normalizers.json.relational' } },
  });
}

/** Creates dlt's tables in dlt_schema (beside the target `table`) and dlt_schema_staging; returns the staging schema's logical name. */
export async function loadDltBookkeeping(s: Sandbox, table: string): Promise<void> {
  const t = TYPES[s.engine];
  const q = (name: string) => s.q('dlt_schema', name);
  await s.exec(`CREATE TABLE ${q('_dlt_loads')} (load_id ${t.id} NOT NULL, schema_name ${t.text}, status ${t.big} NOT NULL, inserted_at ${t.ts} NOT NULL, schema_version_hash ${t.text})`);
  for (const id of EARLIER_LOADS) await s.exec(`INSERT INTO ${q('_dlt_loads')} VALUES ('${id}', '${DLT_SCHEMA_NAME}', 0, '2023-11-14 22:13:20', 'older-hash')`);
  await s.exec(`CREATE TABLE ${q('_dlt_version')} (version ${t.big} NOT NULL, engine_version ${t.big} NOT NULL, inserted_at ${t.ts} NOT NULL, schema_name ${t.text} NOT NULL, version_hash ${t.text} NOT NULL, ${s.quote('schema')} ${t.text} NOT NULL)`);
  const plain = storedSchema(1, 'older-hash', [table, '_dlt_loads', '_dlt_version']);
  const compressed = zlib.deflateSync(Buffer.from(storedSchema(2, DLT_VERSION_HASH, [table, '_dlt_loads', '_dlt_version', '_dlt_pipeline_state']))).toString('base64');
  await s.exec(`INSERT INTO ${q('_dlt_version')} VALUES (1, 11, '2023-11-14 22:13:20', '${DLT_SCHEMA_NAME}', 'older-hash', ${s.dialect.stringLiteral(plain)})`);
  await s.exec(`INSERT INTO ${q('_dlt_version')} VALUES (2, 11, '2023-11-14 22:15:00', '${DLT_SCHEMA_NAME}', '${DLT_VERSION_HASH}', ${s.dialect.stringLiteral(compressed)})`);
  // Another schema of the same dataset, newer, that does not hold the table: not the one the backfill registers under.
  await s.exec(`INSERT INTO ${q('_dlt_version')} VALUES (1, 11, '2023-11-15 00:00:00', 'other_source', 'other-hash', ${s.dialect.stringLiteral(storedSchema(1, 'other-hash', ['tickets']))})`);
  await s.exec(`CREATE TABLE ${q('_dlt_pipeline_state')} (version ${t.big} NOT NULL, engine_version ${t.big} NOT NULL, pipeline_name ${t.text} NOT NULL, state ${t.text} NOT NULL, created_at ${t.ts} NOT NULL, version_hash ${t.text}, _dlt_load_id ${t.id} NOT NULL, _dlt_id ${t.id} NOT NULL)`);
  const state = zlib.deflateSync(Buffer.from(JSON.stringify({ sources: { erp: { resources: { [table]: { incremental: { created_at: { last_value: '2024-12-31T00:00:00+00:00' } } } } } } }))).toString('base64');
  await s.exec(`INSERT INTO ${q('_dlt_pipeline_state')} VALUES (3, 4, 'erp_pipeline', '${state}', '2023-11-14 22:15:00', 'state-hash', '${EARLIER_LOADS[1]}', 'WxYzAbCdEfGhIj')`);
  await s.createSchema('dlt_schema_staging');
  await s.exec(`CREATE TABLE ${s.q('dlt_schema_staging', table)} (id ${t.big}, _dlt_load_id ${t.id}, _dlt_id ${t.id})`);
  await s.exec(`INSERT INTO ${s.q('dlt_schema_staging', table)} VALUES (1, '${EARLIER_LOADS[1]}', 'staged')`);
}

/** A fingerprint of what Theseus must never write: `_dlt_version`, `_dlt_pipeline_state` and the staging schema's table. */
export async function bookkeepingFingerprint(s: Sandbox, table: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for (const [schema, name] of [['dlt_schema', '_dlt_version'], ['dlt_schema', '_dlt_pipeline_state'], ['dlt_schema_staging', table]]) {
    const rows = await s.query(`SELECT * FROM ${s.q(schema, name)}`);
    hash.update(JSON.stringify(rows.map((r) => JSON.stringify(r)).sort()));
  }
  return hash.digest('hex');
}

/**
 * Replaces the stored schemas with one, newest, whose entry for `table` carries the given hints (table hints
 * and columns with column hints), plus further tables (nested ones name their `parent`).
 */
export async function setStoredSchema(s: Sandbox, table: string, entry: Record<string, unknown>, more: Record<string, Record<string, unknown>> = {}): Promise<void> {
  const tables = { [table]: { name: table, columns: {}, ...entry }, _dlt_loads: { name: '_dlt_loads', write_disposition: 'skip', columns: {} }, ...more };
  const json = JSON.stringify({ version: 3, version_hash: DLT_VERSION_HASH, engine_version: 11, name: DLT_SCHEMA_NAME, tables });
  await s.exec(`DELETE FROM ${s.q('dlt_schema', '_dlt_version')}`);
  await s.exec(`INSERT INTO ${s.q('dlt_schema', '_dlt_version')} VALUES (3, 11, '2023-11-16 00:00:00', '${DLT_SCHEMA_NAME}', '${DLT_VERSION_HASH}', ${s.dialect.stringLiteral(json)})`);
}

/** A sandbox holding the orders fixture (`rows` rows) with dlt's bookkeeping beside the target; returns it and its config. */
export async function openDltOrders(engine: EngineName, rows: number): Promise<{ s: Sandbox; config: string }> {
  const s = await openSandbox(engine);
  const config = s.writeConfig(await loadOrders(s, { rows }));
  await loadDltBookkeeping(s, 'orders');
  return { s, config };
}
