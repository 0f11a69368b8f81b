import type { ConnectionSpec } from '../types';
import { maskSecrets, usageError } from '../../src/errors';
import { DEFAULT_TLS_MODE, type TlsMode, type TlsSettings } from './tls';

/** Connection settings for a database server, from `connection:` as a URL or an object; both forms mean the same. */
export interface ServerSettings {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database?: string;
  tls: TlsSettings;
}

/**
 * What one engine's connection strings look like: its URL schemes, its port,
 * and the names its own clients give the TLS settings (libpq's `sslmode`,
 * MySQL's `ssl-mode`, …), so a URL that works with psql or mysql means the same here.
 */
export interface ServerProfile {
  /** For messages, e.g. "PostgreSQL". */
  engine: string;
  schemes: readonly string[];
  defaultPort: number;
  tlsKeys: { mode: string; rootCert: string; cert: string; key: string };
  /** The engine's spellings of each TLS mode (compared case-insensitively). */
  tlsModes: Readonly<Record<string, TlsMode>>;
}

const BASIC_KEYS = ['host', 'port', 'user', 'password', 'database'] as const;

/**
 * Reads `postgres://user:pass@host:5432/db?sslmode=require` (or the object
 * form) into settings. Only the schemes named are accepted, so a config
 * pointing a dialect at the wrong kind of server fails here, before any
 * network traffic; a parameter the engine's profile does not know is refused
 * too, rather than dropped or handed to the driver to mean something else.
 */
export function serverSettings(spec: ConnectionSpec, profile: ServerProfile): ServerSettings {
  if (typeof spec !== 'string') {
    const { host, port, user, password, database, ...extra } = spec;
    const text = (v: unknown) => (v === undefined ? undefined : String(v));
    return {
      host: text(host) ?? '127.0.0.1',
      port: port === undefined ? profile.defaultPort : Number(port),
      user: text(user),
      password: text(password),
      database: text(database),
      tls: tlsSettings(Object.entries(extra).map(([k, v]) => [k, String(v)]), profile, 'connection: has settings'),
    };
  }
  const url = parseUrl(spec, profile);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : profile.defaultPort,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: database || undefined,
    tls: tlsSettings([...url.searchParams.entries()], profile, `connection ${maskSecrets(spec)} has parameters`),
  };
}

function parseUrl(spec: string, profile: ServerProfile): URL {
  const example = `${profile.schemes[0]}://user@127.0.0.1:${profile.defaultPort}/database`;
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw usageError('CONFIG_INVALID', `connection ${maskSecrets(spec)} is not a URL`, `write it like ${example}; percent-encode @ : / in the password (%40 %3A %2F), or use the object form of connection:`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!profile.schemes.includes(scheme)) {
    throw usageError('CONFIG_INVALID', `connection ${maskSecrets(spec)} is a ${scheme}: URL; this dialect expects ${profile.schemes.map((s) => `${s}://`).join(' or ')}`, 'check dialect: and connection: in the config');
  }
  return url;
}

/** The TLS settings among the extra parameters; any other parameter is an error naming it. */
function tlsSettings(entries: Array<[string, string]>, profile: ServerProfile, where: string): TlsSettings {
  const keys = profile.tlsKeys;
  const known = new Set<string>(Object.values(keys));
  const unknown = entries.map(([k]) => k).filter((k) => !known.has(k));
  if (unknown.length) {
    throw usageError(
      'CONFIG_INVALID',
      `${where} ${profile.engine} does not understand: ${unknown.join(', ')}`,
      `${profile.engine} connections take ${[...BASIC_KEYS, ...known].join(', ')}; remove the others`,
    );
  }
  const value = (key: string) => entries.find(([k]) => k === key)?.[1];
  const written = value(keys.mode);
  let mode = DEFAULT_TLS_MODE;
  if (written !== undefined) {
    const spelled = Object.entries(profile.tlsModes).find(([name]) => name.toLowerCase() === written.toLowerCase());
    if (!spelled) {
      throw usageError('CONFIG_INVALID', `${keys.mode}=${written} is not a TLS mode ${profile.engine} knows`, `use one of: ${Object.keys(profile.tlsModes).join(', ')}`);
    }
    mode = spelled[1];
  }
  const spelling = (m: TlsMode) => `${keys.mode}=${Object.entries(profile.tlsModes).find(([, v]) => v === m)?.[0] ?? m}`;
  return {
    mode,
    lenient: `${spelling('prefer')} or ${spelling('disable')}`,
    rootCertSetting: keys.rootCert,
    written: written === undefined ? `${spelling(mode)}, the default` : `${keys.mode}=${written}`,
    rootCert: value(keys.rootCert),
    cert: value(keys.cert),
    key: value(keys.key),
  };
}
