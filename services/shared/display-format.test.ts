import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatEta, formatRate } from './display-format.ts';

describe('display formats (dynsync status and the status page)', () => {
  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [60_000, '1m00s'],
    [185_000, '3m05s'],
    [2 * 3_600_000 + 7 * 60_000 + 59_000, '2h07m'],
    [3 * 86_400_000 + 4 * 3_600_000 + 1, '3d04h'],
    [-1, '-'],
    [Number.POSITIVE_INFINITY, '-'],
    [null, '-'],
  ])('formatDuration(%s) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [1_234_567, '1,234,567'],
    [-4321, '-4,321'],
    [12.6, '13'],
    [Number.NaN, '-'],
  ])('formatCount(%s) = %s', (n, text) => expect(formatCount(n)).toBe(text));

  it.each([
    [0, '0.0/s'],
    [2.46, '2.5/s'],
    [9.94, '9.9/s'],
    [1234.4, '1,234/s'],
    [-1, '-'],
    [null, '-'],
  ])('formatRate(%s) = %s', (r, text) => expect(formatRate(r)).toBe(text));

  it.each([
    [0, '0s'],
    [45_400, '45s'],
    [59_999, '59s'],
    [65_000, '1m05s'],
    [3_599_000, '59m59s'],
    [2 * 3600_000 + 3 * 60_000, '2h03m'],
    [3 * 86_400_000 + 4 * 3600_000, '3d04h'],
    [null, '-'],
    [-1, '-'],
    [Number.NaN, '-'],
  ])('formatDuration(%s) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [null, '-'],
    [0, '0.0/s'],
    [3.46, '3.5/s'],
    [10, '10/s'],
    [1234.4, '1,234/s'],
    [Number.POSITIVE_INFINITY, '-'],
  ])('formatRate(%s) = %s', (rate, text) => {
    expect(formatRate(rate)).toBe(text);
  });

  it.each([
    [0, 'done'],
    [null, '-'],
    [65_000, '1m05s'],
  ])('formatEta(%s) = %s', (eta, text) => {
    expect(formatEta(eta)).toBe(text);
  });

});
