import { isCreateRace } from '../../src/backfill/transient';
import { TheseusError } from '../../src/errors';

describe("a lost race of two CREATE … IF NOT EXISTS (PostgreSQL's catalog refuses the second): run again, not an error", () => {
  test('what PostgreSQL raises for the loser, also wrapped in our own error', () => {
    const lost = Object.assign(new Error('duplicate key value violates unique constraint "pg_type_typname_nsp_index"'), { code: '23505', constraint: 'pg_type_typname_nsp_index' });
    expect(isCreateRace(lost)).toBe(true);
    expect(isCreateRace(Object.assign(new Error('relation "x" already exists'), { code: '42P07' }))).toBe(true);
    expect(isCreateRace(Object.assign(new Error('schema "x" already exists'), { code: '42P06' }))).toBe(true);
    expect(isCreateRace(new TheseusError('database', 'DATABASE_ERROR', 'orders: the pre-image table: …', undefined, { cause: lost }))).toBe(true);
  });

  test("a unique key of the user's own tables is not such a race", () => {
    expect(isCreateRace(Object.assign(new Error('duplicate key value violates unique constraint "orders_pkey"'), { code: '23505', constraint: 'orders_pkey' }))).toBe(false);
    expect(isCreateRace(Object.assign(new Error('Duplicate entry'), { errno: 1062 }))).toBe(false);
    expect(isCreateRace(new Error('anything else'))).toBe(false);
  });
});
