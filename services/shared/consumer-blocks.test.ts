import { describe, expect, it, vi } from 'vitest';
import { commitAfter, keepBeating, nextOffset, serialQueue } from './consumer-blocks.ts';

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
});
