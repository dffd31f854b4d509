import { describe, expect, it } from 'vitest';
import { digitCount, formatDecimal, fromTwosComplement, parseDecimal, rescale, toTwosComplement } from './decimal.ts';

describe('parseDecimal', () => {
  it.each<[string, bigint, number]>([
    ['0', 0n, 0],
    ['-0', 0n, 0],
    ['20000.0000', 200000000n, 4],
    ['922337203685477.0000', 9223372036854770000n, 4],
    ['-922337203685477.5808', -9223372036854775808n, 4],
    ['-0.0001', -1n, 4],
    ['1E-10', 1n, 10],
    ['1e-10', 1n, 10],
    ['1.5e3', 1500n, 0],
    ['+7', 7n, 0],
    ['.5', 5n, 1],
    ['5.', 5n, 0],
    ['0.1', 1n, 1],
  ])('%s', (text, unscaled, scale) => {
    expect(parseDecimal(text)).toEqual({ unscaled, scale });
  });

  it.each([[''], ['.'], ['-'], ['abc'], ['1.2.3'], ['1e'], ['0x10'], ['NaN'], ['Infinity'], [' 1'], ['1,5'], ['1e101'], ['9'.repeat(201)]])(
    'refuses %j',
    (text) => {
      expect(parseDecimal(text)).toBeUndefined();
    },
  );
});

describe('rescale', () => {
  it.each<[string, number, bigint | undefined]>([
    ['1.23', 4, 12300n],
    ['1.2300', 2, 123n],
    ['1.2345', 4, 12345n],
    ['1.23456', 4, undefined],
    ['-0.00001', 4, undefined],
    ['1e-10', 10, 1n],
    ['1e-11', 10, undefined],
  ])('%s at scale %i', (text, scale, out) => {
    const d = parseDecimal(text);
    if (!d) throw new Error('parse');
    expect(rescale(d, scale)).toBe(out);
  });
});

describe('formatDecimal', () => {
  it.each<[bigint, number, string]>([
    [0n, 0, '0'],
    [0n, 4, '0.0000'],
    [-1n, 4, '-0.0001'],
    [5n, 3, '0.005'],
    [-1234n, 2, '-12.34'],
    [9223372036854770000n, 4, '922337203685477.0000'],
    [1n, 10, '0.0000000001'],
  ])('(%s, %i) → %s', (unscaled, scale, text) => {
    expect(formatDecimal(unscaled, scale)).toBe(text);
  });
});

describe('two’s complement', () => {
  it.each<[bigint, number[]]>([
    [0n, [0x00]],
    [1n, [0x01]],
    [-1n, [0xff]],
    [127n, [0x7f]],
    [128n, [0x00, 0x80]],
    [-128n, [0x80]],
    [-129n, [0xff, 0x7f]],
    [255n, [0x00, 0xff]],
    [256n, [0x01, 0x00]],
    [-9223372036854775808n, [0x80, 0, 0, 0, 0, 0, 0, 0]],
    [9223372036854775807n, [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ])('%s ↔ %j', (n, bytes) => {
    expect([...toTwosComplement(n)]).toEqual(bytes);
    expect(fromTwosComplement(Uint8Array.from(bytes))).toBe(n);
  });

  it('round-trips 38-digit values of both signs', () => {
    for (const n of [10n ** 38n - 1n, -(10n ** 38n - 1n), 12345678901234567890123456789012345678n]) {
      expect(fromTwosComplement(toTwosComplement(n))).toBe(n);
    }
  });

  it('reads non-minimal encodings (sign-extended)', () => {
    expect(fromTwosComplement(Uint8Array.from([0xff, 0xff, 0xfe]))).toBe(-2n);
    expect(fromTwosComplement(Uint8Array.from([0x00, 0x00, 0x02]))).toBe(2n);
    expect(fromTwosComplement(new Uint8Array())).toBe(0n);
  });

  it('counts digits', () => {
    expect([digitCount(0n), digitCount(-999n), digitCount(10n ** 38n)]).toEqual([1, 3, 39]);
  });
});
