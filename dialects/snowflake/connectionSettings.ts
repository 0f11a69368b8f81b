import type { ConnectionSpec } from '../types';
import { usageError } from '../../src/errors';
import { type SettingsForm, pathEntries, readSettings } from '../connectionSettings';

/** What snowflake-sdk's createConnection needs, read from `connection:` (an object or a snowflake:// URL; both mean the same). */
export interface SnowflakeSettings {
  account: string;
  username?: string;
  password?: string;
  authenticator?: string;
  privateKeyPath?: string;
  privateKeyPass?: string;
  warehouse?: string;
  role?: string;
  database?: string;
  schema?: string;
  /** Where the SDK sends its requests instead of https://<account>.snowflakecomputing.com (private link; the tests' local server). */
  accessUrl?: string;
}

/** The config's names (snake_case, as in the object form and the URL's parameters) → the SDK's option names. */
const KEYS: Readonly<Record<string, keyof SnowflakeSettings>> = Object.freeze({
  account: 'account',
  username: 'username',
  user: 'username',
  password: 'password',
  authenticator: 'authenticator',
  private_key_path: 'privateKeyPath',
  private_key_passphrase: 'privateKeyPass',
  warehouse: 'warehouse',
  role: 'role',
  database: 'database',
  schema: 'schema',
  access_url: 'accessUrl',
});

const EXAMPLE = 'snowflake://USER@ACCOUNT/DATABASE/SCHEMA?warehouse=WH&role=ROLE, or connection: { account: …, username: …, password: ${SNOWFLAKE_PASSWORD}, warehouse: … }';

const FORM: SettingsForm<SnowflakeSettings> = {
  engine: 'Snowflake',
  protocol: 'snowflake',
  keys: KEYS,
  example: EXAMPLE,
  notUrlHint: `write it like ${EXAMPLE}; percent-encode @ : / in the password`,
  // User and password, account (the host), database/schema (the path).
  urlEntries: (url, shown) => {
    const entries: Array<[string, string]> = [['account', decodeURIComponent(url.hostname)]];
    if (url.username) entries.push(['username', decodeURIComponent(url.username)]);
    if (url.password) entries.push(['password', decodeURIComponent(url.password)]);
    return [...entries, ...pathEntries(url, shown, ['database', 'schema'], EXAMPLE)];
  },
};

/**
 * Reads `snowflake://user:password@account/database/schema?warehouse=…&role=…`
 * or the object form (dialects/connectionSettings.ts): a typo such as
 * `warehose` is refused, not run on the user's default warehouse.
 */
export function snowflakeSettings(spec: ConnectionSpec): SnowflakeSettings {
  const { settings, where } = readSettings(spec, FORM);
  if (!settings.account) throw usageError('CONFIG_INVALID', `${where} names no account`, `write it like ${EXAMPLE}`);
  if (settings.password && settings.privateKeyPath) {
    throw usageError('CONFIG_INVALID', `${where} has both a password and private_key_path`, 'keep one: key-pair authentication (private_key_path, private_key_passphrase) or a password');
  }
  // Key-pair authentication is its own authenticator in the SDK; naming the key is enough to mean it.
  if (settings.privateKeyPath && !settings.authenticator) settings.authenticator = 'SNOWFLAKE_JWT';
  return settings as SnowflakeSettings;
}
