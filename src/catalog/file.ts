import * as path from 'node:path';
import YAML from 'yaml';
import { formatTableRef } from '../config/tableRef';
import { readYamlFile } from '../config/yamlFile';
import { CATALOG_VERSION, type Catalog, type CatalogDlt, parseCatalog } from './format';

/** Reads and validates a catalog file (YAML, or JSON which YAML also reads), as loadConfig does for the config. */
export function readCatalogFile(file: string): Catalog {
  const { absolute, raw } = readYamlFile(file, {
    what: 'catalog file',
    unreadable: 'CATALOG_UNREADABLE',
    invalid: 'CATALOG_INVALID',
    missingHint: 'write one with `migrate catalog --out FILE` on a machine with a connection, or by hand (README, "Offline planning")',
  });
  return parseCatalog(raw, path.basename(absolute));
}

/** Drops what is absent, so the file shows what is there. */
const present = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

/** The catalog as the file holds it: snake_case, names as `schema.table`, nulls left out (but a table known not to exist). */
export function catalogDocument(c: Catalog): Record<string, unknown> {
  const byName = <T>(m: Map<string, T>, f: (v: T) => unknown) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, f(v)]));
  return present({
    theseus_catalog: CATALOG_VERSION,
    dialect: c.dialect,
    server: Object.keys(c.server).length ? c.server : undefined,
    tables: byName(c.tables, (t) =>
      t === null
        ? null
        : present({
            ref: formatTableRef(t.ref),
            kind: t.kind,
            columns: t.columns.map((col) => ({ name: col.name, type: col.type, nullable: col.nullable })),
            unique_keys: t.uniqueKeys,
            grants: t.grants.length ? t.grants : undefined,
          }),
    ),
    zones: c.zones.size ? byName(c.zones, (k) => k) : undefined,
    state: byName(c.state, (s) =>
      present({
        phase: s.state.phase,
        archive_name: s.state.archiveName,
        archive_drop_requested: s.state.archiveDropRequested || undefined,
        snapshots: s.state.snapshots.length ? s.state.snapshots : undefined,
        identity: s.identity,
        slices: s.state.slices.map((x) =>
          present({
            window: x.windowKey,
            status: x.status,
            legacy_rows: x.legacyRows,
            rows_inserted: x.rowsInserted,
            rows_updated: x.rowsUpdated,
            run_id: x.runId,
            error: x.error,
            started_at: x.startedAt,
            ended_at: x.endedAt,
          }),
        ),
        validations: s.validations.map((v) => ({ window: v.windowKey, status: v.status })),
        undo: s.undo?.length
          ? s.undo.map((u) =>
              present({
                window: u.windowKey,
                run_id: u.runId,
                load_id: u.loadId,
                fresh: u.fresh || undefined,
                rows_inserted: u.rowsInserted,
                rows_updated: u.rowsUpdated,
                recorded_at: u.recordedAt,
                undone_at: u.undoneAt,
                undone_by: u.undoneBy,
                kept_rows: u.keptRows,
                pruned_at: u.prunedAt,
              }),
            )
          : undefined,
      }),
    ),
    legacy_profile: byName(c.legacyProfile, (p) =>
      present({
        rows: p.totalRows,
        null_cursor_rows: p.nullCursorRows,
        null_key_rows: p.nullKeyRows,
        deleted_rows: p.deletedRows,
        max_cursor: p.maxCursor,
        first_day: p.firstDay?.toISOString().slice(0, 10),
        last_day: p.lastDay?.toISOString().slice(0, 10),
      }),
    ),
    dlt: byName(c.dlt, dltDocument),
  });
}

function dltDocument(d: CatalogDlt): Record<string, unknown> {
  const h = d.hints;
  return present({
    loads_table: d.loadsTable && formatTableRef(d.loadsTable),
    latest_load_id: d.latestLoadId,
    schema_name: d.schemaName,
    version_hash: d.versionHash,
    hints:
      h &&
      present({
        table: h.table,
        write_disposition: h.writeDisposition,
        merge_strategy: h.mergeStrategy,
        primary_key: h.primaryKey,
        merge_key: h.mergeKey,
        hard_delete: h.hardDelete,
        hard_delete_type: h.hardDeleteType,
        // active_record_timestamp null is meaningful (the active marker is NULL), so it is kept.
        scd2: h.scd2 && { ...present({ valid_from: h.scd2.validFrom, valid_to: h.scd2.validTo, row_version: h.scd2.rowVersion }), ...(h.scd2.activeRecordTimestamp !== undefined ? { active_record_timestamp: h.scd2.activeRecordTimestamp } : {}) },
        children: h.children,
      }),
  });
}

/** JSON for a .json file, YAML otherwise. */
export function formatCatalog(c: Catalog, file: string): string {
  const doc = catalogDocument(c);
  return /\.json$/i.test(file) ? `${readableJson(doc, '')}\n` : readableYaml(doc);
}

/** YAML with short mappings and lists in flow style (`- { name: id, type: bigint, nullable: false }`). */
function readableYaml(doc: unknown): string {
  const d = new YAML.Document(doc);
  const short = (node: YAML.YAMLMap | YAML.YAMLSeq) => {
    if (JSON.stringify(node.toJSON()).length <= 80) node.flow = true;
  };
  YAML.visit(d, { Map: (_, node) => short(node), Seq: (_, node) => short(node) });
  return d.toString();
}

/** Indented JSON with short lists and mappings on one line (a column per line), for a DBA to read and edit. */
function readableJson(value: unknown, indent: string): string {
  const flat = JSON.stringify(value);
  if (value === null || typeof value !== 'object' || flat.length <= 100) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + readableJson(v, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${readableJson(v, inner)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}
