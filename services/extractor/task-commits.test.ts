import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../shared/log.ts';
import { TASKS_TOPIC } from '../contracts/topic-names.ts';
import { taskCommits } from './task-commits.ts';

type Offsets = { topic: string; partition: number; offset: string }[];

/** A consumer whose commits are recorded (and fail while `failing` > 0), and a log that records warnings. */
function setup() {
  const calls: Offsets[] = [];
  const state = { failing: 0 };
  const commitOffsets = vi.fn(async (offsets: Offsets) => {
    if (state.failing > 0) {
      state.failing--;
      throw new Error('rebalance in progress');
    }
    calls.push(offsets);
  });
  const log = { warn: vi.fn(), debug: vi.fn() };
  const commits = taskCommits({ commitOffsets }, log as unknown as Logger);
  return { calls, state, log, commits };
}

const at = (partition: number, offset: string) => ({ topic: TASKS_TOPIC, partition, offset });

describe('task commits', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('commits the position after a task', async () => {
    const { calls, commits } = setup();
    await commits.commit(at(3, '41'));
    expect(calls).toEqual([[at(3, '42')]]);
    await commits.close();
  });

  it('logs a failed commit instead of throwing (the task is redelivered)', async () => {
    const { calls, state, log, commits } = setup();
    state.failing = 1;
    await commits.commit(at(0, '5'));
    expect(calls).toEqual([]);
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ partition: 0, offset: '5' }), expect.stringContaining('redelivered'));
    await commits.close();
  });

  it.each<[string, [number, string][], [number, string][], Offsets[]]>([
    ['nothing skipped: no request', [], [], []],
    ['the last skipped task of each partition, in one request', [[1, '10'], [1, '11'], [2, '7']], [], [[at(1, '12'), at(2, '8')]]],
    ['a later task commit covers the skipped ones of its partition', [[1, '10'], [2, '7']], [[1, '20']], [[at(1, '21')], [at(2, '8')]]],
  ])('flushes skipped tasks once a second: %s', async (_name, skips, tasks, expected) => {
    const { calls, commits } = setup();
    for (const [partition, offset] of skips) commits.skip(partition, offset);
    for (const [partition, offset] of tasks) await commits.commit(at(partition, offset));
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toEqual(expected.slice(0, tasks.length));
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(expected);
    await commits.close();
  });

  it('a failed flush is only logged; those tasks are skipped again later', async () => {
    const { calls, state, log, commits } = setup();
    state.failing = 1;
    commits.skip(4, '1');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log.debug).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toEqual([]);
    await commits.close();
  });

  it('close flushes what is left and stops the timer', async () => {
    const { calls, commits } = setup();
    commits.skip(0, '9');
    await commits.close();
    expect(calls).toEqual([[at(0, '10')]]);
    commits.skip(0, '10');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(1);
  });

  it('commits one at a time, in the order asked', async () => {
    const order: string[] = [];
    let active = 0;
    const slow = taskCommits(
      {
        commitOffsets: async (offsets: Offsets) => {
          active++;
          expect(active).toBe(1);
          await new Promise((r) => setTimeout(r, 10));
          order.push(offsets[0]!.offset);
          active--;
        },
      },
      { warn: vi.fn(), debug: vi.fn() } as unknown as Logger,
    );
    const done = Promise.all([slow.commit(at(0, '1')), slow.commit(at(0, '2')), slow.commit(at(1, '3'))]);
    await vi.advanceTimersByTimeAsync(50);
    await done;
    expect(order).toEqual(['2', '3', '4']);
    await slow.close();
  });
});
