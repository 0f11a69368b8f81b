import { chooseRelation } from '../../dialects/chooseRelation';
import { duckdb } from '../../dialects/duckdb';
import { fitIdentifier, identifierLength } from '../../dialects/identifierLength';
import { mysql } from '../../dialects/mysql';
import { postgres } from '../../dialects/postgres';
import { validateConfig } from '../../src/config/load';
import { checkNameLengths } from '../../src/config/nameLengths';
import { TheseusError } from '../../src/errors';
import { archiveNameFor } from '../../src/plan/retire';
import { keyIndexName } from '../../src/plan/upsertStyle';

const table = { legacy: 'legacy_schema.orders', target: 'dlt_schema.orders', view: 'dw.all_orders', key: 'id', cursor: 'created_at' };
const config = (overrides: Record<string, unknown>) => validateConfig({ dialect: 'postgres', connection: 'postgres://x@h/db', tables: { orders: { ...table, ...overrides } } }, '/x/migrate.yaml', {});

function refusal(fn: () => unknown): TheseusError | undefined {
  try {
    fn();
  } catch (e) {
    return e as TheseusError;
  }
  return undefined;
}

describe('identifier limits', () => {
  it('PostgreSQL counts bytes, MariaDB characters, DuckDB has no limit', () => {
    expect(postgres.maxIdentifierLength).toEqual({ max: 63, unit: 'bytes' });
    expect(mysql.maxIdentifierLength).toEqual({ max: 64, unit: 'characters' });
    expect(duckdb.maxIdentifierLength).toBeUndefined();
    expect(identifierLength('é'.repeat(32), postgres.maxIdentifierLength!)).toBe(64);
    expect(identifierLength('é'.repeat(32), mysql.maxIdentifierLength!)).toBe(32);
  });

  it('a config name over the limit is refused (exit 2), naming where it is written', () => {
    const err = refusal(() => checkNameLengths(config({ key: 'k'.repeat(64) }), postgres));
    expect(err?.code).toBe('NAME_TOO_LONG');
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toBe(`tables.orders.key: "${'k'.repeat(64)}" is 64 bytes long; postgres keeps names of at most 63 bytes`);
    expect(refusal(() => checkNameLengths(config({ key: 'k'.repeat(63) }), postgres))).toBeUndefined();
    // 32 two-byte characters: too long for PostgreSQL's bytes, fine for MariaDB's characters.
    const accented = config({ legacy: `legacy_schema.${'é'.repeat(32)}` });
    expect(refusal(() => checkNameLengths(accented, postgres))?.message).toMatch(/^tables\.orders\.legacy: .* is 64 bytes long/);
    expect(refusal(() => checkNameLengths(accented, mysql))).toBeUndefined();
    expect(refusal(() => checkNameLengths(config({ view: `${'s'.repeat(65)}.v` }), mysql))?.message).toMatch(/^tables\.orders\.view \(schema\): .* is 65 characters long/);
    expect(refusal(() => checkNameLengths(config({ columns: { total: { from: 'o'.repeat(70) } } }), mysql))?.message).toMatch(/^tables\.orders\.columns\.total\.from: /);
    expect(refusal(() => checkNameLengths(config({ key: 'k'.repeat(200) }), duckdb))).toBeUndefined();
  });

  it('archive names are shortened to fit, with a hash that tells long names apart', () => {
    const day = new Date(Date.UTC(2026, 11, 2));
    const long = `invoices_${'x'.repeat(46)}`;
    expect(archiveNameFor({ name: 'orders' }, day, postgres)).toBe('orders__retired_20261202');
    expect(archiveNameFor({ name: long }, day, duckdb)).toBe(`${long}__retired_20261202`);
    for (const d of [postgres, mysql]) {
      const a = archiveNameFor({ name: long }, day, d);
      const b = archiveNameFor({ name: `${long}y` }, day, d);
      expect(identifierLength(a, d.maxIdentifierLength!)).toBeLessThanOrEqual(d.maxIdentifierLength!.max);
      expect(a).toMatch(/^invoices_x+_[0-9a-f]{6}__retired_20261202$/);
      expect(a).not.toBe(b);
    }
    // The unique index --create-key-index makes fits too: 48 characters of a two-byte name were 96 bytes, cut by PostgreSQL.
    expect(keyIndexName('orders', postgres)).toBe('orders__theseus_key');
    expect(Buffer.byteLength(keyIndexName('ü'.repeat(60), postgres))).toBeLessThanOrEqual(63);
    expect([...keyIndexName('ü'.repeat(60), mysql)].length).toBeLessThanOrEqual(64);
    // Cut on a character boundary: never half of a two-byte character.
    const fitted = fitIdentifier('é'.repeat(40), '__retired_20261202', postgres.maxIdentifierLength);
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(63);
    expect(fitted).toMatch(/^é+_[0-9a-f]{6}__retired_20261202$/);
  });
});

describe('names that differ only in case', () => {
  const found = [
    { schema: 'legacy', name: 'invoices' },
    { schema: 'legacy', name: 'Invoices' },
  ];
  it('the spelling as written wins; a single match is taken whatever its case', () => {
    expect(chooseRelation(found, { schema: 'legacy', name: 'Invoices' })).toBe(found[1]);
    expect(chooseRelation(found, { schema: 'legacy', name: 'invoices' })).toBe(found[0]);
    expect(chooseRelation([found[1]], { schema: 'LEGACY', name: 'INVOICES' })).toBe(found[1]);
    expect(chooseRelation([], { name: 'x' })).toBeUndefined();
  });

  it('several matches, none as written, are refused with the candidates (exit 2)', () => {
    const err = refusal(() => chooseRelation(found, { schema: 'legacy', name: 'INVOICES' }));
    expect(err?.code).toBe('AMBIGUOUS_NAME');
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toBe('legacy.INVOICES matches 2 tables that differ only in case: legacy.invoices, legacy.Invoices');
  });
});
