import type { Connection, Dialect, TableInfo } from '../../dialects/types';
import type { TableRef } from '../config/types';

/**
 * The catalog answers of one planning pass, asked once each.
 *
 * Planning a table asks the catalog about the same names again and again: every table of a dataset asks whether
 * `_dlt_loads` and `_dlt_version` exist, every ledger read whether the state schema and its tables do, and the
 * context and the checks before writing introspect legacy and the target more than once. On DuckDB each such
 * question is a scan of the whole catalog (about 3 to 6 ms with 150 relations), so a dry run of 50 tables spent
 * most of its time asking 1,000 questions whose answers do not change while it plans.
 *
 * Inside `withCatalogSnapshot(conn, …)` each distinct question on that connection is asked once; outside it, every
 * call asks the engine. The scope is the planning pass only, before anything is written: the answers then describe
 * the catalog as it was when planning began, which is what the plan is made from anyway.
 */
const snapshots = new WeakMap<Connection, Map<string, Promise<unknown>>>();

export async function withCatalogSnapshot<T>(conn: Connection | undefined, body: () => Promise<T>): Promise<T> {
  if (!conn || snapshots.has(conn)) return body();
  snapshots.set(conn, new Map());
  try {
    return await body();
  } finally {
    snapshots.delete(conn);
  }
}

function remembered<T>(conn: Connection, key: string, ask: () => Promise<T>): Promise<T> {
  const memo = snapshots.get(conn);
  if (!memo) return ask();
  let answer = memo.get(key) as Promise<T> | undefined;
  if (!answer) {
    answer = ask();
    memo.set(key, answer);
    // A failed question is asked again next time, as it would be without the snapshot.
    answer.catch(() => memo.delete(key));
  }
  return answer;
}

/** dialect.introspect, answered from the snapshot when one is open; each caller gets its own copy to change. */
export async function introspectRelation(dialect: Dialect, conn: Connection, ref: TableRef): Promise<TableInfo | undefined> {
  const info = await remembered(conn, `relation\u0000${ref.schema ?? ''}\u0000${ref.name}`, () => dialect.introspect(conn, ref));
  return info && structuredClone(info);
}

/** dialect.schemaExists, answered from the snapshot when one is open. */
export function schemaExists(dialect: Dialect, conn: Connection, schema: string): Promise<boolean> {
  return remembered(conn, `schema\u0000${schema}`, () => dialect.schemaExists(conn, schema));
}
