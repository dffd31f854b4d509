import { describe, expect, it } from 'vitest';
import { HeartbeatWatch, stallThresholdMs } from './heartbeat-watch.ts';

type Step = ['start' | 'end', string, number] | ['clear'];

describe('HeartbeatWatch', () => {
  it.each<[string, Step[], number, { address: string; forMs: number }[]]>([
    ['nothing in flight', [], 10_000, []],
    ['a heartbeat in flight for less than the threshold', [['start', 'a:1', 0]], 1_000, []],
    ['exactly at the threshold is not yet stalled', [['start', 'a:1', 0]], 1_000 + 1_000, []],
    ['a heartbeat in flight for longer than the threshold', [['start', 'a:1', 0]], 2_500, [{ address: 'a:1', forMs: 2_500 }]],
    ['an ended heartbeat is not stalled', [['start', 'a:1', 0], ['end', 'a:1', 100]], 5_000, []],
    ['a new heartbeat restarts the clock', [['start', 'a:1', 0], ['end', 'a:1', 100], ['start', 'a:1', 4_000]], 5_000, []],
    ['servers are watched separately', [['start', 'a:1', 0], ['start', 'b:1', 3_000]], 5_000, [{ address: 'a:1', forMs: 5_000 }]],
    ['clear forgets everything', [['start', 'a:1', 0], ['clear']], 5_000, []],
  ])('%s', (_name, steps, now, expected) => {
    const w = new HeartbeatWatch(2_000);
    for (const s of steps) {
      if (s[0] === 'clear') w.clear();
      else if (s[0] === 'start') w.started(s[1], s[2]);
      else w.ended(s[1]);
    }
    expect(w.stalled(now)).toEqual(expected);
  });

  it.each([
    [10_000, 25_000],
    [30_000, 65_000],
  ])('connectTimeoutMS %i → stalled after %i ms (connect + handshake + margin)', (connect, stall) => expect(stallThresholdMs(connect)).toBe(stall));
});
