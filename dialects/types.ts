import type { TableRef } from '../src/config/types';

/** A value bound to a statement parameter (bookkeeping only; migration SQL renders literals). */
export type SqlValue = string | number | boolean | null;
export type Row = Record<string, unknown>;

/** The only thing the core knows about a driver. */
export interface Connection {
  /** Runs a statement that returns rows. */
  query(sql: string, params?: SqlValue[]): Promise<Row[]>;
  /** Runs a statement and returns the number of rows it changed (0 for DDL). */
  execute(sql: string, params?: SqlValue[]): Promise<number>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Dry runs and status open the database read-only, so they cannot change it. */
  readOnly: boolean;
}

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

export interface Capabilities {
  /** MERGE INTO … USING … exists. */
  merge: boolean;
  /** DDL can be rolled back with the transaction around it. */
  transactionalDdl: boolean;
  /** The engine offers a session-level advisory lock. */
  advisoryLock: boolean;
}

/** Type names the state schema (ledger) uses. */
export interface StateTypes {
  text: string;
  bigint: string;
  timestamp: string;
}

/**
 * Everything engine-specific. The planners call these hooks and never branch on
 * the dialect's name; SQL shapes come from templates/<templateDir>/ with
 * templates/_default/ as the fallback.
 */
export interface Dialect {
  readonly name: string;
  readonly templateDir: string;
  readonly capabilities: Capabilities;
  readonly stateTypes: StateTypes;

  quoteIdent(name: string): string;
  qualify(ref: TableRef): string;
  stringLiteral(value: string): string;
  /** A UTC instant as a literal of the cursor's kind (zoned or not). */
  timestampLiteral(utc: Date, zoned: boolean): string;
  /** The n-th (1-based) bound parameter. */
  placeholder(index: number): string;
  /** The current time as the engine writes it (for ledger timestamps). */
  readonly now: string;

  cast(expr: string, type: string): string;
  isDistinct(a: string, b: string): string;
  md5Hex(expr: string): string;
  concat(parts: string[]): string;
  textType: string;
  /** Does a column of this type hold a zoned instant (so window bounds must be zoned literals)? */
  isZonedTimestamp(type: string): boolean;
  /** Case-insensitive comparison of type names as the engine reports them. */
  sameType(a: string, b: string): boolean;

  connect(connection: string, options: ConnectOptions): Promise<Connection>;
  introspect(conn: Connection, ref: TableRef): Promise<TableInfo | undefined>;
  /** Does the schema exist (so read-only reads of the ledger can tell "not started" from an error)? */
  schemaExists(conn: Connection, schema: string): Promise<boolean>;
}
