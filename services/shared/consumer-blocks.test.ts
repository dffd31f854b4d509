import { describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { commitAfter, keepBeating, nextOffset, runRecovering, serialQueue } from './consumer-blocks.ts';

/** A stand-in for a kafkajs consumer: `run` is counted (and fails while `failing` > 0), events are emitted by hand. */
function fakeConsumer() {
  const emitter = new EventEmitter();
  const state = { runs: 0, failing: 0 };
  const consumer = {
    events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' },
    on: (event: string, listener: (e: unknown) => void) => emitter.on(event, listener),
    run: async () => {
      state.runs++;
      if (state.failing > 0) {
        state.failing--;
        throw new Error('broker unreachable');
      }
    },
  } as unknown as Consumer;
  const crash = (restart: boolean) => emitter.emit('consumer.crash', { payload: { error: new Error('Failed to find group coordinator'), restart } });
  const join = () => emitter.emit('consumer.group_join', { payload: {} });
  return { consumer, state, crash, join };
}


describe('consumer building blocks', () => {
  it.each([
    ['0', '1'],
    ['41', '42'],
    ['9007199254740993', '9007199254740994'], // beyond 2^53: exact
  ])('the position after offset %s is %s', (offset, next) => expect(nextOffset(offset)).toBe(next));

  it('commits the next position of the message', async () => {
    const commitOffsets = vi.fn(async () => undefined);
    await commitAfter({ commitOffsets }, 't', 2, '7');
    expect(commitOffsets).toHaveBeenCalledWith([{ topic: 't', partition: 2, offset: '8' }]);
  });

  it('beats every interval until stopped, and a failed beat does not stop the next', () => {
    vi.useFakeTimers();
    try {
      let beats = 0;
      const stop = keepBeating(async () => {
        beats++;
        if (beats === 1) throw new Error('coordinator moved');
      }, 1000);
      vi.advanceTimersByTime(3500);
      expect(beats).toBe(3);
      stop();
      vi.advanceTimersByTime(5000);
      expect(beats).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('runs steps one at a time in order; a failing step does not block the next', async () => {
    const q = serialQueue();
    const order: string[] = [];
    const slow = q.run(async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('slow');
      return 1;
    });
    const failing = q.run(async () => {
      order.push('failing');
      throw new Error('boom');
    });
    const fast = q.run(async () => {
      order.push('fast');
      return 3;
    });
    await expect(slow).resolves.toBe(1);
    await expect(failing).rejects.toThrow('boom');
    await expect(fast).resolves.toBe(3);
    await q.idle();
    expect(order).toEqual(['slow', 'failing', 'fast']);
  });

  describe('a consumer run again after crashes', () => {
    const log = { warn: vi.fn() };

    it.each([
      ['a crash kafkajs does not restart: runs again after 1 s', false, false, 2],
      ['a crash kafkajs restarts itself: left to kafkajs', true, false, 1],
      ['a crash while the service stops: left alone', false, true, 1],
    ])('%s', async (_name, restart, stopping, runs) => {
      vi.useFakeTimers();
      try {
        const f = fakeConsumer();
        await runRecovering(f.consumer, {}, { log, stopping: () => stopping });
        f.crash(restart);
        await vi.advanceTimersByTimeAsync(999);
        expect(f.state.runs).toBe(1);
        await vi.advanceTimersByTimeAsync(60_000);
        expect(f.state.runs).toBe(runs);
      } finally {
        vi.useRealTimers();
      }
    });

    it('retries a failing run with a doubling pause up to the cap, and starts from 1 s again after a join', async () => {
      vi.useFakeTimers();
      try {
        const f = fakeConsumer();
        await runRecovering(f.consumer, {}, { log, stopping: () => false, maxDelayMs: 4_000 });
        f.state.failing = 3;
        f.crash(false);
        const runsAt = async (ms: number) => {
          await vi.advanceTimersByTimeAsync(ms);
          return f.state.runs;
        };
        // runs again at 1 s (fails), 1 + 2 = 3 s (fails), 3 + 4 = 7 s (fails), 7 + 4 = 11 s (works)
        expect([await runsAt(1_000), await runsAt(2_000), await runsAt(4_000), await runsAt(3_999), await runsAt(1)]).toEqual([2, 3, 4, 4, 5]);
        f.join();
        f.crash(false);
        expect(await runsAt(1_000)).toBe(6);
      } finally {
        vi.useRealTimers();
      }
    });
  });
});
