/**
 * What the live BigQuery suite needs from the environment. Nothing is written to a file: the config the suite
 * writes names the variables (${BIGQUERY_ACCESS_TOKEN}), and Theseus resolves them.
 */
export const REQUIRED = ['BIGQUERY_PROJECT', 'BIGQUERY_LOCATION'] as const;

/** Why the suite cannot run here, or undefined when it can. */
export function bigqueryLiveUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const missing: string[] = REQUIRED.filter((name) => !env[name]);
  if (!env.BIGQUERY_ACCESS_TOKEN && !env.GOOGLE_APPLICATION_CREDENTIALS) missing.push('BIGQUERY_ACCESS_TOKEN (gcloud auth print-access-token) or GOOGLE_APPLICATION_CREDENTIALS');
  return missing.length ? `set ${missing.join(', ')} to run the live BigQuery suite` : undefined;
}

/** The `connection:` block of a config, naming the variables rather than their values. */
export function bigqueryConnectionYaml(env: NodeJS.ProcessEnv = process.env): string {
  return [
    'connection:',
    '  project: ${BIGQUERY_PROJECT}',
    '  location: ${BIGQUERY_LOCATION}',
    env.BIGQUERY_ACCESS_TOKEN ? '  access_token: ${BIGQUERY_ACCESS_TOKEN}' : '  key_filename: ${GOOGLE_APPLICATION_CREDENTIALS}',
  ].join('\n');
}
