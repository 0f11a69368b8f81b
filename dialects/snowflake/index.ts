import { snowflakeDependents } from './dependents';
import type { ConnectionSpec, ConnectOptions, Dialect } from '../types';
import { quoteDouble, qualifyWith } from '../ansi';
import { canonicalType, isZonedTimestamp } from './typeNames';
import { convertWallTime, dateLiteral, epochToUtcWallTime, instantToWallTime, snowflakeStringLiteral, timestampLiteral, wallTimeToInstant } from './literals';
import { introspectSnowflake, snowflakeSchemaExists } from './introspect';
import { snowflakeOperatorLock } from './operatorLock';
import { snowflakeLoadSignal } from './loadSignal';

/**
 * Snowflake: MERGE (no ON CONFLICT: PRIMARY KEY and UNIQUE are declared but
 * never enforced), DDL that commits any open transaction, no advisory locks,
 * and identifiers that resolve upper-case unless quoted.
 *
 * Quoting: every name is quoted exactly as given. Names of existing tables and
 * columns come from INFORMATION_SCHEMA (introspect.ts finds `ORDERS` for a
 * config's `orders`), so the quoted name is what the engine stores; names
 * Theseus creates (the view, the archive, the state schema) are created as the
 * config spells them, so `orders_v` makes a lower-case, case-sensitive view:
 * write `ORDERS_V` to let readers name it unquoted. Folding case here instead
 * would make a table that really is stored in lower case (dlt's case-sensitive
 * naming creates them) unreachable.
 */
export const snowflake: Dialect = Object.freeze({
  name: 'snowflake',
  templates: Object.freeze(['snowflake', 'merge_ledger']),
  capabilities: Object.freeze({
    transactionalDdl: false,
    advisoryLock: false,
    upsert: 'merge' as const,
    onConflictWhenKeyIndexed: false,
    // Snowflake has no LOCK TABLE. The MERGE itself takes the table's DML lock until the slice commits, which holds
    // off other MERGE/UPDATE/DELETE (dlt's merge loads); nothing can hold off an INSERT or COPY (dlt's append loads).
    // A statement claiming to lock writers out would be false, so none is planned. Instead the slice checks in
    // its own transaction that no key of its window is in the target twice and rolls back if one is
    // (plan/backfill.ts keysOnceSteps); a writer committing after that check is found by the check after commit.
    mergeLocksOutWriters: false,
    viewReplaceAppendOnly: false,
    // DML on one table serializes on its lock; parallel slices still overlap their reads of legacy.
    concurrentSlices: true,
    // The MERGE's own result row says what it did: "number of rows inserted", "number of rows updated" (upsertResultColumns).
    countedUpserts: Object.freeze(['merge'] as const),
    // retire clones legacy first: zero-copy, instant, charged only for later changes; kept after --drop.
    cloneSnapshot: true,
  }),
  upsertResultColumns: Object.freeze({ inserted: 'number of rows inserted', updated: 'number of rows updated' }),
  stateTypes: Object.freeze({ text: 'VARCHAR', longText: 'VARCHAR', bigint: 'NUMBER(19,0)', timestamp: 'TIMESTAMP_TZ' }),
  // Identifiers: at most 255 characters.
  maxIdentifierLength: Object.freeze({ max: 255, unit: 'characters' as const }),
  // dlt's snowflake destination (impl/snowflake/factory.py): max_identifier_length and max_column_identifier_length 255.
  dltMaxNameLength: 255,
  textType: 'VARCHAR',
  now: 'CURRENT_TIMESTAMP()',
  placeholder: () => '?',
  timePrecision: 9,
  naiveTimestampType: 'TIMESTAMP_NTZ',
  quoteIdent: quoteDouble,
  qualify: qualifyWith(quoteDouble),
  stringLiteral: snowflakeStringLiteral,
  // Strings take backslash escapes (snowflakeStringLiteral doubles a backslash); quoted names do not.
  backslashEscapesIn: "'",
  timestampLiteral,
  dateLiteral,
  wallTimeToInstant,
  instantToWallTime,
  convertWallTime,
  epochToUtcWallTime,
  cast: (expr: string, type: string) => `CAST(${expr} AS ${type})`,
  isDistinct: (a: string, b: string) => `${a} IS DISTINCT FROM ${b}`,
  descNullsLast: (expr: string) => `${expr} DESC NULLS LAST`,
  md5Hex: (expr: string) => `MD5(${expr})`,
  // MD5_NUMBER_UPPER64 is the md5's first 16 hex digits as an integer; dropping the last gives the 15-digit
  // prefix the other engines sum (dialects.md §8). Derived from the documentation, not yet run on an account.
  hash60: (text: string) => `CAST(FLOOR(MD5_NUMBER_UPPER64(${text}) / 16) AS NUMBER(19,0))`,
  // verify's fast pass: Snowflake's own order-independent checksum of a set of rows (NULLs count as values, no
  // rows give 0), over the normalized columns, without an md5 per row. docs.snowflake.com/sql-reference/functions/hash_agg
  rowSetChecksum: Object.freeze({ aggregate: (fields: string[]) => `HASH_AGG(${fields.join(', ')})`, describe: 'HASH_AGG of the keyed rows' }),
  // A TIMESTAMP_TZ/LTZ gives its UTC epoch; an NTZ its nominal (UTC) one.
  epochMicros: (expr: string) => `DATE_PART(EPOCH_MICROSECOND, ${expr})`,
  // The UTC day from the epoch second, which a zoned value (TZ, LTZ) takes from its instant and a naive one (NTZ, a
  // date) from its wall time read as UTC, in any session: CONVERT_TIMEZONE('UTC', x) would read a naive value in the
  // session's zone, right in Theseus's sessions (UTC) but not where a DBA pastes the printed plan.
  epochDay: (expr: string) => `FLOOR(DATE_PART(EPOCH_SECOND, ${expr}) / 86400)`,
  // Like MySQL's, Snowflake's CONCAT is NULL when any part is; callers coalesce the parts that may be NULL.
  concat: (parts: string[]) => `CONCAT(${parts.join(', ')})`,
  // Snowflake's floats hold 'NaN', 'inf' and '-inf', and NaN equals NaN; no NUMBER holds them.
  nonFinite: (expr: string) => `CAST(${expr} AS FLOAT) IN (CAST('NaN' AS FLOAT), CAST('inf' AS FLOAT), CAST('-inf' AS FLOAT))`,
  // A column may carry a collation (case- or accent-insensitive); 'utf8' compares the bytes, so no two values tie.
  exactOrderText: (expr: string) => `COLLATE(CAST(${expr} AS VARCHAR), 'utf8')`,
  isZonedTimestamp,
  sameType: (a: string, b: string) => canonicalType(a) === canonicalType(b),
  connect: async (connection: ConnectionSpec, options: ConnectOptions) => (await import('./driver')).connectSnowflake(connection, options),
  introspect: introspectSnowflake,
  dependents: snowflakeDependents,
  schemaExists: snowflakeSchemaExists,
  // No advisory locks: a lock row with an expiry, renewed by a heartbeat (operatorLock.ts).
  operatorLockIn: snowflakeOperatorLock,
  loadSignal: snowflakeLoadSignal,
  // CREATE OR REPLACE VIEW drops the view's grants unless told to copy them (behaviour change bundle 2026_08 makes it
  // the default; until then every stitch, cutover and rollback would take the readers' privileges away).
  viewOptions: 'COPY GRANTS',
});
