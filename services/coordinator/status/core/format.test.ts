import { describe, expect, it } from 'vitest';
import { formatPercent, formatTime } from './format.ts';

describe('status formatting', () => {
  it.each([
    [Date.UTC(2026, 2, 1, 10, 0, 5, 900), '2026-03-01 10:00:05Z'],
    [0, '1970-01-01 00:00:00Z'],
    [null, '-'],
    [undefined, '-'],
    [Number.NaN, '-'],
  ])('formatTime(%s) = %s', (ms, text) => expect(formatTime(ms)).toBe(text));

  it.each([
    [0, '0%'],
    [0.999, '99%'],
    [1, '100%'],
    [1.5, '100%'],
    [-0.2, '0%'],
    [undefined, '-'],
  ])('formatPercent(%s) = %s', (f, text) => expect(formatPercent(f)).toBe(text));
});
