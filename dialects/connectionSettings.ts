import type { ConnectionSpec } from './types';
import { maskSecrets, usageError } from '../src/errors';

/**
 * Reading `connection:` for the engines whose settings are a fixed list of names (Snowflake, BigQuery). The URL
 * form and the object form become one list of entries, and a name outside the list is refused rather than
 * dropped, so a typo (`warehose`) does not silently run with the engine's default. Messages show the URL with its
 * secrets masked. Each engine adds its own checks on what comes back.
 */
export interface SettingsForm<S> {
  /** As messages name the engine: Snowflake. */
  engine: string;
  /** The URL scheme without its colon: snowflake. */
  protocol: string;
  /** The config's names (snake_case, as in the object form and the URL's parameters) → the settings' names. */
  keys: Readonly<Record<string, keyof S>>;
  /** How to write it, for messages. */
  example: string;
  /** The hint when the text is not a URL at all (default: the example). */
  notUrlHint?: string;
  /** The URL's host, user and path as the object form's entries (its query parameters follow them). `shown` is the URL masked. */
  urlEntries(url: URL, shown: string): Array<[string, string]>;
}

/**
 * A URL's path as named settings (`/database/schema` → database, schema), each only where written; a path with
 * more segments than names is refused.
 */
export function pathEntries(url: URL, shown: string, names: readonly string[], example: string): Array<[string, string]> {
  const segments = url.pathname.replace(/^\//, '').split('/').map(decodeURIComponent);
  if (segments.length > names.length) throw usageError('CONFIG_INVALID', `connection ${shown} has a path longer than /${names.join('/')}`, `write it like ${example}`);
  return names.flatMap((name, i) => (segments[i] ? [[name, segments[i]] as [string, string]] : []));
}

export function readSettings<S>(spec: ConnectionSpec, form: SettingsForm<S>): { settings: Partial<S>; where: string } {
  const entries = typeof spec === 'string' ? entriesOfUrl(spec, form) : Object.entries(spec).map(([k, v]) => [k, String(v)] as [string, string]);
  const where = typeof spec === 'string' ? `connection ${maskSecrets(spec)}` : 'connection:';
  const unknown = entries.map(([k]) => k).filter((k) => !(k in form.keys));
  if (unknown.length) {
    throw usageError('CONFIG_INVALID', `${where} has settings ${form.engine} does not understand: ${unknown.join(', ')}`, `${form.engine} connections take ${Object.keys(form.keys).join(', ')}; remove the others`);
  }
  const settings: Partial<S> = {};
  for (const [k, v] of entries) if (v !== '') (settings as Record<keyof S, string>)[form.keys[k]] = v;
  return { settings, where };
}

function entriesOfUrl<S>(spec: string, form: SettingsForm<S>): Array<[string, string]> {
  const shown = maskSecrets(spec);
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw usageError('CONFIG_INVALID', `connection ${shown} is not a URL`, form.notUrlHint ?? `write it like ${form.example}`);
  }
  if (url.protocol !== `${form.protocol}:`) {
    throw usageError('CONFIG_INVALID', `connection ${shown} is a ${url.protocol.replace(/:$/, '')}: URL; this dialect expects ${form.protocol}://`, 'check dialect: and connection: in the config');
  }
  return [...form.urlEntries(url, shown), ...url.searchParams.entries()];
}
