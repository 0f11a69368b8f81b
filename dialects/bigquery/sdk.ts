/**
 * The only place @google-cloud/bigquery (and google-auth-library) is loaded, on first use, so planning, dry runs
 * from a catalog and the other engines never load it.
 */
export type BigQuerySdk = typeof import('@google-cloud/bigquery');
export type AuthLibrary = typeof import('google-auth-library');

let loaded: { sdk: BigQuerySdk; auth: AuthLibrary } | undefined;

export async function loadBigQuerySdk(): Promise<{ sdk: BigQuerySdk; auth: AuthLibrary }> {
  loaded ??= { sdk: await import('@google-cloud/bigquery'), auth: await import('google-auth-library') };
  return loaded;
}
