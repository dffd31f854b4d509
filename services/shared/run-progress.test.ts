import { describe, expect, it } from 'vitest';
import { HISTORY_MS, addSample, measure, observe, type Counts, type Sample } from './run-progress.ts';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const s = (sec: number, windowsDone: number, records: number): Sample => ({ atMs: T0 + sec * 1000, windowsDone, records });

describe('addSample', () => {
  it.each<[string, Sample[] | undefined, Sample, Sample[]]>([
    ['starts a history', undefined, s(0, 0, 0), [s(0, 0, 0)]],
    ['appends', [s(0, 0, 0)], s(1, 1, 10), [s(0, 0, 0), s(1, 1, 10)]],
    ['drops samples older than the history span', [s(0, 0, 0), s(30, 1, 5), s(61, 2, 9)], s(65, 2, 12), [s(30, 1, 5), s(61, 2, 9), s(65, 2, 12)]],
    ['keeps only the newest after a long pause', [s(0, 0, 0)], s(600, 3, 30), [s(600, 3, 30)]],
    ['restarts when records go backwards (rebuilt projection)', [s(0, 1, 50), s(1, 1, 60)], s(2, 1, 40), [s(2, 1, 40)]],
    ['restarts when windows go backwards', [s(0, 2, 50)], s(1, 1, 50), [s(1, 1, 50)]],
    ['restarts when the clock goes backwards', [s(10, 0, 0)], s(5, 0, 0), [s(5, 0, 0)]],
  ])('%s', (_name, before, sample, expected) => {
    expect(addSample(before, sample, HISTORY_MS)).toEqual(expected);
  });

  it('observe keeps one history per key and forgets keys no longer read', () => {
    const h1 = observe(new Map(), new Map<string, Counts>([['r', { windowsDone: 0, windowsTotal: 4, records: 0 }], ['r/a', { windowsDone: 0, windowsTotal: 2, records: 0 }]]), T0);
    const h2 = observe(h1, new Map([['r', { windowsDone: 1, windowsTotal: 4, records: 10 }]]), T0 + 1000);
    expect([...h2.keys()]).toEqual(['r']);
    expect(h2.get('r')).toEqual([s(0, 0, 0), s(1, 1, 10)]);
  });
});

describe('measure', () => {
  const started = T0 - 100_000; // the run started 100 s before the first sample
  it.each<[string, Counts, Sample[], number, boolean, { fraction: number | null; recordsPerSec: number | null; etaMs: number | null }]>([
    [
      'rate and ETA from successive samples',
      { windowsDone: 4, windowsTotal: 16, records: 4000 },
      [s(0, 2, 2000), s(10, 3, 3000), s(20, 4, 4000)],
      20,
      true,
      // records over the last 10 s: 1000 / 10 s; windows over 20 s: 2 / 20 s → 12 left take 120 s
      { fraction: 0.25, recordsPerSec: 100, etaMs: 120_000 },
    ],
    [
      'one sample: the average since the run started',
      { windowsDone: 5, windowsTotal: 10, records: 1000 },
      [s(0, 5, 1000)],
      0,
      true,
      { fraction: 0.5, recordsPerSec: 10, etaMs: 100_000 },
    ],
    [
      'samples closer than a second: the average since the start',
      { windowsDone: 5, windowsTotal: 10, records: 1000 },
      [s(0, 5, 990), s(0.5, 5, 1000)],
      0.5,
      true,
      { fraction: 0.5, recordsPerSec: 1000 / 100.5, etaMs: Math.round((5 * 100_500) / 5) },
    ],
    [
      'no window finished lately: the ETA falls back to the run average, the rate is the live one',
      { windowsDone: 2, windowsTotal: 4, records: 500 },
      [s(0, 2, 400), s(12, 2, 450), s(20, 2, 500)],
      20,
      true,
      // records over the last 10 s: 50 / 8 s; windows: 2 done in the 120 s since the start → 2 left take 120 s
      { fraction: 0.5, recordsPerSec: 6.25, etaMs: 120_000 },
    ],
    ['nothing read yet: rate 0, no ETA', { windowsDone: 0, windowsTotal: 4, records: 0 }, [s(0, 0, 0)], 0, true, { fraction: 0, recordsPerSec: 0, etaMs: null }],
    ['every window done: ETA 0, no rate', { windowsDone: 4, windowsTotal: 4, records: 10 }, [s(0, 3, 5), s(5, 4, 10)], 5, true, { fraction: 1, recordsPerSec: null, etaMs: 0 }],
    ['split windows can make done exceed total: capped', { windowsDone: 5, windowsTotal: 4, records: 10 }, [s(0, 5, 10)], 0, true, { fraction: 1, recordsPerSec: null, etaMs: 0 }],
    ['a failed run makes no progress: no rate, no ETA', { windowsDone: 1, windowsTotal: 4, records: 10 }, [s(0, 0, 0), s(5, 1, 10)], 5, false, { fraction: 0.25, recordsPerSec: null, etaMs: null }],
    ['no window planned yet', { windowsDone: 0, windowsTotal: 0, records: 0 }, [s(0, 0, 0), s(5, 0, 0)], 5, true, { fraction: null, recordsPerSec: 0, etaMs: null }],
  ])('%s', (_name, counts, samples, nowSec, running, expected) => {
    const p = measure(counts, samples, T0 + nowSec * 1000, started, running);
    expect(p.fraction).toBe(expected.fraction);
    expect(p.etaMs).toBe(expected.etaMs);
    if (expected.recordsPerSec === null) expect(p.recordsPerSec).toBeNull();
    else expect(p.recordsPerSec).toBeCloseTo(expected.recordsPerSec, 6);
  });

  it('without a known start and a single sample there is no rate', () => {
    expect(measure({ windowsDone: 1, windowsTotal: 2, records: 5 }, [s(0, 1, 5)], T0, undefined, true)).toEqual({ fraction: 0.5, recordsPerSec: null, etaMs: null });
  });
});
