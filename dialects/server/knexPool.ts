import { type ConnectFailure, connectError } from './connectFailure';
import type { ServerSettings } from './settings';
import { tlsAttempts } from './tls';

/** One native driver connection, taken from a knex pool of its own and given back on close. */
export interface PooledConnection<Native> {
  native: Native;
  close(): Promise<void>;
}

/** What the shared pool needs from a server driver. */
export interface ServerDriver {
  client: 'pg' | 'mysql2';
  /** The driver's connection settings for one attempt, encrypted or plain. */
  connection(encrypted: boolean): Record<string, unknown>;
  /** Maps the driver's connection error onto the failures every engine reports alike. */
  classify(err: unknown): ConnectFailure;
}

/** Servers seen to offer no TLS, so `prefer` does not knock twice on every connection of a run. */
const plainOnly = new Set<string>();

/**
 * knex's own logging is silenced: it printed "Acquire connection error" with
 * the driver's stack before our one-line error. Everything it would say
 * reaches the operator through the error we throw.
 */
const SILENT_LOG = Object.freeze({ warn() {}, error() {}, debug() {}, deprecate() {} });

/**
 * knex is the connection and pool layer for the server engines: it opens the
 * driver's connection from the settings and hands out one pinned connection.
 * Statements go to that native connection directly, never through knex's
 * query builder or `raw` (which rewrites `?`), so the SQL sent is exactly the
 * SQL our templates rendered. The TLS mode decides the attempts: `prefer`
 * tries TLS first and falls back to a plain connection only when the server
 * offers no TLS; every other failure is final.
 */
export async function acquireConnection<Native>(driver: ServerDriver, settings: ServerSettings, where: string): Promise<PooledConnection<Native>> {
  const server = `${settings.host}:${settings.port}`;
  const attempts = tlsAttempts(settings.tls.mode).filter((encrypted, i, all) => !(encrypted && all.length > 1 && plainOnly.has(server)));
  for (let i = 0; ; i++) {
    try {
      return await acquireOnce<Native>(driver.client, driver.connection(attempts[i]));
    } catch (err) {
      const failure = driver.classify(err);
      if (failure === 'tls_unavailable' && i < attempts.length - 1) {
        plainOnly.add(server);
        continue;
      }
      throw connectError(failure, err, where, settings);
    }
  }
}

async function acquireOnce<Native>(client: ServerDriver['client'], connection: Record<string, unknown>): Promise<PooledConnection<Native>> {
  const { knex } = await import('knex');
  const pool = knex({ client, connection, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 15_000, log: SILENT_LOG });
  let native: Native;
  try {
    native = (await pool.client.acquireConnection()) as Native;
  } catch (err) {
    await pool.destroy().catch(() => undefined);
    throw err;
  }
  return {
    native,
    async close() {
      await pool.client.releaseConnection(native).catch(() => undefined);
      await pool.destroy();
    },
  };
}
