import type { CursorUnit, TableRef } from '../src/config/types';
import type { Lexical } from '../src/sql/layout';

/** A value bound to a statement parameter (bookkeeping only; migration SQL renders literals). */
export type SqlValue = string | number | boolean | null;
export type Row = Record<string, unknown>;
/**
 * What a bound value is, by the plan's name for it (plan/types.ts bindKind), for an engine that must type a NULL
 * parameter (BigQuery: a NULL typed STRING cannot be assigned to an INT64 column).
 */
export type BindKind = 'integer' | 'text';

/** The only thing the core knows about a driver. */
export interface Connection {
  /** Runs a statement that returns rows; `kinds`, one per param where the plan knows them. */
  query(sql: string, params?: SqlValue[], kinds?: readonly BindKind[]): Promise<Row[]>;
  /** Runs a statement and returns the number of rows it changed (0 for DDL). */
  execute(sql: string, params?: SqlValue[], kinds?: readonly BindKind[]): Promise<number>;
  close(): Promise<void>;
  /** True once the driver saw the connection end (the server closed it, e.g. while it idled); absent where it cannot tell. */
  lost?(): boolean;
  /**
   * What the statements that follow belong to (a unit's title: "orders 2023-02: backfill"), for drivers that tag
   * statements where the engine shows them (Snowflake's QUERY_TAG, in QUERY_HISTORY); absent where nothing is tagged.
   */
  label?(title: string): void;
  /**
   * What the driver knows about its server without asking (BigQuery: the project, location and default dataset it
   * was opened with), for the dialect's serverTraits and introspection; absent where there is nothing of the kind.
   */
  readonly facts?: ServerTraits;
  /**
   * The bytes a statement would read, asked of the engine without running it (BigQuery's dry run, which is free),
   * for the cost estimate of `backfill --plan`; absent where the engine cannot tell.
   */
  estimate?(sql: string, params?: SqlValue[]): Promise<{ bytesProcessed: number }>;
}

export interface ConnectOptions {
  /** Dry runs and status open the database read-only, so they cannot change it. */
  readOnly: boolean;
  /** The run and command the session works for, where the engine can label its statements with them (Snowflake's QUERY_TAG). */
  runId?: string;
  command?: string;
  /** Where the engine bills bytes read (Capabilities.bytesBilledCap): the most a slice's upsert may bill, from `backfill.max_bytes_billed`. */
  maxBytesBilled?: number;
  /** The config's section named after the dialect (`duckdb:` memory_limit, threads), for the driver to apply. */
  engineSettings?: Readonly<Record<string, string | number>>;
}

/** `connection:` from the config: a URL or path, or an object of driver settings (host, port, user, password, database). */
export type ConnectionSpec = string | Readonly<Record<string, string | number | boolean>>;

/** What `serverTraits` reads: a few named facts, e.g. `{ merge: false }` for PostgreSQL 14. */
export type ServerTraits = Readonly<Record<string, string | number | boolean>>;

export interface ColumnInfo {
  name: string;
  /** The type as the engine spells it, usable in CAST(… AS type). */
  type: string;
  nullable: boolean;
}

export interface TableInfo {
  /** The reference with the names as the engine stores them. */
  ref: TableRef;
  kind: 'table' | 'view';
  columns: ColumnInfo[];
  /** Column sets declared PRIMARY KEY or UNIQUE. */
  uniqueKeys: string[][];
}

/** Why a key column cannot carry a unique index that lookups use, and what to run instead. */
export interface UnindexableKey {
  reason: string;
  /** A statement that makes the column indexable, e.g. ALTER TABLE … MODIFY … VARCHAR(255). */
  fix: string;
  /** What to adjust in it, e.g. how long the type may be made. */
  note: string;
}

export type UpsertStyle = 'merge' | 'on_conflict' | 'on_duplicate_key';

export interface Capabilities {
  /** DDL can be rolled back with the transaction around it. */
  transactionalDdl: boolean;
  /** The engine offers a session-level advisory lock (else one process per database, as DuckDB's file lock). */
  advisoryLock: boolean;
  /**
   * How a slice is upserted: a MERGE statement, INSERT … ON CONFLICT, or
   * INSERT … ON DUPLICATE KEY UPDATE. The last two need a unique index on the
   * target's key.
   */
  upsert: UpsertStyle;
  /**
   * Use INSERT … ON CONFLICT instead of MERGE when the target has a unique
   * index on the key: unlike MERGE, it is safe against a live writer inserting
   * the same key at the same moment.
   */
  onConflictWhenKeyIndexed: boolean;
  /**
   * MERGE can race concurrent inserts of the same key (two rows for one key
   * where no unique index stops it), so a MERGE slice holds off the target's
   * writers until it commits (template lock_target_for_merge).
   */
  mergeLocksOutWriters: boolean;
  /** CREATE OR REPLACE VIEW may only append columns (PostgreSQL): a changed column set needs DROP + CREATE. */
  viewReplaceAppendOnly: boolean;
  /**
   * Slices can run at once on connections of their own (servers). DuckDB
   * admits one writing process per file and parallelizes each statement
   * itself, so --max-parallel runs one slice at a time there.
   */
  concurrentSlices: boolean;
  /** The most slices worth running at once, and why, where the engine itself limits them (BigQuery: 1). */
  maxConcurrentSlices?: { readonly slices: number; readonly why: string };
  /** Upsert shapes whose template can report inserted and changed rows itself (template slice_<shape>_counted). */
  countedUpserts: readonly UpsertStyle[];
  /**
   * retire first takes a zero-copy snapshot of legacy (template clone_snapshot: Snowflake's CREATE TABLE … CLONE),
   * recorded in the ledger and kept by retire --drop unless --drop-snapshot. Absent: no snapshot.
   */
  cloneSnapshot?: boolean;
  /** The snapshot can be given a lifetime (`retire.snapshot_days`; template clone_snapshot's expires_after_days): BigQuery. */
  snapshotExpiry?: boolean;
  /**
   * The engine bills a query by the bytes it reads and can refuse one that would read more than a cap before billing
   * it (BigQuery's maximumBytesBilled): `backfill.max_bytes_billed` sets the cap of each slice's upsert
   * (ConnectOptions.maxBytesBilled); without it the driver caps each at 1.2 times its dry run.
   */
  bytesBilledCap?: boolean;
}

/**
 * Where the upsert statement itself answers with one row of counts (Snowflake's MERGE: "number of rows inserted",
 * "number of rows updated"), the names of those columns. The counted template is then the upsert alone, and a
 * column the engine leaves out (no WHEN MATCHED clause, so no updated count) counts 0.
 */
export interface UpsertResultColumns {
  readonly inserted: string;
  readonly updated: string;
}

/** How busy the source is, read before each slice (--max-load, --critical-load). */
export interface LoadSignal {
  /** Names an operator may write in `--max-load NAME=N` (`active`, what a bare number means, among them). */
  readonly names: readonly string[];
  /** What the numbers count, for messages. */
  readonly describe: string;
  /** Every name's current value, read in one go, not counting the asking session itself. */
  read(conn: Connection): Promise<Readonly<Record<string, number>>>;
  /** The names whose value counts this run's own executing slices too (the scheduler takes those out). */
  readonly countsOwnSlices: readonly string[];
}

/** The statements of a session-level advisory lock (or of a lock row, see takenByRowCount); `$1`/`?` is the lock name. */
export interface OperatorLockSql {
  /** Returns one row with column `acquired` = 1/true when the lock was taken, without waiting (with takenByRowCount: DML). */
  tryLock: string;
  /**
   * The lock is a row in the state schema, not the server's (Snowflake has no advisory locks): tryLock is a
   * conditional MERGE/UPDATE, and the lock is taken only when it changed exactly one row and heldHere then finds
   * this session the name's only live holder (two racing inserts of one name leave neither holding it). The row
   * carries an expiry, so a killed run's lock lapses instead of being released with its session.
   */
  takenByRowCount?: boolean;
  /** With takenByRowCount: the name's lapsed row (`expires_at`), if any, read before taking it, so a take-over names whose lock it took. */
  lapsed?: string;
  /** DML pushing back the expiry of every lock row this session holds, run every renewEverySeconds while the command runs. */
  renew?: string;
  renewEverySeconds?: number;
  release: string;
  /**
   * The same lock taken in shared mode (PostgreSQL): backfill processes take
   * it shared, so several can work on one table (the ledger hands each slice
   * to one of them), while every other command needs it exclusive.
   */
  tryLockShared?: string;
  releaseShared?: string;
  /** Turns a lock name into the bound value (PostgreSQL: a bigint from its hash). */
  key(name: string): SqlValue;
  /**
   * Returns one row with column `held` = 1/true when this session still holds
   * the lock (shared or not). Asked before every unit: a killed lock session
   * (or one that lost the lock otherwise) must stop the run, since another
   * operator may now take the table.
   */
  heldHere: string;
  /**
   * Returns one row with column `held` = 1/true when any session holds the
   * lock, without taking it: `status` (which never locks) tells a live run
   * from one that died without recording its end.
   */
  heldByAnyone: string;
  /**
   * Statements run once on the lock's own connection: it idles for the whole
   * command, so the server's idle-session timeout must not end it (and the lock with it).
   * A statement the server rejects (a setting it does not have) is skipped.
   */
  sessionSetup: readonly string[];
  /**
   * Where an engine session outlives the process that opened it (Snowflake, BigQuery): a killed client's session,
   * and a transaction it left open, live on for hours, and that transaction holds off (Snowflake) or aborts
   * (BigQuery) every later transaction on the tables it wrote, the ledger's included. Each connection a run writes
   * with records its session under the run's name (`record`, binds the name), so the run that finds it dead
   * lists them (`list`, column `session_id`), ends each (`end`: the open transaction rolls back with it) and
   * forgets them (`forget`); a clean end forgets its own.
   */
  sessions?: RunSessionsSql;
}

export interface RunSessionsSql {
  record: string;
  list: string;
  forget: string;
  /** The statement that ends another session of this user's, by its id (as `list` returned it). */
  end(sessionId: string): string;
}

/** The longest name the engine keeps as written, and what it counts. */
export interface IdentifierLimit {
  max: number;
  /** PostgreSQL counts UTF-8 bytes (and silently cuts longer names); MySQL/MariaDB count characters (and refuse longer ones). */
  unit: 'bytes' | 'characters';
}

/** SQL, run right after a slice's upsert, for what it did (see Dialect.lastRowCount). */
export interface LastRowCount {
  /** The rows the upsert updated, given the SQL of the rows it inserted (counted before it). */
  updatedByUpsert(inserted: string): string;
}

/** Type names the state schema (ledger) uses. */
export interface StateTypes {
  /** Short text, usable in a primary key. */
  text: string;
  /** Unbounded text (errors, arguments). */
  longText: string;
  bigint: string;
  timestamp: string;
  /** Words after a PRIMARY KEY constraint where the engine needs them (BigQuery: NOT ENFORCED). */
  keyOptions?: string;
}

/**
 * Everything engine-specific. The planners call these hooks and never branch on
 * the dialect's name; SQL shapes come from templates/<dir>/ for each of `templates`, with
 * templates/_default/ as the fallback. Its lexical facts (Lexical: backslash escapes, `#` comments, triple
 * quotes) are what the layout of long statements (src/sql/layout.ts) must know to never break a line inside a
 * quoted token or a comment.
 */
export interface Dialect extends Lexical {
  readonly name: string;
  /** Template folders to look in, most specific first; templates/_default is always the last resort. */
  readonly templates: readonly string[];
  readonly capabilities: Capabilities;
  /** Set where a counted upsert's row has the engine's own column names rather than rows_changed and to_insert. */
  readonly upsertResultColumns?: UpsertResultColumns;
  /**
   * Where SQL can read how many rows the session's previous statement changed (MySQL's ROW_COUNT()): the slice
   * records the rows its upsert updated from it. Elsewhere it counts the rows the upsert is about to update first,
   * in the same transaction, where nothing else writes them (plan/backfill.ts upsertSteps).
   */
  readonly lastRowCount?: LastRowCount;
  readonly stateTypes: StateTypes;
  /**
   * Where the engine admits one process per database file (DuckDB): the file beside the database in which a
   * backfill keeps its progress for `status` in another shell (backfill/progressFile.ts). Undefined elsewhere,
   * where status reads the ledger while a backfill runs.
   */
  progressFile?(connection: ConnectionSpec): string | undefined;
  /**
   * The settings the driver gives every session of its own (time zone UTC, the character set), as statements: the
   * printed plan starts with them, so a client running it as it is (psql, mariadb) means what migrate means.
   * Undefined where plans are not run by the engine's own client.
   */
  sessionSetup?: readonly string[];
  /**
   * The longest table, schema or column name the engine keeps as written;
   * absent where there is no practical limit (DuckDB). Config names are checked
   * against it before any work, and derived names (archives) are made to fit.
   */
  readonly maxIdentifierLength?: IdentifierLimit;
  /**
   * The longest name dlt itself makes on this engine, in characters: the lesser
   * of max_identifier_length and max_column_identifier_length in dlt's
   * capabilities for its destination (dlt/common/schema/normalizers.py). dlt
   * shortens a longer snake_case column name to it around a hash tag, and
   * alignment must find that shortened column. dlt's own figure, not the
   * engine's: PostgreSQL counts bytes, dlt counts characters.
   */
  readonly dltMaxNameLength: number;

  quoteIdent(name: string): string;
  qualify(ref: TableRef): string;
  stringLiteral(value: string): string;
  /**
   * A UTC instant as a literal of the cursor's kind: zoned (an absolute instant,
   * whatever the reading session's zone), or naive (the UTC wall time).
   */
  timestampLiteral(utc: Date, zoned: boolean): string;
  /** A calendar day (`YYYY-MM-DD`) as a DATE constant, where `DATE '…'` would read through a session format (Snowflake); else `DATE '…'`. */
  dateLiteral?(day: string): string;
  /** Digits of a second a timestamp type without (n) keeps (6; MySQL's DATETIME and TIMESTAMP keep 0). */
  readonly timePrecision: number;
  /** Text types without a length that still hold at most so many characters (MySQL's TINYTEXT, TEXT, MEDIUMTEXT). */
  readonly boundedTextTypes?: Readonly<Record<string, number>>;
  /** A naive timestamp type CAST accepts (a date becomes its midnight wall time). */
  readonly naiveTimestampType: string;
  /**
   * The instant whose wall time in `zone` (an IANA name) is the naive `expr`;
   * the engine resolves DST. Never the session's zone: a reader or a DBA in
   * another zone gets the same instant.
   */
  wallTimeToInstant(expr: string, zone: string): string;
  /** The wall time in `zone` of the instant `expr`, as a naive timestamp. */
  instantToWallTime(expr: string, zone: string): string;
  /** A naive wall time in `fromZone` as the wall time of the same instant in `toZone`, never through the session's zone. */
  convertWallTime(expr: string, fromZone: string, toZone: string): string;
  /**
   * The instants the engine can move between zones (MySQL/MariaDB: its TIMESTAMP range; CONVERT_TZ leaves other
   * values as they are); absent where any can.
   */
  readonly zoneConversionRange?: { readonly from: Date; readonly until: Date };
  /** An integer count of `unit` since 1970-01-01 UTC as the naive UTC timestamp it means, exactly. */
  epochToUtcWallTime(expr: string, unit: CursorUnit): string;
  /** The n-th (1-based) bound parameter. */
  placeholder(index: number): string;
  /** The current time as the engine writes it (for ledger timestamps). */
  readonly now: string;

  cast(expr: string, type: string): string;
  /**
   * What ends a SELECT so the rows it reads of `alias` stay locked until the transaction ends (PostgreSQL's
   * FOR UPDATE OF, MySQL/MariaDB's FOR UPDATE); absent where the engine locks no rows or one process writes (DuckDB).
   * A slice's pre-image copy uses it: no live write may slip between the copy and the upsert.
   */
  lockReadRows?(alias: string): string;
  /**
   * The staging table (strategy: staging) is made LIKE the target, its collations and indexes copied, by the
   * dialect's staging_table template (MySQL/MariaDB: a column's collation decides which keys are equal, and the
   * introspected type does not carry it). Absent: made from the target's column types, the key index added.
   */
  readonly stagingLikeTarget?: boolean;
  /**
   * The engine has secondary indexes (CREATE INDEX): the staging table gets one on the cursor, so each promote slice
   * reads its window by range instead of scanning every staged row. Absent: none (Snowflake, BigQuery prune by
   * micro-partitions and clustering; DuckDB by its zone maps).
   */
  readonly secondaryIndexes?: boolean;
  isDistinct(a: string, b: string): string;
  /** `expr DESC` with NULLs sorted after every value. */
  descNullsLast(expr: string): string;
  md5Hex(expr: string): string;
  /**
   * Row checksums (verify, and each slice's validation): a 60-bit integer hash of a text that the engine sums
   * exactly (dialects.md §8). Both sides of a comparison are hashed by one engine in one statement, so the hash
   * need only agree with itself: the engine's own fast hash where it has a 64-bit one (PostgreSQL's
   * hashtextextended, DuckDB's hash), else the md5's first 15 hex digits.
   */
  hash60(textExpr: string): string;
  /**
   * The same 60-bit row checksum from the normalized values in their own types (microseconds, decimals, texts),
   * hashed by the engine as a row instead of written out as text, joined and hashed: the text conversions were
   * most of a checksum pass's cost. It must change whenever one field changes, and be no linear function of the
   * fields' own hashes (the window checksum is a sum over rows, so a linear one could not see values swapped
   * between rows). Absent: hash60 of the joined text.
   */
  typedRowHash60?(fields: readonly TypedField[]): string;
  /**
   * The engine's own checksum of a set of rows (Snowflake's HASH_AGG), for verify's fast pass in place of
   * summing each row's hash60: one aggregate over the normalized columns, order-independent, NULL-aware, a
   * signed 64-bit integer read as exact text. It need not add up across groups: verify groups it by day and by
   * whether the key is NULL (so rows without a key stay out of it), and adds the days of a window as integers.
   * Absent: the fast pass sums hash60 (every engine can, exactly).
   */
  readonly rowSetChecksum?: { aggregate(fields: string[]): string; describe: string };
  /** A timestamp or date as integer microseconds since 1970-01-01 UTC (a naive timestamp is read as UTC). */
  epochMicros(expr: string): string;
  /** A timestamp or date as whole UTC days since 1970-01-01 (negative before): the day a row falls in. */
  epochDay(expr: string): string;
  concat(parts: string[]): string;
  /** A value as text that no two different values tie on when sorted (MySQL's default collation ignores case). */
  exactOrderText(expr: string): string;
  /**
   * A JSON document (json, jsonb, or text holding one) as the engine's canonical text, so equal documents
   * spelled differently (spacing, key order) hash equal; absent where the engine has no canonical form.
   */
  canonicalJson?(expr: string): string;
  /**
   * True where a number is NaN or ±infinity, which a float column can hold and no DECIMAL can: verify writes such a
   * value as its text instead of casting it (the cast fails on PostgreSQL (infinities), DuckDB, Snowflake and
   * BigQuery). Absent where a float cannot hold one (MySQL/MariaDB).
   */
  nonFinite?(expr: string): string;
  /** A binary value as text, where the text cast fails on bytes that are not valid UTF-8 (BigQuery's BYTES); else the cast serves. */
  binaryText?(expr: string): string;
  textType: string;
  /**
   * An exact decimal type with 38 digits and `scale` of them after the point, for verify's normalized numbers and
   * metric sums; absent: DECIMAL(38,scale). BigQuery's NUMERIC keeps at most 29 digits before the point.
   */
  decimalType?(scale: number): string;
  /** Does a column of this type hold a zoned instant (so window bounds must be zoned literals)? */
  isZonedTimestamp(type: string): boolean;
  /** Case-insensitive comparison of type names as the engine reports them. */
  sameType(a: string, b: string): boolean;

  connect(connection: ConnectionSpec, options: ConnectOptions): Promise<Connection>;
  /**
   * Facts about the server that change the SQL (PostgreSQL: whether it has
   * MERGE), read once per session. Plain data, so a catalog (--catalog) can
   * record them and a DBA can write them by hand.
   */
  serverTraits?(conn: Connection): Promise<ServerTraits>;
  /** The dialect as a server with these traits speaks it (e.g. PostgreSQL 14 has no MERGE). */
  withTraits?(traits: ServerTraits): Dialect;
  /** GRANT statements that recreate the privileges others hold on a view (kept across DROP + CREATE). */
  viewGrants?(conn: Connection, ref: TableRef): Promise<string[]>;
  /**
   * The objects that read a table (views, materialized views) or reference it (foreign keys), as the engine
   * records them: what renaming or dropping it would break. Absent where the engine cannot say.
   */
  dependents?(conn: Connection, ref: Required<TableRef>): Promise<Dependent[]>;
  /** Session-level lock for one operator at a time; absent where the engine has none (DuckDB's file lock serves). */
  readonly operatorLock?: OperatorLockSql;
  /** Where the engine has no advisory lock but several processes may write (Snowflake): lock rows kept in the state schema (its quoted name). */
  operatorLockIn?(stateSchema: string): OperatorLockSql;
  /** The source's load signal; absent where there is none to read (DuckDB). */
  readonly loadSignal?: LoadSignal;
  /**
   * Words between a view's name and AS when Theseus (re)creates it: Snowflake's COPY GRANTS, without which
   * CREATE OR REPLACE VIEW drops every privilege granted on the view (readers would lose it at each stitch,
   * cutover and rollback). Absent: none.
   */
  readonly viewOptions?: string;
  introspect(conn: Connection, ref: TableRef): Promise<TableInfo | undefined>;
  /** Does the schema exist (so read-only reads of the ledger can tell "not started" from an error)? */
  schemaExists(conn: Connection, schema: string): Promise<boolean>;
  /**
   * Where slices upsert through a unique index on the key: can a unique index
   * on a key column of this type serve lookups by key? Undefined when it can
   * (absent: always); otherwise why not, and the statement that makes the
   * column indexable. Without it every slice would scan the whole target.
   */
  unindexableKey?(column: ColumnInfo, target: TableRef): UnindexableKey | undefined;
}

/** A compared column's normalized value for typedRowHash60: microseconds (an integer), a decimal at its scale, or text. */
export interface TypedField {
  expr: string;
  type: 'micros' | 'decimal' | 'text';
}

/** An object that reads or references a table (Dialect.dependents). */
export interface Dependent {
  kind: 'view' | 'materialized view' | 'foreign key';
  /** Its qualified name as the engine stores it; a foreign key names the table that holds it. */
  name: string;
  /** Who owns it (PostgreSQL's owner, MySQL/MariaDB's DEFINER), where the engine records one. */
  owner?: string;
}
