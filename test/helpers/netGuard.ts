/**
 * Jest setupFile: no test may reach beyond this machine. Before any test file
 * loads, every http(s) request, fetch and DNS lookup whose host is not
 * loopback is refused (thrown, or failed with ENOTFOUND), and the attempt is
 * recorded. snowflake-sdk would otherwise probe cloud metadata addresses as it
 * loads; the two variables below stop that (and a telemetry post per login)
 * before any test can import it. Sockets to 127.0.0.1 (the local PostgreSQL,
 * MariaDB and fake Snowflake servers) are untouched.
 */
// `import x = require()` binds the modules themselves (not a namespace copy of getters), so patching them reaches every caller.
import dns = require('node:dns');
import http = require('node:http');
import https = require('node:https');

process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE = '1';

const INSTALLED = Symbol.for('theseus.netGuard');
const state = globalThis as unknown as Record<symbol, { blocked: string[] } | undefined>;

export function isLoopback(host: string | null | undefined): boolean {
  if (!host) return true; // Node's default host is localhost
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || h === '0:0:0:0:0:0:0:1';
}

/** The non-loopback attempts refused in this worker so far. */
export function blockedAttempts(): readonly string[] {
  return state[INSTALLED]?.blocked ?? [];
}

function refuse(what: string, host: string, code: string): Error {
  state[INSTALLED]!.blocked.push(`${what} ${host}`);
  return Object.assign(new Error(`netGuard: tests may not reach ${host} (${what})`), { code });
}

function hostOf(target: unknown): string | undefined {
  if (typeof target === 'string') return new URL(target).hostname;
  if (target instanceof URL) return target.hostname;
  const o = target as { hostname?: string | null; host?: string | null } | undefined;
  return (o?.hostname ?? o?.host ?? undefined)?.replace(/:\d+$/, '');
}

function install(): void {
  if (state[INSTALLED]) return;
  state[INSTALLED] = { blocked: [] };
  for (const [name, mod] of [['http', http], ['https', https]] as const) {
    for (const fn of ['request', 'get'] as const) {
      const original = mod[fn] as (...args: unknown[]) => http.ClientRequest;
      (mod as unknown as Record<string, unknown>)[fn] = function guarded(this: unknown, ...args: unknown[]) {
        // request(url, options?, cb?) or request(options, cb?): options may override the URL's host.
        const host = (typeof args[1] === 'object' && args[1] !== null && !(typeof args[1] === 'function') ? hostOf(args[1]) : undefined) ?? hostOf(args[0]);
        if (!isLoopback(host)) throw refuse(`${name}.${fn}`, String(host), 'ECONNREFUSED');
        return original.apply(this, args);
      };
    }
  }
  const lookup = dns.lookup;
  (dns as { lookup: unknown }).lookup = function guardedLookup(this: unknown, host: string, ...rest: unknown[]) {
    if (isLoopback(host)) return (lookup as (...a: unknown[]) => unknown).call(this, host, ...rest);
    const err = refuse('dns.lookup', host, 'ENOTFOUND');
    const callback = rest[rest.length - 1] as (e: Error) => void;
    process.nextTick(() => callback(err));
  };
  const promisesLookup = dns.promises.lookup;
  (dns.promises as { lookup: unknown }).lookup = async function guardedPromisesLookup(host: string, ...rest: unknown[]) {
    if (!isLoopback(host)) throw refuse('dns.promises.lookup', host, 'ENOTFOUND');
    return (promisesLookup as (...a: unknown[]) => unknown)(host, ...rest);
  };
  const originalFetch = globalThis.fetch;
  if (originalFetch) {
    globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      if (!isLoopback(url.hostname)) throw refuse('fetch', url.hostname, 'ECONNREFUSED');
      return originalFetch(input, init);
    };
  }
}

install();
