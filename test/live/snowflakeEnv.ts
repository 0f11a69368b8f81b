/**
 * What the live Snowflake suite needs from the environment. Nothing here is ever written to a file: the
 * config the suite writes names the variables (${SNOWFLAKE_PASSWORD}), and Theseus resolves them.
 */
export const REQUIRED = ['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'SNOWFLAKE_WAREHOUSE', 'SNOWFLAKE_DATABASE'] as const;

/** Why the suite cannot run here, or undefined when it can. */
export function liveUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const missing: string[] = REQUIRED.filter((name) => !env[name]);
  if (!env.SNOWFLAKE_PASSWORD && !env.SNOWFLAKE_PRIVATE_KEY_PATH) missing.push('SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH');
  return missing.length ? `set ${missing.join(', ')} (and optionally SNOWFLAKE_ROLE) to run the live Snowflake suite` : undefined;
}

/** The `connection:` block of a config, naming the variables rather than their values. */
export function connectionYaml(schema: string, env: NodeJS.ProcessEnv = process.env): string {
  const lines = [
    'connection:',
    '  account: ${SNOWFLAKE_ACCOUNT}',
    '  username: ${SNOWFLAKE_USER}',
    env.SNOWFLAKE_PRIVATE_KEY_PATH ? '  private_key_path: ${SNOWFLAKE_PRIVATE_KEY_PATH}' : '  password: ${SNOWFLAKE_PASSWORD}',
    ...(env.SNOWFLAKE_PRIVATE_KEY_PATH && env.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE ? ['  private_key_passphrase: ${SNOWFLAKE_PRIVATE_KEY_PASSPHRASE}'] : []),
    '  warehouse: ${SNOWFLAKE_WAREHOUSE}',
    '  database: ${SNOWFLAKE_DATABASE}',
    `  schema: ${schema}`,
    ...(env.SNOWFLAKE_ROLE ? ['  role: ${SNOWFLAKE_ROLE}'] : []),
  ];
  return lines.join('\n');
}
