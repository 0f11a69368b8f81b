import type { Connection, SqlValue } from '../../dialects/types';
import { isConnectionLoss } from '../backfill/transient';

const BEGIN = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const END = /^\s*(COMMIT|ROLLBACK)\b/i;

/** The connection ended between two statements of one transaction: the transaction is gone, so its next statement must fail too. */
function lostInTransaction(): Error {
  // SQLSTATE 08003 connection_does_not_exist: classified as a lost connection, so the unit is retried whole.
  return Object.assign(new Error('the connection was lost in the middle of a transaction (the server rolled it back)'), { code: '08003' });
}

/**
 * A connection that replaces itself once it is lost (a terminated backend, an
 * idle-session timeout, a server restart). A statement that meets the loss
 * still fails: the server rolled back its transaction, and the caller decides
 * whether to retry. Later statements get a fresh connection (from the pool,
 * with the session settings the dialect's connect applies), so a slice's
 * failure record, a retry's claim and the run log's last entry reach the
 * server. A connection the driver saw end while it idled is replaced before
 * the next statement is sent, except inside a transaction, whose remaining
 * statements must not run on their own. When the reconnect fails, its
 * CANNOT_CONNECT error is what the statement throws.
 */
export function reconnectingConnection(first: Connection, open: () => Promise<Connection>): Connection {
  let current: Connection | undefined = first;
  let closed = false;
  // The label follows the work onto a replacement connection.
  let title: string | undefined;
  let inTransaction = false;
  const discard = async (conn: Connection) => {
    if (current === conn) current = undefined;
    await conn.close().catch(() => undefined);
  };
  const live = async (sql: string): Promise<Connection> => {
    if (closed) throw new Error('the connection was closed');
    if (current?.lost?.()) {
      await discard(current);
      if (inTransaction && !END.test(sql)) {
        inTransaction = false;
        throw lostInTransaction();
      }
    }
    if (!current) {
      current = await open();
      if (title !== undefined) current.label?.(title);
    }
    return current;
  };
  const run = async <T>(sql: string, body: (c: Connection) => Promise<T>): Promise<T> => {
    const conn = await live(sql);
    try {
      const result = await body(conn);
      if (BEGIN.test(sql)) inTransaction = true;
      else if (END.test(sql)) inTransaction = false;
      return result;
    } catch (err) {
      if (END.test(sql)) inTransaction = false;
      if (isConnectionLoss(err)) {
        inTransaction = false;
        await discard(conn);
      }
      throw err;
    }
  };
  return {
    query: (sql, params, kinds) => run(sql, (c) => c.query(sql, params, kinds)),
    execute: (sql, params, kinds) => run(sql, (c) => c.execute(sql, params, kinds)),
    label: (t) => {
      title = t;
      current?.label?.(t);
    },
    // Fixed by the connection settings, so a replacement has the same.
    facts: first.facts,
    ...(first.estimate ? { estimate: (sql: string, params?: SqlValue[]) => run(sql, (c) => c.estimate!(sql, params)) } : {}),
    close: async () => {
      closed = true;
      const conn = current;
      current = undefined;
      await conn?.close();
    },
  };
}
