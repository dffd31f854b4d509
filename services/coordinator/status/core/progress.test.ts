import { describe, expect, it } from 'vitest';
import { progressOf, sumCounts } from './progress.ts';

const S = 1_700_000_000_000;

describe('progressOf', () => {
  it.each([
    { name: 'nothing planned yet', c: [0, 0, 0], start: S, end: S + 5_000, running: true, want: { fraction: null, elapsedMs: 5_000, ratePerSec: 0, etaMs: null } },
    { name: 'a quarter done after 10 s: 30 s to go', c: [1, 4, 500], start: S, end: S + 10_000, running: true, want: { fraction: 0.25, elapsedMs: 10_000, ratePerSec: 50, etaMs: 30_000 } },
    { name: 'no window done: no ETA yet', c: [0, 8, 0], start: S, end: S + 10_000, running: true, want: { fraction: 0, elapsedMs: 10_000, ratePerSec: 0, etaMs: null } },
    { name: 'all done: ETA 0 even when the run still runs', c: [3, 3, 90], start: S, end: S + 3_000, running: true, want: { fraction: 1, elapsedMs: 3_000, ratePerSec: 30, etaMs: 0 } },
    { name: 'failed run part-done: no ETA', c: [1, 2, 10], start: S, end: S + 2_000, running: false, want: { fraction: 0.5, elapsedMs: 2_000, ratePerSec: 5, etaMs: null } },
    { name: 'under a second: no rate', c: [1, 2, 10], start: S, end: S + 999, running: true, want: { fraction: 0.5, elapsedMs: 999, ratePerSec: null, etaMs: 999 } },
    { name: 'unknown start', c: [1, 2, 10], start: null, end: S, running: true, want: { fraction: 0.5, elapsedMs: null, ratePerSec: null, etaMs: null } },
    { name: 'end before start (clock skew) counts as 0', c: [1, 2, 10], start: S, end: S - 500, running: true, want: { fraction: 0.5, elapsedMs: 0, ratePerSec: null, etaMs: 0 } },
    { name: 'more done than total (replayed split) is capped', c: [5, 4, 10], start: S, end: S + 4_000, running: true, want: { fraction: 1, elapsedMs: 4_000, ratePerSec: 2.5, etaMs: 0 } },
  ] as const)('$name', ({ c, start, end, running, want }) => {
    expect(progressOf({ windowsDone: c[0], windowsTotal: c[1], records: c[2] }, start, end, running)).toEqual(want);
  });

  it('sums counts', () => {
    expect(sumCounts([{ windowsDone: 1, windowsTotal: 2, records: 3 }, { windowsDone: 4, windowsTotal: 5, records: 6 }])).toEqual({ windowsDone: 5, windowsTotal: 7, records: 9 });
    expect(sumCounts([])).toEqual({ windowsDone: 0, windowsTotal: 0, records: 0 });
  });
});
