import * as fs from 'node:fs';
import * as path from 'node:path';
import { mysqlProfile } from '../../dialects/mysql/connectionProfile';
import { connectMysql } from '../../dialects/mysql/driver';
import { postgresProfile } from '../../dialects/postgres/connectionProfile';
import { serverSettings } from '../../dialects/server/settings';
import { tlsAttempts, tlsOptions } from '../../dialects/server/tls';
import { validateConfig } from '../../src/config/load';
import { TheseusError, maskSecrets } from '../../src/errors';
import { cleanup, tempDir } from '../helpers/warehouse';

/** `connection:` read into settings (offline): both forms alike, TLS modes as libpq and MySQL mean them, secrets masked. */
function failure(fn: () => unknown): TheseusError {
  try {
    fn();
  } catch (e) {
    return e as TheseusError;
  }
  throw new Error('expected an error');
}

describe('maskSecrets', () => {
  it('masks a URL password up to the last @ before the host, even holding @ : /', () => {
    expect(maskSecrets('connection postgres://etl:p@ss:w/rd@db.internal:5432/w is not a URL')).toBe('connection postgres://etl:***@db.internal:5432/w is not a URL');
    expect(maskSecrets('mysql://u:a%40b@h/d and postgres://v:c@d@e/f')).toBe('mysql://u:***@h/d and postgres://v:***@e/f');
  });

  it('leaves a URL without a password and MySQL\'s "(using password: YES)" readable', () => {
    expect(maskSecrets('postgres://root@127.0.0.1:5432/x')).toBe('postgres://root@127.0.0.1:5432/x');
    const denied = "Access denied for user 'root'@'127.0.0.1' (using password: YES)";
    expect(maskSecrets(denied)).toBe(denied);
    expect(maskSecrets('host=h password=s3cret user=u')).toBe('host=h password=*** user=u');
  });
});

describe('serverSettings', () => {
  it('reads a URL and the object form into the same settings', () => {
    const url = serverSettings('postgres://etl:p%40ss%3Aw%2Frd@db:6432/warehouse?sslmode=verify-full&sslrootcert=/ca.pem', postgresProfile);
    const object = serverSettings({ host: 'db', port: 6432, user: 'etl', password: 'p@ss:w/rd', database: 'warehouse', sslmode: 'verify-full', sslrootcert: '/ca.pem' }, postgresProfile);
    expect(url).toEqual(object);
    expect(url).toMatchObject({ host: 'db', port: 6432, user: 'etl', password: 'p@ss:w/rd', database: 'warehouse', tls: { mode: 'verify-full', rootCert: '/ca.pem', written: 'sslmode=verify-full' } });
  });

  it('defaults to prefer, as psql and the mysql client do', () => {
    expect(serverSettings('postgres://root@127.0.0.1/x', postgresProfile).tls).toMatchObject({ mode: 'prefer', written: 'sslmode=prefer, the default' });
    expect(serverSettings('mysql://root@127.0.0.1', mysqlProfile).tls).toMatchObject({ mode: 'prefer', written: 'ssl-mode=PREFERRED, the default' });
  });

  it('maps MySQL ssl-mode values (any case) onto the same modes', () => {
    const mode = (m: string) => serverSettings(`mysql://root@h?ssl-mode=${m}`, mysqlProfile).tls.mode;
    expect(['DISABLED', 'preferred', 'Required', 'VERIFY_CA', 'verify_identity'].map(mode)).toEqual(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']);
  });

  it('refuses parameters and keys the engine does not understand, naming them', () => {
    const url = failure(() => serverSettings('postgres://root:pw@h/x?sslmode=require&ssl-mode=REQUIRED&foo=1', postgresProfile));
    expect(url.code).toBe('CONFIG_INVALID');
    expect(url.exitCode).toBe(2);
    expect(url.message).toBe('connection postgres://root:***@h/x?sslmode=require&ssl-mode=REQUIRED&foo=1 has parameters PostgreSQL does not understand: ssl-mode, foo');
    const object = failure(() => serverSettings({ host: 'h', sslmode: 'require' }, mysqlProfile));
    expect(object.message).toBe('connection: has settings MySQL/MariaDB does not understand: sslmode');
    expect(object.hint).toContain('ssl-mode, ssl-ca, ssl-cert, ssl-key');
    expect(failure(() => serverSettings('postgres://h/x?sslmode=allow', postgresProfile)).message).toBe('sslmode=allow is not a TLS mode PostgreSQL knows');
  });
});

describe('TLS modes', () => {
  let dir: string;
  let ca: string;
  beforeAll(() => {
    dir = tempDir();
    ca = path.join(dir, 'ca.pem');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
  });
  afterAll(() => cleanup(dir));
  const tls = (query: string) => tlsOptions(serverSettings(`postgres://h/x?${query}`, postgresProfile).tls);

  it('tries TLS then plain only for prefer; require and the verify modes never fall back', () => {
    expect(tlsAttempts('disable')).toEqual([false]);
    expect(tlsAttempts('prefer')).toEqual([true, false]);
    for (const mode of ['require', 'verify-ca', 'verify-full'] as const) expect(tlsAttempts(mode)).toEqual([true]);
  });

  it('verifies as libpq does: require checks nothing unless given a root certificate, verify-full also checks the host', () => {
    expect(tls('sslmode=require')).toMatchObject({ rejectUnauthorized: false, verifyHost: false });
    expect(tls(`sslmode=require&sslrootcert=${ca}`)).toMatchObject({ rejectUnauthorized: true, verifyHost: false, ca: expect.stringContaining('BEGIN CERTIFICATE') });
    expect(tls(`sslmode=verify-ca&sslrootcert=${ca}`)).toMatchObject({ rejectUnauthorized: true, verifyHost: false });
    expect(tls(`sslmode=verify-full&sslrootcert=${ca}`)).toMatchObject({ rejectUnauthorized: true, verifyHost: true });
  });

  it('MySQL\'s VERIFY_IDENTITY needs a host name: its driver would check an address against "localhost"', async () => {
    const e = await connectMysql('mysql://root@127.0.0.1:1?ssl-mode=VERIFY_IDENTITY', { readOnly: true }).then(() => undefined, (err: TheseusError) => err);
    expect(e?.code).toBe('CONFIG_INVALID');
    expect(e?.message).toContain('ssl-mode=VERIFY_IDENTITY needs a host name, not the address 127.0.0.1');
  });

  it('a certificate file that cannot be read is a config error', () => {
    const e = failure(() => tls(`sslmode=verify-ca&sslrootcert=${path.join(dir, 'none.pem')}`));
    expect(e.code).toBe('TLS_FILE_UNREADABLE');
    expect(e.exitCode).toBe(2);
  });
});

describe('a server URL given to duckdb', () => {
  it('is kept as written, never resolved as a path (which hid it from the mask)', () => {
    const c = validateConfig(
      { dialect: 'duckdb', connection: 'postgres://root:p@ss@127.0.0.1/x', tables: { t: { legacy: 'a.t', target: 'b.t', view: 'c.t', key: 'id', cursor: 'ts' } } },
      '/etc/theseus/migrate.yaml',
      {},
    );
    expect(c.connection).toBe('postgres://root:p@ss@127.0.0.1/x');
  });
});
