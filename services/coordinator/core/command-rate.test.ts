import { describe, expect, it } from 'vitest';
import { CommandRate } from './command-rate.ts';

const MIN = 60_000;

describe('CommandRate', () => {
  it('allows the burst, then one command per refill interval, per connection', () => {
    const rate = new CommandRate({ burst: 3, perHour: 60 });
    expect([0, 0, 0, 0].map((t) => rate.take('acme', t))).toEqual([true, true, true, false]);
    expect(rate.take('other', 0)).toBe(true); // another connection has its own bucket
    expect(rate.waitMs('acme', 0)).toBe(MIN);
    expect(rate.take('acme', MIN - 1)).toBe(false);
    expect(rate.take('acme', MIN)).toBe(true);
    expect(rate.take('acme', MIN)).toBe(false);
    expect(rate.waitMs('acme', MIN + 30_000)).toBe(30_000);
  });

  it('refills up to the burst, never beyond', () => {
    const rate = new CommandRate({ burst: 2, perHour: 60 });
    rate.take('acme', 0);
    expect([10 * 60 * MIN, 10 * 60 * MIN, 10 * 60 * MIN].map((t) => rate.take('acme', t))).toEqual([true, true, false]);
  });

  it('a clock going backwards refills nothing', () => {
    const rate = new CommandRate({ burst: 1, perHour: 60 });
    expect(rate.take('acme', 10 * MIN)).toBe(true);
    expect(rate.take('acme', 0)).toBe(false);
  });
});
