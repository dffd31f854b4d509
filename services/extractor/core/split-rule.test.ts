import { describe, expect, it } from 'vitest';
import { LIMIT_EXCEEDED, oneGoPageSize, planWindow, readCountProbe, readsInOneGo, type CountProbe } from './split-rule.ts';

describe('readCountProbe', () => {
  it.each([
    ['small count', 12, {}, { count: 12, limitExceeded: false }],
    ['annotated false', 5000, { [LIMIT_EXCEEDED]: false }, { count: 5000, limitExceeded: false }],
    ['annotated true', 5000, { [LIMIT_EXCEEDED]: true }, { count: 5000, limitExceeded: true }],
    ['annotation as text', 5000, { [LIMIT_EXCEEDED]: 'true' }, { count: 5000, limitExceeded: true }],
    ['cap without annotation', 5000, {}, { count: 5000, limitExceeded: true }],
    ['zero', 0, {}, { count: 0, limitExceeded: false }],
  ] as const)('%s', (_name, count, annotations, expected) => {
    expect(readCountProbe({ count, annotations, rows: [] })).toEqual(expected);
  });

  it('falls back to the rows when no count came back', () => {
    expect(readCountProbe({ count: undefined, annotations: {}, rows: [{}] })).toEqual({ count: 1, limitExceeded: false });
  });
});

describe('planWindow', () => {
  const p = (count: number, limitExceeded = false): CountProbe => ({ count, limitExceeded });
  it.each([
    ['no probe (one second): extract', null, false, 5000, 'extract'],
    ['unsplittable even when huge: extract', p(5000, true), false, 1000, 'extract'],
    ['empty', p(0), true, 5000, 'empty'],
    ['under the maximum', p(4999), true, 5000, 'extract'],
    ['at the maximum', p(5000), true, 5000, 'extract'],
    ['over a small maximum', p(1001), true, 1000, 'split'],
    ['cap exceeded', p(5000, true), true, 5000, 'split'],
  ] as const)('%s', (_name, probe, splittable, maxRows, action) => {
    expect(planWindow(probe, splittable, maxRows).action).toBe(action);
  });

  it('explains a split', () => {
    expect(planWindow(p(1500), true, 1000)).toEqual({ action: 'split', reason: '1500 rows > 1000' });
  });
});

describe('readsInOneGo', () => {
  it.each([
    ['not sized by the coordinator (absent)', undefined, false],
    ['not sized by the coordinator (null)', null, false],
    ['sized: no row expected', 0, true],
    ['sized: 2,000 rows expected', 2000, true],
  ])('%s', (_n, expected, want) => expect(readsInOneGo(expected)).toBe(want));
});

describe('oneGoPageSize', () => {
  it.each([
    ['a few rows: the configured page size', 10, 500, 500],
    ['more than a configured page: the rows plus 10 % and 10', 2000, 500, 2210],
    ['near the cap: Dataverse\'s 5,000', 4800, 500, 5000],
    ['a configured page larger than needed', 100, 5000, 5000],
  ])('%s', (_n, expected, pageSize, want) => expect(oneGoPageSize(expected, pageSize)).toBe(want));
});
