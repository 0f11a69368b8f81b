import type { ConnectOptions, ConnectionSpec, Dialect } from '../types';
import { DUCKDB_SESSION_SETUP } from './session';
import { isConnectionUrl } from '../../src/config/connectionUrl';
import { maskSecrets, usageError } from '../../src/errors';
import { ansiHooks } from '../ansi';
import type { CursorUnit } from '../../src/config/types';

const EPOCH_TO_MICROS: Record<CursorUnit, string> = { s: ' * 1000000', ms: ' * 1000', us: '' };
import { duckDbSchemaExists, introspectDuckDb } from './introspect';
import { duckDbDependents } from './dependents';

/** DuckDB: the embedded default. MERGE since 1.4, transactional DDL, one writing process per file. */
export const duckdb: Dialect = Object.freeze({
  sessionSetup: DUCKDB_SESSION_SETUP,
  ...ansiHooks,
  name: 'duckdb',
  templates: Object.freeze(['duckdb']),
  capabilities: Object.freeze({ transactionalDdl: true, advisoryLock: false, upsert: 'merge', onConflictWhenKeyIndexed: false, mergeLocksOutWriters: false, viewReplaceAppendOnly: false, concurrentSlices: false, countedUpserts: Object.freeze([] as const) }),
  stateTypes: Object.freeze({ text: 'VARCHAR', longText: 'VARCHAR', bigint: 'BIGINT', timestamp: 'TIMESTAMPTZ' }),
  // One process per file: a backfill's progress for status in another shell sits beside the database.
  progressFile: (connection: ConnectionSpec) =>
    typeof connection === 'string' && connection !== '' && connection !== ':memory:' && !isConnectionUrl(connection) ? `${connection}.migrate-progress.json` : undefined,
  // dlt's duckdb destination (impl/duckdb/factory.py): 65536, so in practice nothing is shortened.
  dltMaxNameLength: 65_536,
  textType: 'VARCHAR',
  now: 'current_timestamp',
  placeholder: (index: number) => `$${index}`,
  timePrecision: 6,
  naiveTimestampType: 'TIMESTAMP',
  // VARCHAR sorts by bytes.
  exactOrderText: (expr: string) => `CAST(${expr} AS VARCHAR)`,
  // json() parses and writes the document back without insignificant spacing (keys keep their order).
  canonicalJson: (expr: string) => `CAST(json(${expr}) AS VARCHAR)`,
  nonFinite: (expr: string) => `(isnan(CAST(${expr} AS DOUBLE)) OR isinf(CAST(${expr} AS DOUBLE)))`,
  // make_timestamp takes microseconds since the epoch (interval arithmetic overflows 32 bits here).
  epochToUtcWallTime: (expr: string, unit: CursorUnit) => `make_timestamp(CAST(${expr} AS BIGINT)${EPOCH_TO_MICROS[unit]})`,
  // Not DuckDB's own hash(): it maps rows with two edits to one value (case changes 16 bytes apart collide about
  // half the time), so a changed row could pass. 60 bits of md5, read as a number (md5_number, an UHUGEINT, shifted
  // down to its top 60 bits) rather than through its hex text: the same digest at about half the cost (issue 15:
  // 317 against 568 ms for a million rows on one thread). sum() of a BIGINT is a HUGEINT.
  hash60: (text: string) => `CAST(md5_number(${text}) >> 68 AS BIGINT)`,
  epochMicros: (expr: string) => `epoch_us(${expr})`,
  connect: async (connection: ConnectionSpec, options: ConnectOptions) => {
    if (typeof connection !== 'string') throw usageError('CONFIG_INVALID', 'connection: for duckdb is the path of the database file', 'e.g. connection: ./warehouse.duckdb');
    if (isConnectionUrl(connection)) {
      throw usageError('CONFIG_INVALID', `connection ${maskSecrets(connection)} is a URL; for dialect duckdb, connection: is the path of the database file`, 'set dialect: to the engine the URL names (postgres, mysql), or point connection: at a .duckdb file');
    }
    return (await import('./driver')).connectDuckDb(connection, options);
  },
  introspect: introspectDuckDb,
  dependents: duckDbDependents,
  schemaExists: duckDbSchemaExists,
});
