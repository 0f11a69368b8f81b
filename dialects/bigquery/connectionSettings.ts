import type { ConnectionSpec } from '../types';
import { usageError } from '../../src/errors';
import { type SettingsForm, pathEntries, readSettings } from '../connectionSettings';

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

const FORM: SettingsForm<BigQuerySettings> = {
  engine: 'BigQuery',
  protocol: 'bigquery',
  keys: KEYS,
  example: EXAMPLE,
  // The project (the host), location/dataset (the path); credentials never ride in the URL.
  urlEntries: (url, shown) => {
    if (url.username || url.password) throw usageError('CONFIG_INVALID', `connection ${shown} holds credentials`, 'BigQuery takes key_filename or access_token in the object form, or Application Default Credentials');
    return [['project', decodeURIComponent(url.hostname)], ...pathEntries(url, shown, ['location', 'dataset'], EXAMPLE)];
  },
};

/**
 * Reads `bigquery://project/location[/dataset]` or the object form (dialects/connectionSettings.ts). A missing
 * location is refused too: a job sent to the wrong location cannot see the datasets, and a dataset created there
 * (the state dataset) would live in the wrong region.
 */
export function bigquerySettings(spec: ConnectionSpec): BigQuerySettings {
  const { settings, where } = readSettings(spec, FORM);
  if (!settings.project) throw usageError('CONFIG_INVALID', `${where} names no project`, `write it like ${EXAMPLE}`);
  if (!settings.location) throw usageError('CONFIG_INVALID', `${where} names no location`, `the location of the datasets (US, EU, europe-west3, …): write it like ${EXAMPLE}`);
  if (settings.keyFilename && settings.accessToken) {
    throw usageError('CONFIG_INVALID', `${where} has both key_filename and access_token`, 'keep one, or neither for Application Default Credentials');
  }
  return settings as BigQuerySettings;
}
