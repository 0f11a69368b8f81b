import { snowflakeSettings } from '../../dialects/snowflake/connectionSettings';
import { queryTag } from '../../dialects/snowflake/driver';
import { maskSecrets, type TheseusError } from '../../src/errors';

/** `connection:` for Snowflake, offline: the object and URL forms, refusals, and what never shows in a message. */
describe('Snowflake connection settings', () => {
  const failure = (f: () => unknown): TheseusError => {
    try {
      f();
    } catch (err) {
      return err as TheseusError;
    }
    throw new Error('expected an error');
  };

  test('the URL and the object form mean the same', () => {
    const url = snowflakeSettings('snowflake://etl:p%40ss@xy12345.eu-west-1/ANALYTICS/RAW?warehouse=LOAD_WH&role=MIGRATOR');
    const object = snowflakeSettings({ account: 'xy12345.eu-west-1', username: 'etl', password: 'p@ss', database: 'ANALYTICS', schema: 'RAW', warehouse: 'LOAD_WH', role: 'MIGRATOR' });
    expect(url).toEqual(object);
    expect(url).toEqual({ account: 'xy12345.eu-west-1', username: 'etl', password: 'p@ss', database: 'ANALYTICS', schema: 'RAW', warehouse: 'LOAD_WH', role: 'MIGRATOR' });
  });

  test('a private key means key-pair authentication; with a password as well it is refused', () => {
    expect(snowflakeSettings({ account: 'a', user: 'etl', private_key_path: '/keys/rsa_key.p8', private_key_passphrase: 'k3y' })).toEqual({
      account: 'a',
      username: 'etl',
      privateKeyPath: '/keys/rsa_key.p8',
      privateKeyPass: 'k3y',
      authenticator: 'SNOWFLAKE_JWT',
    });
    expect(failure(() => snowflakeSettings({ account: 'a', password: 'x', private_key_path: '/k.p8' })).message).toMatch(/both a password and private_key_path/);
  });

  test('unknown settings, a missing account and other schemes are refused by name, with the password masked', () => {
    const typo = failure(() => snowflakeSettings('snowflake://etl:s3cret@acct/DB?warehose=WH'));
    expect(typo.code).toBe('CONFIG_INVALID');
    expect(typo.message).toBe('connection snowflake://etl:***@acct/DB?warehose=WH has settings Snowflake does not understand: warehose');
    expect(failure(() => snowflakeSettings({ username: 'etl' })).message).toMatch(/names no account/);
    expect(failure(() => snowflakeSettings('postgres://etl:s3cret@h/db')).message).toBe('connection postgres://etl:***@h/db is a postgres: URL; this dialect expects snowflake://');
  });

  test('a key passphrase is masked like a password', () => {
    expect(maskSecrets('snowflake://etl@acct/DB?private_key_path=/k.p8&private_key_passphrase=k3y')).toBe('snowflake://etl@acct/DB?private_key_path=/k.p8&private_key_passphrase=***');
  });

  test('the query tag names the tool, the run and the command, as JSON', () => {
    expect(queryTag({ readOnly: false, runId: '1733130000.5-ab12cd', command: 'backfill' })).toBe('{"tool":"theseus","run":"1733130000.5-ab12cd","command":"backfill"}');
    expect(queryTag({ readOnly: true })).toBe('{"tool":"theseus"}');
  });
});
