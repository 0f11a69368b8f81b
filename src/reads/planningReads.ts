import type { Connection, Dialect, ServerTraits, TableInfo } from '../../dialects/types';
import type { TableConfig, TableRef } from '../config/types';
import type { LegacyProfile } from '../backfill/profile';
import type { DltDataset } from '../dlt/dataset';
import type { TableIdentity } from '../ledger/identity';
import type { TableState, UndoWindowRecord, ValidationRecord } from '../ledger/reads';
import type { TableContext } from '../plan/tableContext';

/**
 * Everything a command consults to make its plan: the seam between planning
 * and the warehouse. The live implementation (liveReads.ts) asks the engine;
 * the catalog implementation (src/catalog/catalogReads.ts) answers from a
 * snapshot file (--catalog), so a dry run needs no connection at all, and
 * `migrate catalog` writes that snapshot by recording what the live one
 * answered. A plan made from either is the same plan.
 */
export interface PlanningReads {
  /** The dialect as this server speaks it (see Dialect.withTraits). */
  readonly dialect: Dialect;
  /** The server's traits the dialect was chosen by (recorded in a catalog). */
  readonly traits: ServerTraits;
  /**
   * A table or view as the engine stores it; undefined where there is none. `forTable` names the config
   * table a derived name (an archive) is asked for, so a catalog that does not hold it can say so.
   */
  introspect(ref: TableRef, forTable?: string): Promise<TableInfo | undefined>;
  /** GRANT statements that recreate the privileges others hold on a view. */
  viewGrants(ref: TableRef): Promise<string[]>;
  /** Does the engine know this IANA zone (MySQL/MariaDB: are its time zone tables loaded)? */
  zoneKnown(tableId: string, zone: string): Promise<boolean>;
  /** A table's phase and slices in the ledger ("new" before the state schema exists). */
  tableState(tableId: string): Promise<TableState>;
  /** The legacy and target tables the ledger has for a table id. */
  tableIdentity(tableId: string): Promise<TableIdentity | undefined>;
  /** The validation marks cutover is gated on. */
  validations(tableId: string): Promise<ValidationRecord[]>;
  /** What each backfill run changed per window, for migrate undo (undo_windows). */
  undoWindows(tableId: string): Promise<UndoWindowRecord[]>;
  /** The dlt dataset beside the target: load ids, the dlt schema and its hints for the target. */
  dltDataset(table: TableConfig, target: TableRef): Promise<DltDataset>;
  /** Legacy's rows, NULL keys and cursors, and cursor range: what the windows are computed from. */
  legacyProfile(ctx: TableContext): Promise<LegacyProfile>;
  /**
   * A safety check that reads the data itself (narrowing probes, _dlt_id clashes, duplicate keys…): run on the
   * live engine; from a catalog it cannot run, so it is skipped (undefined) and named in notChecked().
   */
  dataCheck<T>(tableId: string, what: string, check: (conn: Connection) => Promise<T>): Promise<T | undefined>;
  /** What this session could not check, per table id (live: nothing). */
  notChecked(): ReadonlyMap<string, readonly string[]>;
}
