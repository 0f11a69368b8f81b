import type { Connection, Dialect, ServerTraits, TableInfo } from '../../dialects/types';
import type { TableConfig, TableRef } from '../config/types';
import { type LegacyProfile, profileLegacy } from '../backfill/profile';
import { type DltDataset, readDltDataset } from '../dlt/dataset';
import { readTableIdentity, readTableState, readUndoWindows, readValidations, type TableState, type UndoWindowRecord, type ValidationRecord } from '../ledger/reads';
import type { TableIdentity } from '../ledger/identity';
import type { TableContext } from '../plan/tableContext';
import type { PlanningReads } from './planningReads';
import { introspectRelation } from './catalogSnapshot';

/** Planning reads from the engine itself: today's queries, behind the seam. */
export class LiveReads implements PlanningReads {
  constructor(
    readonly conn: Connection,
    readonly dialect: Dialect,
    readonly traits: ServerTraits,
    private readonly stateSchema: string,
  ) {}

  introspect(ref: TableRef, _forTable?: string): Promise<TableInfo | undefined> {
    return introspectRelation(this.dialect, this.conn, ref);
  }

  async viewGrants(ref: TableRef): Promise<string[]> {
    return this.dialect.viewGrants ? this.dialect.viewGrants(this.conn, ref) : [];
  }

  /** Converts a fixed wall time in the zone: NULL (or an error) means the engine does not know the zone. */
  zoneKnown(_tableId: string, zone: string): Promise<boolean> {
    const d = this.dialect;
    const probe = d.wallTimeToInstant(d.timestampLiteral(new Date(Date.UTC(2024, 0, 1)), false), zone);
    return this.conn.query(`SELECT ${probe} AS probe`).then(
      (rows) => rows[0]?.probe !== null && rows[0]?.probe !== undefined,
      () => false,
    );
  }

  tableState(tableId: string): Promise<TableState> {
    return readTableState(this.conn, this.dialect, this.stateSchema, tableId);
  }

  tableIdentity(tableId: string): Promise<TableIdentity | undefined> {
    return readTableIdentity(this.conn, this.dialect, this.stateSchema, tableId);
  }

  validations(tableId: string): Promise<ValidationRecord[]> {
    return readValidations(this.conn, this.dialect, this.stateSchema, tableId);
  }

  undoWindows(tableId: string): Promise<UndoWindowRecord[]> {
    return readUndoWindows(this.conn, this.dialect, this.stateSchema, tableId);
  }

  dltDataset(table: TableConfig, target: TableRef): Promise<DltDataset> {
    return readDltDataset(this.conn, this.dialect, table, target);
  }

  legacyProfile(ctx: TableContext): Promise<LegacyProfile> {
    return profileLegacy(this.conn, ctx);
  }

  dataCheck<T>(_tableId: string, _what: string, check: (conn: Connection) => Promise<T>): Promise<T> {
    return check(this.conn);
  }

  notChecked(): ReadonlyMap<string, readonly string[]> {
    return new Map();
  }
}
