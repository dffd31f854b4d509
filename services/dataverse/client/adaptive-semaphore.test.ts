import { describe, expect, it } from 'vitest';
import { AdaptiveSemaphore, type Release } from './adaptive-semaphore.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('AdaptiveSemaphore', () => {
  it('admits up to the ceiling and queues the rest in order', async () => {
    const s = new AdaptiveSemaphore(2);
    const order: number[] = [];
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const p3 = s.acquire().then((r) => (order.push(3), r));
    const p4 = s.acquire().then((r) => (order.push(4), r));
    await tick();
    expect([s.inFlight, s.waiting, order]).toEqual([2, 2, []]);
    r1();
    await tick();
    expect(order).toEqual([3]);
    r1(); // releasing twice is harmless
    expect(s.inFlight).toBe(2);
    r2();
    await tick();
    expect(order).toEqual([3, 4]);
    (await p3)();
    (await p4)();
    expect(s.inFlight).toBe(0);
  });

  it.each<[string, number, number[], number]>([
    // [name, ceiling, sequence (0 = throttled, n>0 = n successes), expected limit]
    ['halves on 429', 8, [0], 4],
    ['never below 1', 1, [0, 0], 1],
    ['two 429s', 8, [0, 0], 2],
    ['ramps +1 after `limit` successes', 8, [0, 4], 5],
    ['ramp is additive', 8, [0, 4, 5], 6],
    ['ramp stops at the ceiling', 4, [0, 2, 3, 100], 4],
    ['a 429 restarts the ramp count', 8, [0, 3, 0, 1], 2],
  ])('%s', (_name, ceiling, seq, expected) => {
    const s = new AdaptiveSemaphore(ceiling);
    for (const n of seq) {
      if (n === 0) s.onThrottled();
      else for (let i = 0; i < n; i++) s.onSuccess();
    }
    expect(s.limit).toBe(expected);
  });

  it('applies a lower limit to new acquisitions while requests are in flight', async () => {
    const s = new AdaptiveSemaphore(4);
    const held: Release[] = await Promise.all([s.acquire(), s.acquire(), s.acquire()]);
    s.onThrottled(); // limit 2, 3 in flight
    let admitted = false;
    const p = s.acquire().then((r) => ((admitted = true), r));
    held[0]!();
    await tick();
    expect(admitted).toBe(false); // 2 in flight = limit
    held[1]!();
    await tick();
    expect(admitted).toBe(true);
    (await p)();
    held[2]!();
  });

  it('adjusts the ceiling at run time (x-ms-dop-hint)', async () => {
    const s = new AdaptiveSemaphore(8);
    s.setCeiling(2);
    expect([s.ceiling, s.limit]).toEqual([2, 2]);
    s.setCeiling(6);
    expect([s.ceiling, s.limit]).toEqual([6, 2]);
    for (let i = 0; i < 2 + 3 + 4 + 5; i++) s.onSuccess();
    expect(s.limit).toBe(6);
    s.setCeiling(0);
    expect(s.ceiling).toBe(1);
  });

  it('a waiter that aborts leaves the queue', async () => {
    const s = new AdaptiveSemaphore(1);
    const r = await s.acquire();
    const ac = new AbortController();
    const p = s.acquire(ac.signal);
    ac.abort(new Error('cancelled'));
    await expect(p).rejects.toThrow('cancelled');
    expect(s.waiting).toBe(0);
    r();
    expect(s.inFlight).toBe(0);
  });
});
