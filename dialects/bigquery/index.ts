import { bigqueryDependents } from './dependents';
import type { TableRef } from '../../src/config/types';
import type { Connection, ConnectionSpec, ConnectOptions, Dialect, ServerTraits } from '../types';
import { canonicalType, isZonedTimestamp } from './typeNames';
import { bigqueryStringLiteral, convertWallTime, epochToUtcWallTime, instantToWallTime, locationOf, quoteBacktick, timestampLiteral, wallTimeToInstant } from './literals';
import { bigqueryOperatorLock } from './operatorLock';
import { bigqueryLoadSignal } from './loadSignal';
import { introspectBigQuery, bigquerySchemaExists } from './introspect';

/**
 * BigQuery: a schema is a dataset, names are quoted with backticks and kept
 * as stored (table and dataset names are case-sensitive), MERGE with no ON
 * CONFLICT (PRIMARY KEY exists only NOT ENFORCED), no DDL on permanent tables
 * inside a transaction, no advisory locks, and INT64 sums that fail on
 * overflow instead of widening.
 *
 * Transactions span the statements of one BigQuery session: the driver opens
 * a session per connection, so BEGIN, the slice's statements and COMMIT run
 * as one multi-statement transaction, as on the other engines.
 */
export const bigquery: Dialect = Object.freeze({
  name: 'bigquery',
  templates: Object.freeze(['bigquery', 'merge_ledger']),
  capabilities: Object.freeze({
    transactionalDdl: false,
    advisoryLock: false,
    upsert: 'merge' as const,
    onConflictWhenKeyIndexed: false,
    // No LOCK TABLE, and an INSERT (dlt's append, or a streaming load) never waits for a MERGE: as on Snowflake the
    // slice checks that no key of its window is in the target twice, in its transaction and, since that reads a
    // snapshot, again after commit (plan/backfill.ts settleUnit).
    mergeLocksOutWriters: false,
    viewReplaceAppendOnly: false,
    concurrentSlices: true,
    // Every slice's transaction writes the ledger's tables, and BigQuery aborts one of two concurrent transactions
    // that mutate one table ("Transaction is aborted due to concurrent update"): a second worker would only be
    // aborted and retried, its MERGE billed again. One slice at a time; each statement is parallel inside BigQuery.
    maxConcurrentSlices: Object.freeze({ slices: 1, why: "every slice's transaction writes the ledger's tables, and BigQuery aborts one of two concurrent transactions on a table" }),
    // The driver answers a MERGE with a row of the job's dmlStats (upsertResultColumns).
    countedUpserts: Object.freeze(['merge'] as const),
    // retire takes a table snapshot of legacy first (CREATE SNAPSHOT TABLE … CLONE), kept by --drop unless --drop-snapshot.
    cloneSnapshot: true,
    snapshotExpiry: true,
    bytesBilledCap: true,
  }),
  upsertResultColumns: Object.freeze({ inserted: 'inserted_row_count', updated: 'updated_row_count' }),
  stateTypes: Object.freeze({ text: 'STRING', longText: 'STRING', bigint: 'INT64', timestamp: 'TIMESTAMP', keyOptions: 'NOT ENFORCED' }),
  // Table names up to 1,024 characters, column names up to 300.
  maxIdentifierLength: Object.freeze({ max: 300, unit: 'characters' as const }),
  // dlt's bigquery destination (impl/bigquery/factory.py): max_column_identifier_length 300.
  dltMaxNameLength: 300,
  textType: 'STRING',
  now: 'CURRENT_TIMESTAMP()',
  placeholder: () => '?',
  timePrecision: 6,
  naiveTimestampType: 'DATETIME',
  quoteIdent: quoteBacktick,
  qualify: (ref: TableRef) => (ref.schema ? `${quoteBacktick(ref.schema)}.${quoteBacktick(ref.name)}` : quoteBacktick(ref.name)),
  stringLiteral: bigqueryStringLiteral,
  // Every quote takes backslash escapes: strings in ' or ", names in backticks.
  backslashEscapesIn: "'\"`",
  hashComments: true,
  tripleQuotes: true,
  timestampLiteral,
  wallTimeToInstant,
  instantToWallTime,
  convertWallTime,
  epochToUtcWallTime,
  cast: (expr: string, type: string) => `CAST(${expr} AS ${type})`,
  isDistinct: (a: string, b: string) => `${a} IS DISTINCT FROM ${b}`,
  descNullsLast: (expr: string) => `${expr} DESC NULLS LAST`,
  md5Hex: (expr: string) => `TO_HEX(MD5(${expr}))`,
  // The md5's first 15 hex digits as an integer, held as NUMERIC: SUM over INT64 fails on overflow, and a
  // window's sum of 60-bit values passes 2^63 after eight rows. NUMERIC keeps 29 digits before the point.
  hash60: (text: string) => `CAST(CAST(CONCAT('0x', SUBSTR(TO_HEX(MD5(${text})), 1, 15)) AS INT64) AS NUMERIC)`,
  // verify's fast pass: FARM_FINGERPRINT of the row's normalized columns (as JSON, so NULL and '' differ), both
  // XORed (order-free) and summed modulo a prime (XOR alone cancels two identical rows), in one exact integer.
  rowSetChecksum: Object.freeze({
    aggregate: (fields: string[]) => {
      const fp = `FARM_FINGERPRINT(TO_JSON_STRING([${fields.join(', ')}]))`;
      return `CAST(BIT_XOR(${fp}) AS BIGNUMERIC) * 4294967296 + MOD(SUM(MOD(${fp}, 4294967291)), 4294967291)`;
    },
    describe: 'BIT_XOR and a modular sum of FARM_FINGERPRINT over the keyed rows',
  }),
  // CAST to TIMESTAMP reads a DATETIME or DATE in the session's zone, which the driver sets to UTC (SESSION_SETUP).
  epochMicros: (expr: string) => `UNIX_MICROS(CAST(${expr} AS TIMESTAMP))`,
  epochDay: (expr: string) => `UNIX_DATE(CAST(${expr} AS DATE))`,
  nonFinite: (expr: string) => `(IS_NAN(CAST(${expr} AS FLOAT64)) OR IS_INF(CAST(${expr} AS FLOAT64)))`,
  // CAST(bytes AS STRING) fails on bytes that are not valid UTF-8.
  binaryText: (expr: string) => `TO_HEX(${expr})`,
  // CONCAT is NULL when any part is; callers coalesce the parts that may be NULL.
  concat: (parts: string[]) => `CONCAT(${parts.join(', ')})`,
  // Strings compare by their bytes unless a column carries a collation.
  exactOrderText: (expr: string) => `CAST(${expr} AS STRING)`,
  decimalType: (scale: number) => `BIGNUMERIC(38, ${scale})`,
  isZonedTimestamp,
  sameType: (a: string, b: string) => canonicalType(a) === canonicalType(b),
  connect: async (connection: ConnectionSpec, options: ConnectOptions) => (await import('./driver')).connectBigQuery(connection, options),
  introspect: introspectBigQuery,
  dependents: bigqueryDependents,
  schemaExists: bigquerySchemaExists,
  // No advisory locks: a lock row with an expiry, renewed by a heartbeat, owned by the connection's session.
  operatorLockIn: bigqueryOperatorLock,
  // The location the connection runs its jobs in: INFORMATION_SCHEMA.JOBS and SCHEMATA are read per region.
  serverTraits: async (conn: Connection) => ({ location: locationOf(conn) }),
  withTraits: (traits: ServerTraits): Dialect => Object.freeze({ ...bigquery, loadSignal: bigqueryLoadSignal(locationOf({ facts: traits })) }),
});
