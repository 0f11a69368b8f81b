/**
 * The only place snowflake-sdk is loaded, on first use, so planning, dry runs
 * from a catalog and the other engines never load it.
 *
 * Loading it runs the SDK's platform detection, which sends HTTP requests to
 * cloud metadata addresses (169.254.169.254, metadata.google.internal) unless
 * SNOWFLAKE_DISABLE_PLATFORM_DETECTION is set first; SF_TELEMETRY_DISABLE_CONNECTION_SHAPE
 * stops a telemetry post after each login. Both are set before the require:
 * Theseus talks to the account it is given and to nothing else.
 */
export type SnowflakeSdk = typeof import('snowflake-sdk');

let loaded: SnowflakeSdk | undefined;

export async function loadSnowflakeSdk(): Promise<SnowflakeSdk> {
  if (loaded) return loaded;
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
  process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE = '1';
  const sdk = (await import('snowflake-sdk')) as SnowflakeSdk & { default?: SnowflakeSdk };
  loaded = sdk.default ?? sdk;
  // The SDK logs to a file and the console by default; Theseus reports errors itself.
  loaded.configure({ logLevel: 'OFF' });
  return loaded;
}
