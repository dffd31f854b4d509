import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatPercent, formatRate, formatTime } from './format.ts';

describe('status formatting', () => {
  it.each([
    [Date.UTC(2026, 2, 1, 10, 0, 5, 900), '2026-03-01 10:00:05Z'],
    [0, '1970-01-01 00:00:00Z'],
    [null, '-'],
    [undefined, '-'],
    [Number.NaN, '-'],
  ])('formatTime(%s) = %s', (ms, text) => expect(formatTime(ms)).toBe(text));

  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [60_000, '1m 00s'],
    [185_000, '3m 05s'],
    [2 * 3_600_000 + 7 * 60_000 + 59_000, '2h 07m'],
    [3 * 86_400_000 + 4 * 3_600_000 + 1, '3d 04h'],
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
    [0, '0%'],
    [0.999, '99%'],
    [1, '100%'],
    [1.5, '100%'],
    [-0.2, '0%'],
    [undefined, '-'],
  ])('formatPercent(%s) = %s', (f, text) => expect(formatPercent(f)).toBe(text));
});
