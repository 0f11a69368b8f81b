import type { Dialect, TableInfo } from '../../dialects/types';
import { alignColumns } from '../align/alignment';
import { withScd2 } from '../align/scd2';
import type { TableConfig } from '../config/types';
import type { DltDataset } from '../dlt/dataset';
import type { TableContext } from './tableContext';
import { chooseUpsert } from './upsertStyle';

export interface ContextParts {
  table: TableConfig;
  dialect: Dialect;
  legacy: TableInfo;
  target: TableInfo;
  /** The dlt dataset beside the target (none: `{ loadIds: [] }`). */
  dlt: DltDataset;
  stateSchema: string;
}

/**
 * A table's planning context from what was read about it: the alignment (scd2's
 * validity columns included, from the dlt hints), the upsert shape, and every
 * name quoted by the dialect. Pure: the session builds it after introspection
 * (and adds the view as it stands), and offline tests build it from hand-made
 * table descriptions the same way.
 */
export function buildTableContext(p: ContextParts): TableContext {
  const { table, dialect: d, legacy, target, dlt } = p;
  const alignment = withScd2(alignColumns(table, legacy, target, d), dlt.hints, table, d);
  return {
    table,
    dialect: d,
    legacy,
    target,
    alignment,
    upsert: chooseUpsert(d, target, alignment.key.map((k) => k.target.name)),
    dlt,
    q: {
      legacy: d.qualify(legacy.ref),
      target: d.qualify(target.ref),
      view: d.qualify(table.view),
      viewSchema: table.view.schema === undefined ? undefined : d.quoteIdent(table.view.schema),
      state: d.quoteIdent(p.stateSchema),
    },
  };
}
