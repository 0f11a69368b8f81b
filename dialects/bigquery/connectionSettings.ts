import type { ConnectionSpec } from '../types';
import { maskSecrets, usageError } from '../../src/errors';

/** What @google-cloud/bigquery's client needs, read from `connection:` (an object or a bigquery:// URL; both mean the same). */
export interface BigQuerySettings {
  project: string;
  /** Where jobs run and datasets live (US, EU, europe-west3, …). */
  location: string;
  /** The dataset of a table the config names without one. */
  dataset?: string;
  /** A service account's JSON key file; without it (and without access_token), Application Default Credentials. */
  keyFilename?: string;
  /** An OAuth access token (e.g. `gcloud auth print-access-token`), used as it is, never refreshed. */
  accessToken?: string;
  /** Where the client sends its requests instead of https://bigquery.googleapis.com (a private endpoint; the tests' local server). */
  apiEndpoint?: string;
}

const KEYS: Readonly<Record<string, keyof BigQuerySettings>> = Object.freeze({
  project: 'project',
  project_id: 'project',
  location: 'location',
  dataset: 'dataset',
  key_filename: 'keyFilename',
  access_token: 'accessToken',
  api_endpoint: 'apiEndpoint',
});

const EXAMPLE = 'bigquery://PROJECT/LOCATION[/DATASET], or connection: { project: …, location: EU, dataset: … }';

/**
 * Reads `bigquery://project/location[/dataset]` or the object form. Any other
 * setting is refused by name rather than dropped, and a missing location is
 * refused too: a job sent to the wrong location cannot see the datasets, and
 * a dataset created there (the state dataset) would live in the wrong region.
 */
export function bigquerySettings(spec: ConnectionSpec): BigQuerySettings {
  const entries = typeof spec === 'string' ? urlEntries(spec) : Object.entries(spec).map(([k, v]) => [k, String(v)] as [string, string]);
  const where = typeof spec === 'string' ? `connection ${maskSecrets(spec)}` : 'connection:';
  const unknown = entries.map(([k]) => k).filter((k) => !(k in KEYS));
  if (unknown.length) {
    throw usageError('CONFIG_INVALID', `${where} has settings BigQuery does not understand: ${unknown.join(', ')}`, `BigQuery connections take ${Object.keys(KEYS).join(', ')}; remove the others`);
  }
  const settings: Partial<BigQuerySettings> = {};
  for (const [k, v] of entries) if (v !== '') settings[KEYS[k]] = v;
  if (!settings.project) throw usageError('CONFIG_INVALID', `${where} names no project`, `write it like ${EXAMPLE}`);
  if (!settings.location) throw usageError('CONFIG_INVALID', `${where} names no location`, `the location of the datasets (US, EU, europe-west3, …): write it like ${EXAMPLE}`);
  if (settings.keyFilename && settings.accessToken) {
    throw usageError('CONFIG_INVALID', `${where} has both key_filename and access_token`, 'keep one, or neither for Application Default Credentials');
  }
  return settings as BigQuerySettings;
}

function urlEntries(spec: string): Array<[string, string]> {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw usageError('CONFIG_INVALID', `connection ${maskSecrets(spec)} is not a URL`, `write it like ${EXAMPLE}`);
  }
  if (url.protocol !== 'bigquery:') {
    throw usageError('CONFIG_INVALID', `connection ${maskSecrets(spec)} is a ${url.protocol.replace(/:$/, '')}: URL; this dialect expects bigquery://`, 'check dialect: and connection: in the config');
  }
  if (url.username || url.password) throw usageError('CONFIG_INVALID', `connection ${maskSecrets(spec)} holds credentials`, 'BigQuery takes key_filename or access_token in the object form, or Application Default Credentials');
  const [location, dataset, ...rest] = url.pathname.replace(/^\//, '').split('/').map(decodeURIComponent);
  if (rest.length) throw usageError('CONFIG_INVALID', `connection ${maskSecrets(spec)} has a path longer than /location/dataset`, `write it like ${EXAMPLE}`);
  const entries: Array<[string, string]> = [['project', decodeURIComponent(url.hostname)]];
  if (location) entries.push(['location', location]);
  if (dataset) entries.push(['dataset', dataset]);
  return [...entries, ...url.searchParams.entries()];
}
