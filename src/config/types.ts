import type { ConnectionSpec } from '../../dialects/types';
import type { RawControls } from '../backfill/controls';
import type { VerifySettings } from '../verify/settings';

/** The validated shape of migrate.yaml. Names here are as the user wrote them. */

export interface TableRef {
  /** Schema (DuckDB/PostgreSQL), database (MySQL) or dataset (BigQuery); undefined = the connection's default. */
  schema?: string;
  name: string;
}

/** How one target column is fed from legacy: a legacy column, or an SQL expression the config author wrote. */
export interface ColumnOverride {
  from?: string;
  expr?: string;
  type?: string;
  /** The target's type is narrower than legacy's and the operator accepts that values change (verify then compares at the target's type). */
  allowNarrowing?: boolean;
}

/** Units of an integer epoch cursor: seconds, milliseconds or microseconds since 1970-01-01 UTC. */
export type CursorUnit = 's' | 'ms' | 'us';

export interface TableConfig {
  /** The name used in the config and in --table. */
  id: string;
  legacy: TableRef;
  target: TableRef;
  view: TableRef;
  /** Target column names forming the business key. */
  key: string[];
  /** Target column name whose time defines the windows; absent for a table sliced by its key alone (slice: key). */
  cursor?: string;
  /** Optional target column name: a target row is only overwritten by a source row at least as new. */
  updatedAt?: string;
  /**
   * The zone legacy's naive timestamps (and dates) are wall times in (IANA name, default UTC):
   * every conversion to an instant names it, so no reader's session zone moves a value.
   */
  legacyTimezone: string;
  /** Where the cursor is an integer: what it counts since 1970-01-01 UTC. */
  cursorUnit?: CursorUnit;
  /**
   * The operator's word that a row's cursor never changes once written (created_at, an event date): a key of a
   * window is then in the target only under that window's cursor, so each slice's MERGE matches the target within
   * the window alone, which lets an engine read only the window's partitions of a target partitioned or clustered
   * on the cursor (BigQuery bills by bytes read). The slice checks the word: a key found under another cursor rolls
   * it back (plan/backfill.ts).
   */
  cursorImmutable?: boolean;
  columns: Record<string, ColumnOverride>;
  /** The table's `dlt:` section: which dlt schema its loads are registered under (default: read from `_dlt_version`). */
  dlt: { schemaName?: string };
  /** The table's `verify:` section: metric sums, their tolerance, columns left out of the checksums. */
  verify: VerifySettings;
  /**
   * `staging`: backfill writes a staging table shaped like the target and leaves the target alone until `migrate
   * promote` moves it in, window by window (plan/staging.ts). Unset: direct, slices write the target.
   */
  strategy?: 'staging';
  /** Where the staging table is made (default: the state schema). */
  stagingSchema?: string;
}

export interface Config {
  /** Absolute path of the config file, for messages. */
  file: string;
  dialect: string;
  /** A path (DuckDB), a URL, or an object of driver settings; ${VAR} already interpolated. */
  connection: ConnectionSpec;
  stateSchema: string;
  tables: TableConfig[];
  /** The `backfill:` section: run controls (see backfill/controls.ts), validated when backfill resolves them. */
  backfill: RawControls;
  /** The `retire:` section. */
  retire: RetireSettings;
  /** The `cutover:` section. */
  cutover: CutoverSettings;
  /** The `log:` section: the audit log of the statements runs execute. */
  log: LogSettings;
  /** The section named after the dialect (`duckdb:`), where the engine has settings of its own; passed to its driver. */
  engineSettings: EngineSettings;
}

/** DuckDB's: `memory_limit` (e.g. "2GB"; default a quarter of the machine's memory) and `threads`. */
export type EngineSettings = Readonly<Record<string, string | number>>;

export interface LogSettings {
  /** Keep each statement's SQL text in the audit log (statement_log); false keeps the rest of each row. */
  keepSql: boolean;
}

export interface CutoverSettings {
  /** cutover refuses (NOT_APPROVED) until a reviewer approved the current validated state with verify --approve. */
  requireApproval: boolean;
}

export interface RetireSettings {
  /** Days the snapshot retire takes of legacy lives before the engine drops it (BigQuery's expiration_timestamp); unset: kept until --drop-snapshot. */
  snapshotDays?: number;
}
