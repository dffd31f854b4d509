import { describe, expect, it } from 'vitest';
import { burstStart, createdOnAt, lowerBound, modifiedOnAt, timeLayout, windowRange } from './time-layout.ts';

const anchor = Date.UTC(2026, 0, 1);

describe('time layout', () => {
  it.each([
    [1, 7],
    [1_000, 7],
    [50_000, 42],
    [1_000_000, 42],
  ])('is non-decreasing and ends at the anchor (%i rows, seed %i)', (rows, seed) => {
    const layout = timeLayout(rows, anchor, seed);
    const step = Math.max(1, Math.floor(rows / 5_000));
    let previous = -Infinity;
    for (let i = 0; i < rows; i += step) {
      const m = modifiedOnAt(layout, i);
      expect(m).toBeGreaterThanOrEqual(previous);
      expect(m % 1000).toBe(0);
      expect(createdOnAt(layout, i)).toBeLessThanOrEqual(m);
      previous = m;
    }
    expect(modifiedOnAt(layout, rows - 1)).toBeLessThanOrEqual(anchor);
  });

  it('is a pure function of its inputs', () => {
    const a = timeLayout(100_000, anchor, 9);
    const b = timeLayout(100_000, anchor, 9);
    const c = timeLayout(100_000, anchor, 10);
    const sample = [0, 17, 4_242, 99_999];
    expect(sample.map((i) => modifiedOnAt(a, i))).toEqual(sample.map((i) => modifiedOnAt(b, i)));
    const starts = (l: typeof a) => Array.from({ length: 10 }, (_, k) => burstStart(l, k * 10_000 + 5_000)).join();
    expect(starts(a)).not.toEqual(starts(c));
  });

  it('has import bursts of many rows sharing one second', () => {
    const layout = timeLayout(200_000, anchor, 3);
    const counts = new Map<number, number>();
    for (let i = 0; i < 200_000; i++) counts.set(modifiedOnAt(layout, i), (counts.get(modifiedOnAt(layout, i)) ?? 0) + 1);
    expect([...counts.values()].reduce((a, b) => Math.max(a, b), 0)).toBeGreaterThanOrEqual(500);
  });

  it('is skewed to recent times', () => {
    const layout = timeLayout(100_000, anchor, 5);
    const lastMonth = windowRange(layout, anchor - 30 * 86_400_000, undefined);
    expect(lastMonth[1] - lastMonth[0]).toBeGreaterThan(5_000); // > 5% of rows in ~3% of the span
  });

  it.each([
    [0, 0],
    [10, 3],
    [10, 10],
  ])('lowerBound finds the first true index (%i rows, boundary %i)', (rows, boundary) => {
    expect(lowerBound(rows, (i) => i >= boundary)).toBe(Math.min(rows, boundary));
  });

  it.each([
    [Date.UTC(2025, 5, 1), Date.UTC(2025, 6, 1)],
    [Date.UTC(2020, 0, 1), Date.UTC(2030, 0, 1)],
    [anchor - 7_200_000, anchor + 1000],
    [anchor + 1000, anchor + 5000],
  ])('windowRange(%i, %i) matches a linear scan', (from, to) => {
    const layout = timeLayout(30_000, anchor, 11);
    const [lo, hi] = windowRange(layout, from, to);
    let count = 0;
    for (let i = 0; i < 30_000; i++) {
      const m = modifiedOnAt(layout, i);
      if (m >= from && m < to) {
        count++;
        expect(i).toBeGreaterThanOrEqual(lo);
        expect(i).toBeLessThan(hi);
      }
    }
    expect(hi - lo).toBe(count);
  });
});
