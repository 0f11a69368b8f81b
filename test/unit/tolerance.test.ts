import { percentText, withinTolerance } from '../../src/verify/outcome';

describe("verify.tolerance, compared exactly (as the slice's SQL guard compares it)", () => {
  test('a percentage whose double lands just under the product still admits a difference of exactly that much', () => {
    // 0.57 * 10000 is 5699.999999999999 in floating point: the difference of 0.57 on 100.00 was refused.
    expect(withinTolerance(10000n, 10057n, 2, { kind: 'percent', percent: 0.57 })).toBe(true);
    expect(withinTolerance(10000n, 10058n, 2, { kind: 'percent', percent: 0.57 })).toBe(false);
    expect(withinTolerance(-10000n, -9943n, 2, { kind: 'percent', percent: 0.57 })).toBe(true);
  });

  test('an absolute amount, at the metric scale', () => {
    expect(withinTolerance(10000n, 10001n, 2, { kind: 'absolute', amount: 0.01 })).toBe(true);
    expect(withinTolerance(10000n, 10002n, 2, { kind: 'absolute', amount: 0.01 })).toBe(false);
  });

  test('a percentage is written as a plain decimal, never in exponent form (it goes into SQL as a literal)', () => {
    expect(percentText(0.57)).toBe('0.57');
    expect(percentText(1e-7)).toBe('0.0000001');
    expect(percentText(5)).toBe('5');
  });
});
