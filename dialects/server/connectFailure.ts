import { TheseusError, usageError } from '../../src/errors';
import type { ServerSettings } from './settings';

/**
 * Why a connection could not be opened, whatever the driver: each server
 * driver maps its own error codes onto these, and the message and hint are
 * written once, here, for every engine.
 */
export type ConnectFailure =
  /** Nothing answers at host:port (refused, unknown host, timed out). */
  | 'unreachable'
  /** The server answered, but the database named does not exist. */
  | 'database_missing'
  /** The server refused the user or password. */
  | 'auth'
  /** TLS was asked for and the server offers none. */
  | 'tls_unavailable'
  /** The server's certificate did not verify (verify-ca, verify-full, or require with a root certificate). */
  | 'tls_untrusted'
  | 'other';

/** Node's own TLS verification errors, the same under every driver. */
const TLS_VERIFY_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** The failures every driver shares: the network's and TLS verification's (Node's codes), and the pool's timeout. */
export function commonFailure(err: unknown): ConnectFailure | undefined {
  const e = err as { code?: unknown; name?: unknown };
  if (typeof e?.code === 'string' && TLS_VERIFY_CODES.has(e.code)) return 'tls_untrusted';
  if (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) return 'unreachable';
  if (e?.name === 'KnexTimeoutError') return 'unreachable';
  return undefined;
}

/** One line saying what went wrong and a hint saying what to do; the driver's stack never shows. */
export function connectError(failure: ConnectFailure, err: unknown, where: string, s: ServerSettings): TheseusError {
  const reason = failure === 'unreachable' && (err as { name?: unknown })?.name === 'KnexTimeoutError' ? 'no answer within 15 s' : firstLine(err);
  switch (failure) {
    case 'database_missing':
      return usageError('DATABASE_MISSING', `database ${s.database ?? '(default)'} does not exist on ${where}`, 'create it, or name an existing database in connection:');
    case 'auth':
      return new TheseusError('database', 'CANNOT_CONNECT', `cannot connect to ${where}: ${reason}`, 'the server refused these credentials: check user and password in connection:');
    case 'tls_unavailable':
      return new TheseusError('database', 'TLS_REQUIRED', `${where} does not offer TLS (${s.tls.written})`, `enable TLS on the server, or set ${s.tls.lenient} in connection: (the first falls back to a plain connection)`);
    case 'tls_untrusted':
      return new TheseusError('database', 'TLS_UNTRUSTED', `${where}: the server's certificate did not verify (${s.tls.written}): ${reason}`, `name the CA that signed it with ${s.tls.rootCertSetting} in connection:, and connect by a host name the certificate names`);
    case 'unreachable':
      return new TheseusError('database', 'CANNOT_CONNECT', `cannot connect to ${where}: ${reason}`, 'is the server running and reachable? check host and port in connection:');
    default:
      return new TheseusError('database', 'CANNOT_CONNECT', `cannot connect to ${where}: ${reason}`, 'check connection: in the config');
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
}
