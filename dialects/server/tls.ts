import * as fs from 'node:fs';
import { usageError } from '../../src/errors';

/**
 * How a connection uses TLS, in libpq's terms (MySQL's ssl-mode values map
 * one to one): `disable` never; `prefer` tries TLS and falls back to a plain
 * connection when the server offers none; `require` insists on TLS without
 * checking the certificate (unless a root certificate is given: then it
 * checks the chain, as libpq does); `verify-ca` also checks the chain;
 * `verify-full` also checks that the certificate names the host.
 */
export type TlsMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface TlsSettings {
  mode: TlsMode;
  /** The setting as the config wrote it (e.g. `sslmode=require`), for messages. */
  written: string;
  /** The engine's spelling of the modes that let a server without TLS in (e.g. `sslmode=prefer`), for hints. */
  lenient: string;
  /** The engine's name for the CA setting (`sslrootcert`, `ssl-ca`), for hints. */
  rootCertSetting: string;
  /** Files named by the config: the root certificate(s) to trust, and a client certificate and key. */
  rootCert?: string;
  cert?: string;
  key?: string;
}

/** What an encrypted attempt checks and presents, in Node's terms; each driver maps it onto its own `ssl` option. */
export interface TlsOptions {
  /** Check the certificate chain against `ca` (or Node's trusted roots). */
  rejectUnauthorized: boolean;
  /** Also check that the certificate names the host connected to. */
  verifyHost: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

/** The default when nothing is said, as psql and the mysql client do. */
export const DEFAULT_TLS_MODE: TlsMode = 'prefer';

/**
 * The attempts a mode makes, in order: `true` is an encrypted attempt, `false` a
 * plain one. `prefer` falls back to plain only when the server offers no TLS at all.
 */
export function tlsAttempts(mode: TlsMode): boolean[] {
  if (mode === 'disable') return [false];
  if (mode === 'prefer') return [true, false];
  return [true];
}

/**
 * Node's TLS options for an encrypted attempt. The certificate files are read
 * here, so a missing or unreadable one is a config error before any network traffic.
 */
export function tlsOptions(tls: TlsSettings): TlsOptions {
  const verify = tls.mode === 'verify-ca' || tls.mode === 'verify-full' || (tls.mode === 'require' && tls.rootCert !== undefined);
  return {
    rejectUnauthorized: verify,
    verifyHost: tls.mode === 'verify-full',
    ca: readPem(tls.rootCert, 'root certificate'),
    cert: readPem(tls.cert, 'client certificate'),
    key: readPem(tls.key, 'client key'),
  };
}

function readPem(file: string | undefined, what: string): string | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw usageError('TLS_FILE_UNREADABLE', `the ${what} file ${file} named in connection: ${reason}`, 'check the path in connection: (an absolute path, or one relative to the directory migrate runs in)');
  }
}
