import type { ServerProfile } from '../server/settings';

/** MySQL/MariaDB connection strings, with the mysql client's names for the TLS settings (--ssl-mode, --ssl-ca, …). */
export const mysqlProfile: ServerProfile = Object.freeze({
  engine: 'MySQL/MariaDB',
  schemes: Object.freeze(['mysql', 'mariadb']),
  defaultPort: 3306,
  tlsKeys: Object.freeze({ mode: 'ssl-mode', rootCert: 'ssl-ca', cert: 'ssl-cert', key: 'ssl-key' }),
  tlsModes: Object.freeze({ DISABLED: 'disable', PREFERRED: 'prefer', REQUIRED: 'require', VERIFY_CA: 'verify-ca', VERIFY_IDENTITY: 'verify-full' } as const),
});
