import type { ConnectionSpec } from '../types';
import { maskSecrets, usageError } from '../../src/errors';

/**
 * Driver settings for a database server, from `connection:` as a URL or an
 * object: host, port, user, password, database, and any further setting (URL
 * query parameters or object keys) passed to the driver as given.
 */
export type ServerSettings = Record<string, string | number | boolean | undefined> & {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database?: string;
};

/**
 * Reads `postgres://user:pass@host:5432/db?…` (or the object form) into
 * settings. Only the schemes named are accepted, so a config pointing a
 * dialect at the wrong kind of server fails here, before any network traffic.
 */
export function serverSettings(spec: ConnectionSpec, schemes: readonly string[], defaultPort: number): ServerSettings {
  if (typeof spec !== 'string') {
    const { host, port, user, password, database, ...extra } = spec;
    return {
      ...extra,
      host: host === undefined ? '127.0.0.1' : String(host),
      port: port === undefined ? defaultPort : Number(port),
      user: user === undefined ? undefined : String(user),
      password: password === undefined ? undefined : String(password),
      database: database === undefined ? undefined : String(database),
    };
  }
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw usageError('CONFIG_INVALID', `connection ${maskSecrets(spec)} is not a URL`, `write it like ${schemes[0]}://user@127.0.0.1:${defaultPort}/database`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) {
    throw usageError('CONFIG_INVALID', `connection ${maskSecrets(spec)} is a ${scheme}: URL; this dialect expects ${schemes.map((s) => `${s}://`).join(' or ')}`, 'check dialect: and connection: in the config');
  }
  const extra: Record<string, string> = {};
  url.searchParams.forEach((value, key) => (extra[key] = value));
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    ...extra,
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : defaultPort,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: database || undefined,
  };
}
