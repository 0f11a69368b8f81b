import * as zlib from 'node:zlib';
import { loadIdSequence, nextLoadId } from '../../src/dlt/loadId';
import { decodeStoredSchema } from '../../src/dlt/storedSchema';
import { hardDeleteFlag } from '../../src/dlt/hardDelete';
import { epochText, utcCursorText } from '../../src/dlt/appendOverlap';
import type { DltTableHints } from '../../src/dlt/tableHints';
import type { TableContext } from '../../src/plan/tableContext';
import { dltColumns } from '../../src/dlt/dataset';
import { snowflake } from '../../dialects/snowflake';
import { postgres } from '../../dialects/postgres';

describe("dlt's own columns, quoted in the case dlt stored its table in", () => {
  it("Snowflake's default naming (_DLT_VERSION) has VERSION and SCHEMA; its case-sensitive naming and other engines keep lower case", () => {
    expect(dltColumns(snowflake, { schema: 'DLT', name: '_DLT_VERSION' }, ['version', 'schema'])).toEqual({ c_version: '"VERSION"', c_schema: '"SCHEMA"' });
    expect(dltColumns(snowflake, { schema: 'dlt', name: '_dlt_version' }, ['version'])).toEqual({ c_version: '"version"' });
    expect(dltColumns(postgres, { schema: 'dlt', name: '_dlt_loads' }, ['load_id'])).toEqual({ c_load_id: '"load_id"' });
  });
});

describe('load ids after every load a dlt dataset holds', () => {
  it.each([
    ['1764654000.123456', [], '1764654000.123456'],
    ['1764654000.123456', ['1700000000.123456', '1700000100.5'], '1764654000.123456'],
    // A clock behind the pipeline's last load: an id in the millisecond after it (with the run's microseconds),
    // as a number and as text.
    ['1764654000.123456', ['1764654000.5'], '1764654000.501456'],
    ['1764654000.123456', ['4102444800.0', '1700000000.1'], '4102444800.001456'],
    ['1764654000.123456', ['1764654000.123456'], '1764654000.124456'],
    // dlt's own form, str(float): fewer decimals.
    ['1764654000.000000', ['1764654000.9999999'], '1764654001.001000'],
    // Pinned clocks (THESEUS_NOW) keep their own spelling when nothing is later.
    ['1700000000', ['1699999999.5'], '1700000000'],
  ])('clock %s, loads %j → %s', (clock, existing, expected) => {
    const id = nextLoadId(clock, existing as string[]);
    expect(id).toBe(expected);
    for (const e of existing as string[]) {
      expect(Number(id)).toBeGreaterThan(Number(e));
      expect(id > e).toBe(true);
    }
  });
});

describe("a run's successive load ids", () => {
  it('are a millisecond apart and keep the run\'s microseconds, so two runs from one latest load do not meet', () => {
    const a = loadIdSequence(nextLoadId('1764654000.000123', ['1900000000.0']));
    const b = loadIdSequence(nextLoadId('1764654000.000777', ['1900000000.0']));
    const ids = [a(), a(), a(), b(), b(), b()];
    expect(ids).toEqual(['1900000000.001123', '1900000000.002123', '1900000000.003123', '1900000000.001777', '1900000000.002777', '1900000000.003777']);
    expect(new Set(ids).size).toBe(6);
  });
});

describe("dlt's stored schema in _dlt_version", () => {
  const schema = { name: 'erp', version_hash: 'h', tables: { orders: { write_disposition: 'merge' } } };
  it('reads plain JSON and base64 of zlib-compressed JSON alike', () => {
    expect(decodeStoredSchema(JSON.stringify(schema))).toEqual(schema);
    expect(decodeStoredSchema(zlib.deflateSync(Buffer.from(JSON.stringify(schema))).toString('base64'))).toEqual(schema);
  });
  it('ignores a value that is neither (the row is not used)', () => {
    expect(decodeStoredSchema('not a schema')).toBeUndefined();
    expect(decodeStoredSchema('{"name": "x"}')).toBeUndefined();
  });
});

describe("dlt's hard_delete flag (what a merge load deletes)", () => {
  const column = (name: string, type: string, role = 'mapped') => ({ role, target: { name, type, nullable: true }, legacySql: `l.${name}` });
  const ctx = (hints: Partial<DltTableHints> | undefined, columns = [column('id', 'bigint'), column('deleted', 'tinyint(1)'), column('deleted_at', 'timestamp')]) =>
    ({ dlt: { loadIds: [], hints: hints && { table: 't', primaryKey: [], mergeKey: [], children: [], ...hints } }, alignment: { columns } }) as unknown as Pick<TableContext, 'dlt' | 'alignment'>;
  it('a bool column flags with = TRUE (its data_type, else the target type), any other with IS NOT NULL', () => {
    const bool = hardDeleteFlag(ctx({ writeDisposition: 'merge', hardDelete: 'deleted' }))!;
    expect([bool.bool, bool.kept('x'), bool.flagged('x')]).toEqual([true, '(x IS NULL OR x = FALSE)', 'x = TRUE']);
    const declared = hardDeleteFlag(ctx({ writeDisposition: 'merge', hardDelete: 'deleted_at', hardDeleteType: 'bool' }))!;
    expect(declared.bool).toBe(true);
    const stamp = hardDeleteFlag(ctx({ writeDisposition: 'merge', hardDelete: 'deleted', hardDeleteType: 'timestamp' }))!;
    expect([stamp.bool, stamp.kept('x'), stamp.flagged('x')]).toEqual([false, 'x IS NULL', 'x IS NOT NULL']);
    expect(hardDeleteFlag(ctx({ writeDisposition: 'merge', hardDelete: 'DELETED_AT' }))!.column.target.name).toBe('deleted_at');
  });
  it('nothing is flagged where dlt does not merge, has no hint, or no legacy column feeds the flag', () => {
    expect(hardDeleteFlag(ctx({ writeDisposition: 'append', hardDelete: 'deleted' }))).toBeUndefined();
    expect(hardDeleteFlag(ctx({ writeDisposition: 'merge' }))).toBeUndefined();
    expect(hardDeleteFlag(ctx(undefined))).toBeUndefined();
    expect(hardDeleteFlag(ctx({ writeDisposition: 'merge', hardDelete: 'deleted' }, [column('id', 'bigint'), column('deleted', 'boolean', 'absent')]))).toBeUndefined();
  });
});

describe("the append warning's cursor value, in UTC", () => {
  it.each([
    ['2024-03-31 23:59:59', '2024-03-31 23:59:59 UTC'],
    ['2024-03-31 23:59:59.250000', '2024-03-31 23:59:59.25 UTC'],
    ['2024-03-31 23:59:59.000000+00', '2024-03-31 23:59:59 UTC'],
    ['2024-04-01 01:59:59+02', '2024-03-31 23:59:59 UTC'],
    ['2024-03-31T20:29:59.123456-03:30', '2024-03-31 23:59:59.123456 UTC'],
    ['2024-04-01 00:59:59+0100', '2024-03-31 23:59:59 UTC'],
    ['2024-03-31', '2024-03-31 UTC'],
    ['not a time', 'not a time'],
  ])('%s → %s', (text, expected) => expect(utcCursorText(text)).toBe(expected));
});

describe("the append warning's value for an integer epoch cursor", () => {
  it.each([
    ['2024-12-28 21:59:47.123 UTC', 'ms', '1735423187123'],
    ['2024-12-28 21:59:47 UTC', 's', '1735423187'],
    ['2024-12-28 21:59:47.000123 UTC', 'us', '1735423187000123'],
    ['not a time', 's', undefined],
  ] as const)('%s in %s → %s', (utc, unit, expected) => {
    expect(epochText(utc, unit)).toBe(expected);
  });
});
