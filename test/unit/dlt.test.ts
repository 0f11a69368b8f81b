import * as zlib from 'node:zlib';
import { nextLoadId } from '../../src/dlt/loadId';
import { decodeStoredSchema } from '../../src/dlt/storedSchema';

describe('load ids after every load a dlt dataset holds', () => {
  it.each([
    ['1764654000.123456', [], '1764654000.123456'],
    ['1764654000.123456', ['1700000000.123456', '1700000100.5'], '1764654000.123456'],
    // A clock behind the pipeline's last load: the first id after it, as a number and as text.
    ['1764654000.123456', ['1764654000.5'], '1764654000.500001'],
    ['1764654000.123456', ['4102444800.0', '1700000000.1'], '4102444800.000001'],
    // dlt's own form, str(float): fewer decimals.
    ['1764654000.000000', ['1764654000.9999999'], '1764654001.000001'],
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
