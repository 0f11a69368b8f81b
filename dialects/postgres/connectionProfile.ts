import type { ServerProfile } from '../server/settings';

/** PostgreSQL's connection strings, with libpq's names for the TLS settings, so a URL psql accepts means the same here. */
export const postgresProfile: ServerProfile = Object.freeze({
  engine: 'PostgreSQL',
  schemes: Object.freeze(['postgres', 'postgresql']),
  defaultPort: 5432,
  tlsKeys: Object.freeze({ mode: 'sslmode', rootCert: 'sslrootcert', cert: 'sslcert', key: 'sslkey' }),
  tlsModes: Object.freeze({ disable: 'disable', prefer: 'prefer', require: 'require', 'verify-ca': 'verify-ca', 'verify-full': 'verify-full' } as const),
});
