import type { Connection, Dialect, ServerTraits, TableInfo } from '../../dialects/types';
import type { TableConfig, TableRef } from '../config/types';
import { formatTableRef } from '../config/tableRef';
import type { LegacyProfile } from '../backfill/profile';
import type { DltDataset } from '../dlt/dataset';
import { latestLoadId } from '../dlt/loadId';
import type { TableIdentity } from '../ledger/identity';
import type { TableState, UndoWindowRecord, ValidationRecord } from '../ledger/reads';
import type { TableContext } from '../plan/tableContext';
import type { PlanningReads } from '../reads/planningReads';
import type { Catalog, CatalogState } from './format';

/**
 * The live reads, with every answer kept: `migrate catalog` plans through it
 * and writes down what planning consulted, so the catalog holds exactly what
 * a dry run reads.
 */
export class RecordingReads implements PlanningReads {
  readonly catalog: Catalog;

  constructor(private readonly live: PlanningReads, file: string) {
    this.catalog = { file, dialect: live.dialect.name, server: live.traits, tables: new Map(), zones: new Map(), state: new Map(), legacyProfile: new Map(), dlt: new Map() };
  }

  get dialect(): Dialect {
    return this.live.dialect;
  }

  get traits(): ServerTraits {
    return this.live.traits;
  }

  private stateOf(tableId: string): CatalogState {
    let s = this.catalog.state.get(tableId);
    if (!s) {
      s = { state: { phase: 'new', archiveName: null, archiveDropRequested: false, snapshots: [], slices: [] }, validations: [] };
      this.catalog.state.set(tableId, s);
    }
    return s;
  }

  async introspect(ref: TableRef, forTable?: string): Promise<TableInfo | undefined> {
    const info = await this.live.introspect(ref, forTable);
    const name = formatTableRef(ref);
    const grants = this.catalog.tables.get(name)?.grants ?? [];
    this.catalog.tables.set(name, info ? { ...structuredClone(info), grants } : null);
    return info;
  }

  async viewGrants(ref: TableRef): Promise<string[]> {
    const grants = await this.live.viewGrants(ref);
    for (const t of this.catalog.tables.values()) if (t && formatTableRef(t.ref) === formatTableRef(ref)) t.grants = [...grants];
    return grants;
  }

  async zoneKnown(tableId: string, zone: string): Promise<boolean> {
    const known = await this.live.zoneKnown(tableId, zone);
    this.catalog.zones.set(zone, known);
    return known;
  }

  async tableState(tableId: string): Promise<TableState> {
    const state = await this.live.tableState(tableId);
    this.stateOf(tableId).state = structuredClone(state);
    return state;
  }

  async tableIdentity(tableId: string): Promise<TableIdentity | undefined> {
    const identity = await this.live.tableIdentity(tableId);
    this.stateOf(tableId).identity = identity && { ...identity };
    return identity;
  }

  async validations(tableId: string): Promise<ValidationRecord[]> {
    const marks = await this.live.validations(tableId);
    this.stateOf(tableId).validations = structuredClone(marks);
    return marks;
  }

  async undoWindows(tableId: string): Promise<UndoWindowRecord[]> {
    const records = await this.live.undoWindows(tableId);
    this.stateOf(tableId).undo = structuredClone(records);
    return records;
  }

  async dltDataset(table: TableConfig, target: TableRef): Promise<DltDataset> {
    const d = await this.live.dltDataset(table, target);
    // Planning uses the newest load id only (the run's ids come after it).
    const latest = latestLoadId(d.loadIds);
    this.catalog.dlt.set(table.id, { loadsTable: d.loads?.ref, latestLoadId: latest, schemaName: d.schemaName, versionHash: d.versionHash, hints: d.hints && structuredClone(d.hints) });
    return d;
  }

  async legacyProfile(ctx: TableContext): Promise<LegacyProfile> {
    const profile = await this.live.legacyProfile(ctx);
    this.catalog.legacyProfile.set(ctx.table.id, { ...profile });
    return profile;
  }

  dataCheck<T>(tableId: string, what: string, check: (conn: Connection) => Promise<T>): Promise<T | undefined> {
    return this.live.dataCheck(tableId, what, check);
  }

  notChecked(): ReadonlyMap<string, readonly string[]> {
    return this.live.notChecked();
  }
}
