import * as crypto from 'node:crypto';
import type { Connection, ConnectionSpec, ConnectOptions, Dialect, ServerTraits } from '../types';
import { ansiHooks } from '../ansi';
import type { CursorUnit } from '../../src/config/types';

const EPOCH_INTERVAL: Record<CursorUnit, string> = { s: '1 second', ms: '1 millisecond', us: '1 microsecond' };
import { introspectPostgres, postgresSchemaExists, postgresViewGrants } from './introspect';
import { postgresTypedRowHash60 } from './rowHash';
import { postgresDependents } from './dependents';
import { POSTGRES_SESSION_SETUP } from './session';

/** Spellings PostgreSQL reports (format_type) for the names people write in configs. */
const SYNONYMS: Array<[RegExp, string]> = [
  [/^decimal\b/, 'numeric'],
  [/^varchar\b/, 'character varying'],
  [/^char\b/, 'character'],
  [/^timestamptz$/, 'timestamp with time zone'],
  [/^timestamp$/, 'timestamp without time zone'],
  [/^(int|int4)$/, 'integer'],
  [/^int8$/, 'bigint'],
  [/^int2$/, 'smallint'],
  [/^float8$/, 'double precision'],
  [/^float4$/, 'real'],
  [/^bool$/, 'boolean'],
];

function canonicalType(type: string): string {
  let t = type.replace(/\s+/g, ' ').replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').trim().toLowerCase();
  for (const [pattern, canonical] of SYNONYMS) t = t.replace(pattern, canonical);
  return t;
}

/** A lock name as the bigint pg_try_advisory_lock takes: 60 bits of its sha-256, as decimal text. */
function lockKey(name: string): string {
  return BigInt(`0x${crypto.createHash('sha256').update(name).digest('hex').slice(0, 15)}`).toString();
}

/**
 * PostgreSQL 15+: MERGE (or ON CONFLICT where the key has a unique index, which
 * is safe against concurrent inserts), transactional DDL, advisory locks;
 * CREATE OR REPLACE VIEW may only append columns.
 */
export const postgres: Dialect = Object.freeze({
  sessionSetup: POSTGRES_SESSION_SETUP,
  ...ansiHooks,
  name: 'postgres',
  templates: Object.freeze(['postgres']),
  capabilities: Object.freeze({ transactionalDdl: true, advisoryLock: true, upsert: 'merge', onConflictWhenKeyIndexed: true, mergeLocksOutWriters: true, viewReplaceAppendOnly: true, concurrentSlices: true, countedUpserts: Object.freeze(['on_conflict'] as const) }),
  secondaryIndexes: true,
  stateTypes: Object.freeze({ text: 'text', longText: 'text', bigint: 'bigint', timestamp: 'timestamptz' }),
  // NAMEDATALEN - 1: a longer name is cut to 63 bytes without an error, so a table created under it is not found by its full name.
  maxIdentifierLength: Object.freeze({ max: 63, unit: 'bytes' as const }),
  // dlt's postgres destination (impl/postgres/factory.py): 63.
  dltMaxNameLength: 63,
  textType: 'text',
  now: 'clock_timestamp()',
  placeholder: (index: number) => `$${index}`,
  timePrecision: 6,
  naiveTimestampType: 'timestamp',
  // Collations are deterministic unless declared otherwise: equal under the locale, then ordered by bytes.
  exactOrderText: (expr: string) => `CAST(${expr} AS text)`,
  // jsonb stores a document in one canonical form (keys sorted, duplicates dropped, spacing fixed).
  canonicalJson: (expr: string) => `CAST(CAST(${expr} AS jsonb) AS text)`,
  // NaN equals NaN among PostgreSQL's floats; a numeric holds NaN but not, at a declared precision, an infinity.
  nonFinite: (expr: string) => `CAST(${expr} AS double precision) IN ('NaN', 'Infinity', '-Infinity')`,
  // Interval arithmetic on a naive epoch is exact to the microsecond (to_timestamp goes through a double).
  epochToUtcWallTime: (expr: string, unit: CursorUnit) => `(TIMESTAMP '1970-01-01 00:00:00' + ${expr} * INTERVAL '${EPOCH_INTERVAL[unit]}')`,
  sameType: (a: string, b: string) => canonicalType(a) === canonicalType(b),
  // PostgreSQL's own 64-bit text hash, about a third of md5's cost per row (issue 15), its low 60 bits (a
  // non-negative bigint, as the md5 prefix was); sum() of a bigint is numeric, so the sums stay exact. Hashed under
  // the "C" collation: the row's text takes the collation of its columns, and under a case-insensitive one the
  // hash would ignore case (and two different collations in one row cannot be hashed at all).
  hash60: (text: string) => `(hashtextextended((${text}) COLLATE "C", 0) & 1152921504606846975)`,
  typedRowHash60: postgresTypedRowHash60,
  // date_part's double holds today's epoch to a fraction of a microsecond, so rounding to bigint is exact (until 2255),
  // and it is about twice as fast as extract(), whose numeric arithmetic dominated verify's scan. A timestamp without
  // time zone gives its nominal (UTC) epoch.
  epochMicros: (expr: string) => `CAST(date_part('epoch', ${expr}) * 1000000 AS bigint)`,
  connect: async (connection: ConnectionSpec, options: ConnectOptions) => (await import('./driver')).connectPostgres(connection, options),
  serverTraits: async (conn: Connection) => {
    const [row] = await conn.query('SELECT current_setting(\'server_version_num\')::int AS v');
    return { merge: Number(row?.v) >= 150000 };
  },
  // MERGE came with PostgreSQL 15; traits that do not say (a hand-written catalog) mean a current server.
  withTraits: (traits: ServerTraits) => (traits.merge === false ? postgresWithoutMerge : postgres),
  introspect: introspectPostgres,
  schemaExists: postgresSchemaExists,
  viewGrants: postgresViewGrants,
  dependents: postgresDependents,
  lockReadRows: (alias: string) => `FOR UPDATE OF ${alias}`,
  operatorLock: Object.freeze({
    tryLock: 'SELECT pg_try_advisory_lock($1::bigint) AS acquired',
    release: 'SELECT pg_advisory_unlock($1::bigint) AS released',
    tryLockShared: 'SELECT pg_try_advisory_lock_shared($1::bigint) AS acquired',
    releaseShared: 'SELECT pg_advisory_unlock_shared($1::bigint) AS released',
    key: lockKey,
    // pg_locks shows a bigint advisory key split in two oids (classid: high 32 bits, objid: low) with objsubid 1;
    // advisory locks belong to a database, so another database's lock of the same name is not ours.
    heldHere: `SELECT count(*) > 0 AS held FROM pg_locks
WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
    heldByAnyone: `SELECT count(*) > 0 AS held FROM pg_locks
WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
    sessionSetup: Object.freeze(['SET idle_session_timeout = 0']),
  }),
  loadSignal: Object.freeze({
    names: Object.freeze(['active']),
    describe: 'active sessions in pg_stat_activity',
    read: async (conn: Connection) => {
      const [row] = await conn.query("SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
      return { active: Number(row?.n ?? 0) };
    },
    countsOwnSlices: Object.freeze(['active']),
  }),
});

/** PostgreSQL 12–14: no MERGE, so a slice is INSERT … ON CONFLICT on the key (which needs a unique index). */
export const postgresWithoutMerge: Dialect = Object.freeze({
  ...postgres,
  // hash_record_extended came with PostgreSQL 14: these servers checksum the joined text.
  typedRowHash60: undefined,
  capabilities: Object.freeze({ ...postgres.capabilities, upsert: 'on_conflict' as const }),
});
