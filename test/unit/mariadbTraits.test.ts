import { hasCrc32c, mysql } from '../../dialects/mysql';

/** The row checksum MariaDB 10.8+ gets (its two CRCs), chosen by what the server says it is; MySQL keeps the md5 prefix. */
describe('MySQL/MariaDB row checksum by server', () => {
  it.each([
    ['10.11.19-MariaDB-0+deb12u1', true],
    ['11.4.2-MariaDB', true],
    ['10.8.0-MariaDB', true],
    ['10.6.16-MariaDB', false],
    ['8.0.36', false],
    ['8.4.0-0ubuntu0.24.04.1', false],
  ])('%s: CRC32C %s', (version, expected) => expect(hasCrc32c(version)).toBe(expected));

  it('the dialect with the trait hashes with both CRCs; without, with the md5 prefix', () => {
    expect(mysql.withTraits!({ crc32c: true }).hash60('x')).toBe('(CRC32(x) * 268435456 + (CRC32C(x) & 268435455))');
    expect(mysql.withTraits!({ crc32c: false }).hash60('x')).toBe('CAST(CONV(SUBSTRING(MD5(x), 1, 15), 16, 10) AS UNSIGNED)');
    expect(mysql.withTraits!({})).toBe(mysql);
  });
});
