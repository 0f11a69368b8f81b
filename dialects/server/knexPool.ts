import { TheseusError } from '../../src/errors';

/** One native driver connection, taken from a knex pool of its own and given back on close. */
export interface PooledConnection<Native> {
  native: Native;
  close(): Promise<void>;
}

/**
 * knex is the connection and pool layer for the server engines: it opens the
 * driver's connection from the settings and hands out one pinned connection.
 * Statements go to that native connection directly, never through knex's
 * query builder or `raw` (which rewrites `?`), so the SQL sent is exactly the
 * SQL our templates rendered.
 */
export async function acquireConnection<Native>(client: 'pg' | 'mysql2', connection: Record<string, unknown>, where: string): Promise<PooledConnection<Native>> {
  const { knex } = await import('knex');
  const pool = knex({ client, connection, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 15_000 });
  let native: Native;
  try {
    native = (await pool.client.acquireConnection()) as Native;
  } catch (err) {
    await pool.destroy().catch(() => undefined);
    const reason = (err as Error).message.split('\n')[0];
    throw new TheseusError('database', 'CANNOT_CONNECT', `cannot connect to ${where}: ${reason}`, 'is the server running and reachable? check connection: in the config');
  }
  return {
    native,
    async close() {
      await pool.client.releaseConnection(native).catch(() => undefined);
      await pool.destroy();
    },
  };
}
