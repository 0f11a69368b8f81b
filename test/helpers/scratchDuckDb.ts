import * as path from 'node:path';
import { connectDuckDb } from '../../dialects/duckdb/driver';
import type { Connection, Dialect } from '../../dialects/types';
import type { TableConfig } from '../../src/config/types';
import { buildTableContext } from '../../src/plan/buildContext';
import type { TableContext } from '../../src/plan/tableContext';
import { cleanup, tempDir } from './warehouse';

/**
 * A real engine for tests of the planner's SQL below the CLI: a DuckDB file in a temp folder with the schemas erp
 * (legacy) and dlt (target) and the given statements run. close() drops it all.
 */
export interface ScratchDuckDb {
  conn: Connection;
  close(): Promise<void>;
}

export async function scratchDuckDb(prefix: string, statements: string[]): Promise<ScratchDuckDb> {
  const dir = tempDir(prefix);
  const conn = await connectDuckDb(path.join(dir, 'w.duckdb'), { readOnly: false, create: true });
  for (const sql of ['CREATE SCHEMA erp', 'CREATE SCHEMA dlt', ...statements]) await conn.execute(sql);
  return {
    conn,
    close: async () => {
      await conn.close();
      cleanup(dir);
    },
  };
}

/** The planner's context for a table, from both sides as the engine describes them. */
export async function introspectedContext(conn: Connection, dialect: Dialect, table: TableConfig): Promise<TableContext> {
  const [legacy, target] = await Promise.all([dialect.introspect(conn, table.legacy), dialect.introspect(conn, table.target)]);
  return buildTableContext({ table, dialect, legacy: legacy!, target: target!, dlt: { loadIds: [] }, stateSchema: '_migrate' });
}
