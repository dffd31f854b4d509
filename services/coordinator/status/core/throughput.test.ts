import { describe, expect, it } from 'vitest';
import { ThroughputHistory } from './throughput.ts';

const T = 1_700_000_000_000;
const counts = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('ThroughputHistory', () => {
  it.each([
    {
      name: 'first sample is the baseline, then deltas per second',
      samples: [
        [0, { r1: 100 }],
        [2_000, { r1: 300 }],
        [4_000, { r1: 300 }],
      ],
      points: [
        [2_000, 100],
        [4_000, 0],
      ],
    },
    {
      name: 'a run appearing later is its own baseline; a run disappearing contributes nothing',
      samples: [
        [0, { r1: 0 }],
        [1_000, { r1: 10, r2: 5_000 }],
        [2_000, { r2: 5_020 }],
      ],
      points: [
        [1_000, 10],
        [2_000, 20],
      ],
    },
    {
      name: 'a count going down is not negative throughput',
      samples: [
        [0, { r1: 50 }],
        [1_000, { r1: 40 }],
      ],
      points: [[1_000, 0]],
    },
    {
      name: 'samples closer than the minimum interval are ignored',
      samples: [
        [0, { r1: 0 }],
        [500, { r1: 1_000 }],
        [1_000, { r1: 10 }],
      ],
      points: [[1_000, 10]],
    },
    {
      name: 'a clock going backwards is ignored',
      samples: [
        [5_000, { r1: 0 }],
        [1_000, { r1: 10 }],
      ],
      points: [],
    },
  ] as const)('$name', ({ samples, points }) => {
    const h = new ThroughputHistory({ spanMs: 60_000, minIntervalMs: 1_000 });
    for (const [at, c] of samples) h.record(T + at, counts(c));
    expect(h.series().map((p) => [p.atMs - T, p.perSec])).toEqual(points);
  });

  it('drops points older than the span', () => {
    const h = new ThroughputHistory({ spanMs: 10_000, minIntervalMs: 1_000 });
    for (let s = 0; s <= 30; s += 5) h.record(T + s * 1000, counts({ r: s * 10 }));
    expect(h.series().map((p) => (p.atMs - T) / 1000)).toEqual([20, 25, 30]);
  });
});
