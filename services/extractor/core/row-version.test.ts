import { describe, expect, it } from 'vitest';
import { rowVersion } from './row-version.ts';

describe('rowVersion', () => {
  it.each([
    ['exact text version', { modifiedon: '2024-01-01T00:00:01Z', versionnumber: '9007199254740993' }, Date.UTC(2024, 0, 1, 0, 0, 1), '9007199254740993'],
    ['int64 limits', { modifiedon: '2024-01-01T00:00:01Z', versionnumber: '-9223372036854775808' }, Date.UTC(2024, 0, 1, 0, 0, 1), '-9223372036854775808'],
    ['leading zeros made canonical', { modifiedon: '2024-01-01T00:00:01Z', versionnumber: '007' }, Date.UTC(2024, 0, 1, 0, 0, 1), '7'],
    ['-0 made canonical', { modifiedon: '2024-01-01T00:00:01Z', versionnumber: '-0' }, Date.UTC(2024, 0, 1, 0, 0, 1), '0'],
    ['number version', { modifiedon: '2024-01-01T00:00:01Z', versionnumber: 42 }, Date.UTC(2024, 0, 1, 0, 0, 1), '42'],
    ['no versionnumber', { modifiedon: '2024-01-01T00:00:01Z' }, Date.UTC(2024, 0, 1, 0, 0, 1), '0'],
  ])('%s', (_name, row, ms, version) => {
    expect(rowVersion(row, 'account')).toEqual({ modifiedOnMs: ms, version });
  });

  it.each([
    ['missing modifiedon', { versionnumber: '1' }, /no valid modifiedon/],
    ['garbage modifiedon', { modifiedon: 'yesterday' }, /no valid modifiedon/],
    ['impossible date', { modifiedon: '2024-13-45T00:00:00Z' }, /no valid modifiedon/],
    ['fractional version', { modifiedon: '2024-01-01T00:00:01Z', versionnumber: '1.5' }, /versionnumber/],
  ])('%s → RECORD_INVALID', (_name, row, message) => {
    expect(() => rowVersion(row, 'account')).toThrow(message);
  });
});
