import type { ServerTraits, TableInfo } from '../../dialects/types';
import type { TableRef } from '../config/types';
import type { LegacyProfile } from '../backfill/profile';
import type { DltTableHints } from '../dlt/tableHints';
import type { TableIdentity } from '../ledger/identity';
import type { SliceRecord, SliceStatus, TableState, UndoWindowRecord, ValidationRecord } from '../ledger/reads';
import { PHASES, type Phase } from '../lifecycle/phases';
import { usageError } from '../errors';

/**
 * The catalog file (--catalog FILE, written by `migrate catalog --out FILE`):
 * what planning reads, as plain JSON/YAML a DBA can also write by hand from
 * INFORMATION_SCHEMA. Keys are snake_case like the config's; tables are keyed
 * by their name as the config writes it (`schema.table`).
 *
 *   theseus_catalog: 1
 *   dialect: postgres
 *   server: { merge: true }                     # optional: the dialect's server traits
 *   tables:
 *     legacy_schema.orders:
 *       kind: table                             # or view
 *       columns: [{ name: id, type: integer, nullable: false }, …]
 *       unique_keys: [[id]]
 *     dw.all_orders: null                       # named by the config, does not exist (yet)
 *   state:          { orders: { phase: backfilling, slices: [{ window: 2023-01, status: done }] } }   # optional
 *   legacy_profile: { orders: { rows: 2000, null_cursor_rows: 0, null_key_rows: 0, first_day: 2023-01-01, last_day: 2023-12-31 } }
 *   dlt:            { orders: { loads_table: dlt_schema._dlt_loads, latest_load_id: '…', schema_name: erp, hints: { … } } }
 */
export const CATALOG_VERSION = 1;

export interface CatalogTable extends TableInfo {
  grants: string[];
}

export interface CatalogState {
  state: TableState;
  identity?: TableIdentity;
  validations: ValidationRecord[];
  /** What backfill runs changed, per window, for migrate undo (the ledger's undo_windows). */
  undo?: UndoWindowRecord[];
}

export interface CatalogDlt {
  loadsTable?: TableRef;
  latestLoadId?: string;
  schemaName?: string;
  versionHash?: string;
  hints?: DltTableHints;
}

export interface Catalog {
  /** For messages. */
  file: string;
  dialect: string;
  server: ServerTraits;
  /** By name as the config writes it; null: known not to exist. */
  tables: Map<string, CatalogTable | null>;
  zones: Map<string, boolean>;
  /** By the config's table id. */
  state: Map<string, CatalogState>;
  legacyProfile: Map<string, LegacyProfile>;
  dlt: Map<string, CatalogDlt>;
}

// ---------------------------------------------------------------- reading

type Obj = Record<string, unknown>;

/** Each value is checked where it is read; a mistake names its path in the file. */
class Reader {
  constructor(private readonly file: string) {}

  fail(path: string, what: string): never {
    throw usageError('CATALOG_INVALID', `${this.file}: ${path} ${what}`, 'fix the catalog (migrate catalog --out FILE writes one from a live connection; README, "Offline planning", shows the format)');
  }

  object(value: unknown, path: string, known: readonly string[]): Obj {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'must be a mapping');
    for (const key of Object.keys(value as Obj)) if (!known.includes(key)) this.fail(path, `has an unknown key "${key}" (known: ${known.join(', ')})`);
    return value as Obj;
  }

  map(value: unknown, path: string): Obj {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'must be a mapping');
    return value as Obj;
  }

  list(value: unknown, path: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, 'must be a list');
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value !== 'string' || value === '') this.fail(path, 'is missing or not a string');
    return value;
  }

  optString(value: unknown, path: string): string | undefined {
    return value === undefined ? undefined : this.string(value, path);
  }

  nullableString(value: unknown, path: string): string | null {
    return value === undefined || value === null ? null : this.string(value, path);
  }

  boolean(value: unknown, path: string, fallback?: boolean): boolean {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false');
    return value;
  }

  count(value: unknown, path: string): number | null {
    if (value === undefined || value === null) return null;
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) this.fail(path, 'must be a whole number ≥ 0');
    return n;
  }

  ref(value: unknown, path: string): TableRef {
    const parts = this.string(value, path).split('.');
    if (parts.length > 2 || parts.some((p) => p === '')) this.fail(path, 'must be a table name like schema.table');
    return parts.length === 2 ? { schema: parts[0], name: parts[1] } : { name: parts[0] };
  }

  day(value: unknown, path: string): Date | undefined {
    if (value === undefined || value === null) return undefined;
    const text = this.string(value instanceof Date ? value.toISOString().slice(0, 10) : value, path);
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
    if (!day || day.toISOString().slice(0, 10) !== text) this.fail(path, `is "${text}", not a day YYYY-MM-DD`);
    return day;
  }
}

const SLICE_STATUSES: readonly SliceStatus[] = ['pending', 'running', 'done', 'failed'];

/** Validates a parsed catalog file (YAML or JSON); `file` names it in errors. */
export function parseCatalog(raw: unknown, file: string): Catalog {
  const r = new Reader(file);
  const top = r.object(raw, 'the catalog', ['theseus_catalog', 'dialect', 'server', 'tables', 'zones', 'state', 'legacy_profile', 'dlt']);
  if (top.theseus_catalog !== CATALOG_VERSION) r.fail('theseus_catalog', `must be ${CATALOG_VERSION} (the format this version of Theseus reads)`);
  const server: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(r.map(top.server, 'server'))) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) r.fail(`server.${k}`, 'must be a string, number or boolean');
    server[k] = v as string | number | boolean;
  }
  const catalog: Catalog = {
    file,
    dialect: r.string(top.dialect, 'dialect'),
    server,
    tables: new Map(),
    zones: new Map(),
    state: new Map(),
    legacyProfile: new Map(),
    dlt: new Map(),
  };
  for (const [name, value] of Object.entries(r.map(top.tables, 'tables'))) catalog.tables.set(name, value === null ? null : readTable(r, value, name, `tables.${name}`));
  for (const [zone, known] of Object.entries(r.map(top.zones, 'zones'))) catalog.zones.set(zone, r.boolean(known, `zones.${zone}`));
  for (const [id, value] of Object.entries(r.map(top.state, 'state'))) catalog.state.set(id, readState(r, value, `state.${id}`));
  for (const [id, value] of Object.entries(r.map(top.legacy_profile, 'legacy_profile'))) catalog.legacyProfile.set(id, readProfile(r, value, `legacy_profile.${id}`));
  for (const [id, value] of Object.entries(r.map(top.dlt, 'dlt'))) catalog.dlt.set(id, readDlt(r, value, `dlt.${id}`));
  return catalog;
}

function readTable(r: Reader, value: unknown, name: string, path: string): CatalogTable {
  const t = r.object(value, path, ['ref', 'kind', 'columns', 'unique_keys', 'grants']);
  const kind = t.kind === undefined ? 'table' : r.string(t.kind, `${path}.kind`);
  if (kind !== 'table' && kind !== 'view') r.fail(`${path}.kind`, `is "${kind}": table or view`);
  const columns = r.list(t.columns, `${path}.columns`).map((c, i) => {
    const at = `${path}.columns[${i}]`;
    const col = r.object(c, at, ['name', 'type', 'nullable']);
    return { name: r.string(col.name, `${at}.name`), type: r.string(col.type, `${at}.type`), nullable: r.boolean(col.nullable, `${at}.nullable`, true) };
  });
  if (columns.length === 0) r.fail(`${path}.columns`, 'must list the columns (name, type, nullable)');
  const names = new Set(columns.map((c) => c.name));
  const uniqueKeys = r.list(t.unique_keys, `${path}.unique_keys`).map((k, i) =>
    r.list(k, `${path}.unique_keys[${i}]`).map((c, j) => {
      const column = r.string(c, `${path}.unique_keys[${i}][${j}]`);
      if (!names.has(column)) r.fail(`${path}.unique_keys[${i}][${j}]`, `names ${column}, which is not among the columns`);
      return column;
    }),
  );
  return {
    ref: t.ref === undefined ? r.ref(name, path) : r.ref(t.ref, `${path}.ref`),
    kind,
    columns,
    uniqueKeys,
    grants: r.list(t.grants, `${path}.grants`).map((g, i) => r.string(g, `${path}.grants[${i}]`)),
  };
}

function readState(r: Reader, value: unknown, path: string): CatalogState {
  const s = r.object(value, path, ['phase', 'archive_name', 'archive_drop_requested', 'snapshots', 'identity', 'slices', 'validations', 'undo']);
  const phase = s.phase === undefined ? 'new' : r.string(s.phase, `${path}.phase`);
  if (!(PHASES as readonly string[]).includes(phase)) r.fail(`${path}.phase`, `is "${phase}": one of ${PHASES.join(', ')}`);
  let identity: TableIdentity | undefined;
  if (s.identity !== undefined && s.identity !== null) {
    const i = r.object(s.identity, `${path}.identity`, ['legacy', 'target']);
    identity = { legacy: r.string(i.legacy, `${path}.identity.legacy`), target: r.string(i.target, `${path}.identity.target`) };
  }
  const slices: SliceRecord[] = r.list(s.slices, `${path}.slices`).map((x, i) => {
    const at = `${path}.slices[${i}]`;
    const o = r.object(x, at, ['window', 'status', 'legacy_rows', 'rows_inserted', 'rows_updated', 'run_id', 'error', 'started_at', 'ended_at']);
    const status = r.string(o.status, `${at}.status`);
    if (!(SLICE_STATUSES as readonly string[]).includes(status)) r.fail(`${at}.status`, `is "${status}": one of ${SLICE_STATUSES.join(', ')}`);
    return {
      windowKey: r.string(o.window, `${at}.window`),
      status: status as SliceStatus,
      legacyRows: r.count(o.legacy_rows, `${at}.legacy_rows`),
      rowsInserted: r.count(o.rows_inserted, `${at}.rows_inserted`),
      rowsUpdated: r.count(o.rows_updated, `${at}.rows_updated`),
      runId: r.nullableString(o.run_id, `${at}.run_id`),
      error: r.nullableString(o.error, `${at}.error`),
      startedAt: r.nullableString(o.started_at, `${at}.started_at`),
      endedAt: r.nullableString(o.ended_at, `${at}.ended_at`),
    };
  });
  const validations: ValidationRecord[] = r.list(s.validations, `${path}.validations`).map((x, i) => {
    const at = `${path}.validations[${i}]`;
    const o = r.object(x, at, ['window', 'status']);
    const status = r.string(o.status, `${at}.status`);
    if (status !== 'validated' && status !== 'failed') r.fail(`${at}.status`, `is "${status}": validated or failed`);
    return { windowKey: r.string(o.window, `${at}.window`), status, legacyRows: null, targetRows: null, legacyChecksum: null, targetChecksum: null, sums: null, failures: null, runId: null, checkedAt: null };
  });
  const undo: UndoWindowRecord[] = r.list(s.undo, `${path}.undo`).map((x, i) => {
    const at = `${path}.undo[${i}]`;
    const o = r.object(x, at, ['window', 'run_id', 'load_id', 'fresh', 'rows_inserted', 'rows_updated', 'recorded_at', 'undone_at', 'undone_by', 'kept_rows', 'pruned_at']);
    return {
      windowKey: r.string(o.window, `${at}.window`),
      runId: r.string(o.run_id, `${at}.run_id`),
      loadId: r.nullableString(o.load_id, `${at}.load_id`),
      fresh: r.boolean(o.fresh, `${at}.fresh`, false),
      rowsInserted: r.count(o.rows_inserted, `${at}.rows_inserted`) ?? 0,
      rowsUpdated: r.count(o.rows_updated, `${at}.rows_updated`) ?? 0,
      recordedAt: r.nullableString(o.recorded_at, `${at}.recorded_at`),
      undoneAt: r.nullableString(o.undone_at, `${at}.undone_at`),
      undoneBy: r.nullableString(o.undone_by, `${at}.undone_by`),
      keptRows: r.count(o.kept_rows, `${at}.kept_rows`),
      prunedAt: r.nullableString(o.pruned_at, `${at}.pruned_at`),
    };
  });
  const archiveName = r.nullableString(s.archive_name, `${path}.archive_name`);
  return {
    state: {
      phase: phase as Phase,
      archiveName,
      archiveDropRequested: archiveName !== null && r.boolean(s.archive_drop_requested, `${path}.archive_drop_requested`, false),
      snapshots: r.list(s.snapshots, `${path}.snapshots`).map((x, i) => r.string(x, `${path}.snapshots[${i}]`)),
      slices,
    },
    identity,
    validations,
    ...(undo.length ? { undo } : {}),
  };
}

function readProfile(r: Reader, value: unknown, path: string): LegacyProfile {
  const p = r.object(value, path, ['rows', 'null_cursor_rows', 'null_key_rows', 'deleted_rows', 'max_cursor', 'first_day', 'last_day']);
  const firstDay = r.day(p.first_day, `${path}.first_day`);
  const lastDay = r.day(p.last_day, `${path}.last_day`);
  if ((firstDay === undefined) !== (lastDay === undefined)) r.fail(path, 'needs both first_day and last_day, or neither (no row has a cursor)');
  if (firstDay && lastDay && firstDay > lastDay) r.fail(`${path}.last_day`, 'is before first_day');
  return {
    totalRows: r.count(p.rows, `${path}.rows`) ?? r.fail(`${path}.rows`, 'is missing'),
    nullCursorRows: r.count(p.null_cursor_rows, `${path}.null_cursor_rows`) ?? 0,
    nullKeyRows: r.count(p.null_key_rows, `${path}.null_key_rows`) ?? 0,
    // Rows carrying dlt's hard-delete flag, where it applies; the latest cursor as the engine printed it.
    deletedRows: r.count(p.deleted_rows, `${path}.deleted_rows`) ?? undefined,
    maxCursor: r.optString(p.max_cursor ?? undefined, `${path}.max_cursor`),
    firstDay,
    lastDay,
  };
}

function readDlt(r: Reader, value: unknown, path: string): CatalogDlt {
  const d = r.object(value, path, ['loads_table', 'latest_load_id', 'schema_name', 'version_hash', 'hints']);
  const dlt: CatalogDlt = {
    loadsTable: d.loads_table === undefined || d.loads_table === null ? undefined : r.ref(d.loads_table, `${path}.loads_table`),
    // Text, not a number: a float would lose the id's trailing digits.
    latestLoadId: d.latest_load_id === undefined || d.latest_load_id === null ? undefined : typeof d.latest_load_id === 'string' ? d.latest_load_id : r.fail(`${path}.latest_load_id`, "must be quoted text, e.g. '1732262400.250000'"),
    schemaName: r.optString(d.schema_name ?? undefined, `${path}.schema_name`),
    versionHash: r.optString(d.version_hash ?? undefined, `${path}.version_hash`),
  };
  if (dlt.latestLoadId !== undefined && !/^\d+(\.\d+)?$/.test(dlt.latestLoadId)) r.fail(`${path}.latest_load_id`, `is "${dlt.latestLoadId}": a dlt load id (epoch seconds)`);
  if (d.hints !== undefined && d.hints !== null) dlt.hints = readHints(r, d.hints, `${path}.hints`);
  return dlt;
}

function readHints(r: Reader, value: unknown, path: string): DltTableHints {
  const h = r.object(value, path, ['table', 'write_disposition', 'merge_strategy', 'primary_key', 'merge_key', 'hard_delete', 'hard_delete_type', 'scd2', 'children']);
  const names = (v: unknown, at: string) => r.list(v, at).map((x, i) => r.string(x, `${at}[${i}]`));
  const hints: DltTableHints = {
    table: r.string(h.table, `${path}.table`),
    writeDisposition: r.optString(h.write_disposition, `${path}.write_disposition`),
    mergeStrategy: r.optString(h.merge_strategy, `${path}.merge_strategy`),
    primaryKey: names(h.primary_key, `${path}.primary_key`),
    mergeKey: names(h.merge_key, `${path}.merge_key`),
    hardDelete: r.optString(h.hard_delete, `${path}.hard_delete`),
    hardDeleteType: r.optString(h.hard_delete_type, `${path}.hard_delete_type`),
    scd2: undefined,
    children: names(h.children, `${path}.children`),
  };
  if (h.scd2 !== undefined && h.scd2 !== null) {
    const at = `${path}.scd2`;
    const s = r.object(h.scd2, at, ['valid_from', 'valid_to', 'row_version', 'active_record_timestamp']);
    hints.scd2 = {
      validFrom: r.optString(s.valid_from, `${at}.valid_from`),
      validTo: r.optString(s.valid_to, `${at}.valid_to`),
      rowVersion: r.optString(s.row_version, `${at}.row_version`),
      // null: the active marker is NULL; absent: no valid_to column.
      activeRecordTimestamp: s.active_record_timestamp === undefined ? undefined : r.nullableString(s.active_record_timestamp, `${at}.active_record_timestamp`),
    };
  }
  return hints;
}
