import type { Connection, Dialect, ServerTraits, TableInfo } from '../../dialects/types';
import type { Config, TableConfig, TableRef } from '../config/types';
import { formatTableRef } from '../config/tableRef';
import type { LegacyProfile } from '../backfill/profile';
import type { DltDataset } from '../dlt/dataset';
import type { TableIdentity } from '../ledger/identity';
import type { TableState, UndoWindowRecord, ValidationRecord } from '../ledger/reads';
import type { TableContext } from '../plan/tableContext';
import type { PlanningReads } from '../reads/planningReads';
import { usageError } from '../errors';
import type { Catalog, CatalogTable } from './format';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Planning reads answered from a catalog file: no connection. What only the
 * data could tell (dataCheck) is skipped and named, never passed silently.
 */
export class CatalogReads implements PlanningReads {
  private readonly skipped = new Map<string, string[]>();
  readonly traits: ServerTraits;

  constructor(
    private readonly catalog: Catalog,
    readonly dialect: Dialect,
    private readonly config: Config,
  ) {
    this.traits = catalog.server;
  }

  private note(tableId: string, what: string): void {
    const list = this.skipped.get(tableId) ?? [];
    if (!list.includes(what)) list.push(what);
    this.skipped.set(tableId, list);
  }

  /** The entry under the name as written (else the one name that matches it regardless of case). */
  private entry(ref: TableRef): CatalogTable | null | undefined {
    const name = formatTableRef(ref);
    if (this.catalog.tables.has(name)) return this.catalog.tables.get(name);
    const matches = [...this.catalog.tables.keys()].filter((k) => same(k, name));
    return matches.length === 1 ? this.catalog.tables.get(matches[0]) : undefined;
  }

  async introspect(ref: TableRef, forTable?: string): Promise<TableInfo | undefined> {
    const found = this.entry(ref);
    if (found === undefined) {
      // A table the config names must be described (or written as null: it does not exist); other names
      // (an archive, a derived name) the snapshot did not see are taken as absent, and that is said.
      const name = formatTableRef(ref);
      const named = this.config.tables.flatMap((t) => [t.legacy, t.target, t.view].map((r) => [t.id, formatTableRef(r)] as const)).find(([, n]) => same(n, name));
      if (named) {
        throw usageError('CATALOG_MISSING_TABLE', `${this.catalog.file}: tables holds no entry for ${name} (named by tables.${named[0]} in ${this.config.file})`, `describe it under tables."${name}" (kind, columns, unique_keys), or write ${name}: null if it does not exist; migrate catalog --out FILE writes every table a config names`);
      }
      if (forTable) this.note(forTable, `that no table ${name} exists (the catalog does not list it)`);
      return undefined;
    }
    if (found === null) return undefined;
    const { grants: _grants, ...info } = found;
    return structuredClone(info);
  }

  async viewGrants(ref: TableRef): Promise<string[]> {
    const name = formatTableRef(ref);
    const found = [...this.catalog.tables.values()].find((t) => t !== null && formatTableRef(t.ref) === name);
    return [...(found?.grants ?? [])];
  }

  async zoneKnown(tableId: string, zone: string): Promise<boolean> {
    const known = this.catalog.zones.get(zone);
    if (known !== undefined) return known;
    this.note(tableId, `that ${this.dialect.name} knows legacy_timezone ${zone} (no zones.${zone} in the catalog)`);
    return true;
  }

  async tableState(tableId: string): Promise<TableState> {
    const state = this.catalog.state.get(tableId)?.state;
    return state ? structuredClone(state) : { phase: 'new', archiveName: null, archiveDropRequested: false, snapshots: [], slices: [] };
  }

  async tableIdentity(tableId: string): Promise<TableIdentity | undefined> {
    const identity = this.catalog.state.get(tableId)?.identity;
    return identity && { ...identity };
  }

  async validations(tableId: string): Promise<ValidationRecord[]> {
    return structuredClone(this.catalog.state.get(tableId)?.validations ?? []);
  }

  async undoWindows(tableId: string): Promise<UndoWindowRecord[]> {
    return structuredClone(this.catalog.state.get(tableId)?.undo ?? []);
  }

  async dltDataset(table: TableConfig, _target: TableRef): Promise<DltDataset> {
    const d = this.catalog.dlt.get(table.id);
    if (!d) {
      this.note(table.id, `the dlt dataset beside the target (no dlt.${table.id} in the catalog: planned as if it had no _dlt_loads or _dlt_version)`);
      return { loadIds: [] };
    }
    const dataset: DltDataset = {
      loadIds: d.latestLoadId === undefined ? [] : [d.latestLoadId],
      schemaName: d.schemaName,
      versionHash: d.versionHash,
      hints: d.hints && structuredClone(d.hints),
    };
    if (d.loadsTable) dataset.loads = { ref: { ...d.loadsTable }, q: this.dialect.qualify(d.loadsTable) };
    if (dataset.loads && dataset.schemaName === undefined && table.dlt.schemaName !== undefined) dataset.schemaName = table.dlt.schemaName;
    return dataset;
  }

  async legacyProfile(ctx: TableContext): Promise<LegacyProfile> {
    const profile = this.catalog.legacyProfile.get(ctx.table.id);
    if (!profile) {
      throw usageError(
        'CATALOG_INCOMPLETE',
        `${this.catalog.file}: legacy_profile.${ctx.table.id} is missing, and this command computes its windows from legacy's rows`,
        `add legacy_profile.${ctx.table.id} (rows, null_cursor_rows, null_key_rows, first_day, last_day: legacy's first and last cursor day, UTC), or write the catalog again with migrate catalog --out FILE`,
      );
    }
    return { ...profile };
  }

  async dataCheck<T>(tableId: string, what: string, _check: (conn: Connection) => Promise<T>): Promise<T | undefined> {
    this.note(tableId, what);
    return undefined;
  }

  notChecked(): ReadonlyMap<string, readonly string[]> {
    return this.skipped;
  }
}
