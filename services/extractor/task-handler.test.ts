import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EachMessagePayload } from 'kafkajs';
import type { SyncTask } from '../contracts/control-messages.ts';
import { AdaptiveSemaphore } from '../dataverse/client/adaptive-semaphore.ts';
import { ManualClock } from '../shared/clock.ts';
import type { ControlCodec } from '../shared/control-codec.ts';
import { SyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { ExtractorMetrics } from './metrics.ts';
import { taskHandler } from './task-handler.ts';

/** A handler whose codec reads the connection from the message value ('bad' is undecodable, 'down' a registry failure). */
function setup(ends: boolean[] = []) {
  const seen = { runs: 0, dlq: 0, skipped: [] as string[], commits: [] as string[], seeks: [] as string[], pauses: 0, resumes: 0 };
  const state = { stopping: false };
  const codec = {
    decodeTask: async (value: Buffer) => {
      if (String(value) === 'bad') throw new SyncError('RECORD_INVALID', 'not a task');
      if (String(value) === 'down') throw new SyncError('REGISTRY_UNAVAILABLE', 'registry down');
      return { taskId: 't', connection: String(value) } as SyncTask;
    },
  } as unknown as ControlCodec;
  const handler = taskHandler({
    consumer: { seek: ({ offset }) => void seen.seeks.push(offset) },
    producer: { send: async () => (seen.dlq++, []) },
    codec,
    connections: /^mine$/,
    slots: new AdaptiveSemaphore(1),
    runner: { run: async () => (seen.runs++, ends.shift() ?? true), abortAll: () => undefined },
    commits: { commit: async ({ offset }) => void seen.commits.push(offset), skip: (_p, offset) => void seen.skipped.push(offset), close: async () => undefined },
    metrics: { tasks: { inc: vi.fn() } } as unknown as ExtractorMetrics,
    log: { error: vi.fn(), warn: vi.fn() } as unknown as Logger,
    clock: new ManualClock(0),
    stopping: () => state.stopping,
  });
  const message = (value: string, offset: string) =>
    ({
      topic: 'tasks',
      partition: 0,
      message: { offset, key: null, value: Buffer.from(value) },
      heartbeat: async () => undefined,
      pause: () => (seen.pauses++, () => void seen.resumes++),
    }) as unknown as EachMessagePayload;
  return { handler, seen, state, message };
}

describe('task handler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it.each<[string, string, Partial<ReturnType<typeof setup>['seen']>]>([
    ['a task of this deployment runs in its paused partition, then it is resumed', 'mine', { runs: 1, pauses: 1, resumes: 1, commits: [], skipped: [] }],
    ['a task of another connection is skipped without work', 'theirs', { runs: 0, pauses: 0, skipped: ['5'], commits: [] }],
    ['an undecodable task goes to the DLQ and is committed', 'bad', { runs: 0, dlq: 1, commits: ['5'] }],
  ])('%s', async (_name, value, expected) => {
    const { handler, seen, message } = setup();
    await handler.eachMessage(message(value, '5'));
    await handler.drain(1_000);
    expect(seen).toMatchObject(expected);
  });

  it('a registry failure is thrown (kafkajs redelivers)', async () => {
    const { handler, message } = setup();
    await expect(handler.eachMessage(message('down', '5'))).rejects.toThrow('registry down');
  });

  it('a task whose end was not recorded is sought back to after 2 s, then its partition resumed', async () => {
    const { handler, seen, message } = setup([false]);
    await handler.eachMessage(message('mine', '8'));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(seen).toMatchObject({ seeks: [], resumes: 0 });
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toMatchObject({ seeks: ['8'], resumes: 1 });
  });

  it('once stopping, a message pauses its partition and starts nothing', async () => {
    const { handler, seen, state, message } = setup();
    state.stopping = true;
    await handler.eachMessage(message('mine', '5'));
    expect(seen).toMatchObject({ runs: 0, pauses: 1, resumes: 0 });
  });
});
