import type { StoredSchema } from './storedSchema';

/**
 * What dlt's stored schema says about how the live pipeline loads the target
 * (dlt 1.26: table hints write_disposition and x-merge-strategy; column hints
 * primary_key, merge_key, hard_delete, x-valid-from, x-valid-to with
 * x-active-record-timestamp, x-row-version; nested tables name their parent).
 */
export interface DltTableHints {
  table: string;
  writeDisposition?: string;
  mergeStrategy?: string;
  primaryKey: string[];
  mergeKey: string[];
  hardDelete?: string;
  /** The stored schema's data_type of the hard_delete column ('bool', 'timestamp', …), where it says. */
  hardDeleteType?: string;
  scd2?: { validFrom?: string; validTo?: string; rowVersion?: string; activeRecordTimestamp?: string | null };
  /** Nested tables whose parent is the target (at any depth below it). */
  children: string[];
}

type Column = Record<string, unknown> & { name?: string };

/** The target table's hints, or undefined where the stored schema does not hold it. */
export function dltTableHints(schema: StoredSchema, tableName: string): DltTableHints | undefined {
  const entry = Object.entries(schema.tables).find(([name]) => name.toLowerCase() === tableName.toLowerCase());
  if (!entry) return undefined;
  const [name, table] = entry;
  const columns: Column[] = Object.entries((table.columns ?? {}) as Record<string, Column>).map(([key, c]) => ({ ...c, name: c.name ?? key }));
  const withHint = (hint: string) => columns.filter((c) => c[hint] !== undefined && c[hint] !== false && c[hint] !== null).map((c) => c.name!);
  // dlt takes the first column with the hint (get_first_column_name_with_prop).
  const hardDelete = columns.find((c) => withHint('hard_delete').includes(c.name!));
  const validTo = columns.find((c) => c['x-valid-to'] === true);
  const strategy = typeof table['x-merge-strategy'] === 'string' ? (table['x-merge-strategy'] as string) : undefined;
  const children: string[] = [];
  for (let added = [name]; added.length; ) {
    added = Object.entries(schema.tables).filter(([, t]) => typeof t.parent === 'string' && added.includes(t.parent)).map(([n]) => n);
    children.push(...added);
  }
  return {
    table: name,
    writeDisposition: typeof table.write_disposition === 'string' ? table.write_disposition : undefined,
    mergeStrategy: strategy,
    primaryKey: withHint('primary_key'),
    mergeKey: withHint('merge_key'),
    hardDelete: hardDelete?.name,
    hardDeleteType: typeof hardDelete?.data_type === 'string' ? hardDelete.data_type : undefined,
    scd2:
      strategy === 'scd2'
        ? {
            validFrom: withHint('x-valid-from')[0],
            validTo: validTo?.name,
            rowVersion: withHint('x-row-version')[0],
            activeRecordTimestamp: validTo ? ((validTo['x-active-record-timestamp'] as string | null | undefined) ?? null) : undefined,
          }
        : undefined,
    children,
  };
}

/** "write_disposition merge (upsert), primary key id, nested tables: orders__items". */
export function describeHints(h: DltTableHints): string {
  const parts = [`write_disposition ${h.writeDisposition ?? 'append'}${h.mergeStrategy ? ` (${h.mergeStrategy})` : ''}`];
  if (h.primaryKey.length) parts.push(`primary key ${h.primaryKey.join(', ')}`);
  if (h.mergeKey.length) parts.push(`merge key ${h.mergeKey.join(', ')}`);
  if (h.hardDelete) parts.push(`hard delete column ${h.hardDelete}`);
  if (h.scd2) parts.push(`scd2 validity ${h.scd2.validFrom ?? '?'} … ${h.scd2.validTo ?? '?'}`);
  if (h.children.length) parts.push(`nested tables: ${h.children.join(', ')}`);
  return parts.join(', ');
}
