import { describe, expect, it } from 'vitest';
import { WindowProgress } from './window-progress.ts';

describe('WindowProgress', () => {
  it.each([
    ['nothing', [], [], 0],
    ['one batch', [[0, 10, 5]], [{ partition: 0, offset: 15 }], 5],
    ['batches out of order keep the highest end', [[2, 100, 3], [2, 40, 10], [0, 7, 1]], [{ partition: 0, offset: 8 }, { partition: 2, offset: 103 }], 14],
    ['empty batches are ignored', [[1, 5, 0]], [], 0],
  ] as [string, [number, number, number][], { partition: number; offset: number }[], number][])('%s', (_name, acks, offsets, count) => {
    const p = new WindowProgress();
    for (const [partition, base, n] of acks) p.acknowledged(partition, base, n);
    expect(p.offsets()).toEqual(offsets);
    expect(p.count).toBe(count);
  });

  it.each([
    [[], null],
    [[5, 3, 9, 1], 9],
  ] as [number[], number | null][])('max modifiedon of %j is %s', (seen, max) => {
    const p = new WindowProgress();
    for (const ms of seen) p.sawModifiedOn(ms);
    expect(p.maxModifiedOnMs).toBe(max);
  });
});
