import { describe, expect, it } from 'vitest';
import { parseDecimal, rescale, toTwosComplement } from './decimal.ts';
import { isoDays, isoSecondsMs, newScratch, smallInteger, smallUnscaled, twosComplementInto } from './fast-values.ts';
import { toDateDays, toTimestampMs } from './value-converters.ts';

describe('smallInteger', () => {
  it.each<[string, number | undefined]>([
    ['0', 0], ['-0', -0], ['007', 7], ['2147483647', 2147483647], ['-2147483648', -2147483648], ['999999999999999', 999999999999999],
    ['1000000000000000', undefined], ['', undefined], ['-', undefined], ['1.5', undefined], ['1e3', undefined], ['+1', undefined], [' 1', undefined], ['12a', undefined],
  ])('%j → %s', (text, value) => {
    expect(smallInteger(text)).toBe(value);
  });
});

describe('smallUnscaled: the unscaled value the exact bigint path gives, or undefined', () => {
  const exact = (text: string, precision: number, scale: number): number | undefined => {
    const parsed = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? parseDecimal(text) : undefined;
    const unscaled = parsed && rescale(parsed, scale);
    if (unscaled === undefined || (unscaled < 0n ? -unscaled : unscaled).toString().length > precision) return undefined;
    return Number(unscaled);
  };
  it.each<[string, number, number, number | undefined]>([
    ['12.50', 38, 2, 1250], ['-12.5', 38, 2, -1250], ['0', 38, 4, 0], ['-0.0000', 38, 4, 0], ['1.2300', 38, 2, 123], ['16225.66', 38, 4, 162256600],
    ['0.0000000001', 38, 10, 1], ['-0.0000000001', 38, 10, -1], ['99999.99', 7, 2, 9999999], ['1407374883553.27', 38, 2, 2 ** 47 - 1],
    // the general path decides: too many decimals, too many digits, 2^47 and beyond, exponents, non-JSON forms
    ['0.125', 38, 2, undefined], ['100000.00', 7, 2, undefined], ['1407374883553.28', 38, 2, undefined], ['-1407374883553.28', 38, 2, undefined],
    ['922337203685477.0000', 38, 4, undefined], ['1234567890123456', 38, 0, undefined], ['1E-10', 38, 10, undefined], ['007', 38, 0, undefined],
    ['1.', 38, 2, undefined], ['.5', 38, 2, undefined], ['1.2.3', 38, 2, undefined], ['-', 38, 2, undefined], ['', 38, 2, undefined], ['12a', 38, 2, undefined],
  ])('%j at (%i, %i) → %s', (text, precision, scale, value) => {
    const got = smallUnscaled(text, precision, scale);
    expect(got).toBe(value);
    if (got !== undefined) expect(got).toBe(exact(text, precision, scale));
  });
});

describe('twosComplementInto', () => {
  it.each([0, 1, -1, 127, 128, -128, -129, 32767, 32768, 2 ** 31, -(2 ** 31) - 1, 2 ** 47 - 1, -(2 ** 47) + 1])('%d: the bytes of toTwosComplement', (v) => {
    const scratch = newScratch();
    expect(twosComplementInto(v, scratch).equals(toTwosComplement(BigInt(v)))).toBe(true);
  });

  it('reuses one buffer per length', () => {
    const scratch = newScratch();
    const a = twosComplementInto(1000, scratch);
    expect(twosComplementInto(-1000, scratch)).toBe(a);
    expect(a.equals(toTwosComplement(-1000n))).toBe(true);
  });
});

describe('isoSecondsMs and isoDays: the general converters\' values for their one form, else undefined', () => {
  it.each([
    ['2024-01-01T00:00:00Z', true], ['1753-01-01T00:00:00Z', true], ['9999-12-30T23:59:59Z', true], ['2024-02-29T12:34:56Z', true], ['0001-01-01T00:00:00Z', true],
    ['2023-02-29T00:00:00Z', false], ['2024-01-01T24:00:00Z', false], ['2024-01-01T00:60:00Z', false], ['2024-01-01T00:00:60Z', false], ['0000-01-01T00:00:00Z', false],
    ['2024-01-01T00:00:00.123Z', false], ['2024-01-01T01:30:00+01:30', false], ['2024-01-01 00:00:00Z', false], ['2024-01-0aT00:00:00Z', false], ['last tuesday', false],
  ])('%j (fast path: %s)', (text, fast) => {
    const got = isoSecondsMs(text);
    expect(got !== undefined).toBe(fast);
    if (got !== undefined) expect(got).toBe(toTimestampMs(text));
  });

  it.each([
    ['2024-02-29', true], ['1753-01-01', true], ['9999-12-31', true], ['0001-01-01', true],
    ['2023-02-29', false], ['2024-13-01', false], ['2024-00-10', false], ['0000-01-01', false], ['2024-01-01T00:00:00Z', false], ['24-01-01', false], ['2024/01/01', false],
  ])('%j (fast path: %s)', (text, fast) => {
    const got = isoDays(text);
    expect(got !== undefined).toBe(fast);
    if (got !== undefined) expect(got).toBe(toDateDays(text));
  });
});
