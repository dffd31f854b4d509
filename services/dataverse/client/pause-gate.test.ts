import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { PauseGate } from './pause-gate.ts';

/** A sleep that advances the manual clock instead of waiting, and records each requested wait. */
function fakeTime(start = 1_000_000) {
  const clock = new ManualClock(start);
  const sleeps: number[] = [];
  const hooks: Array<() => void> = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
    hooks.shift()?.();
  };
  return { clock, sleeps, hooks, sleep };
}

describe('PauseGate', () => {
  it('lets requests through at once when never paused', async () => {
    const t = fakeTime();
    const gate = new PauseGate(t.clock, t.sleep);
    await gate.wait();
    expect(t.sleeps).toEqual([]);
    expect(gate.isPaused()).toBe(false);
  });

  it.each<[string, number[], number]>([
    ['one pause', [5000], 5000],
    ['a later deadline extends', [1000, 3000], 3000],
    ['an earlier deadline never shortens', [3000, 1000], 3000],
    ['zero', [0], 0],
    ['negative is ignored', [-50], 0],
  ])('%s', async (_name, pauses, expectedWait) => {
    const t = fakeTime();
    const gate = new PauseGate(t.clock, t.sleep);
    for (const p of pauses) gate.pauseFor(p);
    await gate.wait();
    expect(t.sleeps.reduce((a, b) => a + b, 0)).toBe(expectedWait);
    expect(gate.isPaused()).toBe(false);
  });

  it('holds every waiter until the deadline, re-checking when another 429 extends it mid-wait', async () => {
    const t = fakeTime();
    const gate = new PauseGate(t.clock, t.sleep);
    gate.pauseFor(1000);
    t.hooks.push(() => gate.pauseFor(2000)); // a second 429 lands during the first sleep
    await gate.wait();
    expect(t.sleeps).toEqual([1000, 2000]);
    expect(t.clock.nowMs()).toBe(1_000_000 + 3000);
  });

  it('shares the pause between requests', async () => {
    const t = fakeTime();
    const gate = new PauseGate(t.clock, t.sleep);
    gate.pauseFor(4000);
    expect(gate.pausedUntilMs).toBe(1_004_000);
    await Promise.all([gate.wait(), gate.wait()]);
    expect(t.clock.nowMs()).toBeGreaterThanOrEqual(1_004_000);
  });

  it('rejects with the abort reason', async () => {
    const t = fakeTime();
    const gate = new PauseGate(t.clock, t.sleep);
    gate.pauseFor(1000);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(gate.wait(ac.signal)).rejects.toThrow('stop');
  });
});
