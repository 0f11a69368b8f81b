import type { Connection, Row, SqlValue } from '../../dialects/types';
import { TheseusError, databaseError } from '../errors';

/**
 * A read run outside a plan (a command's planning queries, verify's passes,
 * status): an engine error becomes DATABASE_ERROR (exit 5) naming the table
 * and the step, as the executor does for a plan's own steps, so a bad
 * `columns.<c>.expr` reads the same wherever the engine first meets it.
 */
export async function readRows(conn: Connection, sql: string, context: string, params?: SqlValue[]): Promise<Row[]> {
  try {
    return await conn.query(sql, params);
  } catch (err) {
    if (err instanceof TheseusError) throw err;
    throw databaseError(err, context, sql);
  }
}
