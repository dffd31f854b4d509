import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { createLogger } from '../shared/log.ts';
import { createLoaderMetrics } from './metrics.ts';
import { chunksOf, createBatchHandler, isRebalanceError, tableOf } from './batch-handler.ts';

describe('batch handler parts', () => {
  it.each([
    ['dynamics.contoso.account', 'account'],
    ['dynamics.contoso.a.b', 'a.b'],
    ['dynamics.contoso', ''],
  ])('the table of %s is "%s"', (topic, table) => expect(tableOf(topic)).toBe(table));

  it.each([
    [[], 2, []],
    [[1, 2, 3, 4, 5], 2, [[1, 2], [3, 4], [5]]],
    [[1, 2], 2, [[1, 2]]],
    [[1, 2], 5, [[1, 2]]],
  ])('%j in slices of %i are %j', (items, size, slices) => expect([...chunksOf(items, size)]).toEqual(slices));

  it.each([
    [{ type: 'UNKNOWN_MEMBER_ID' }, true],
    [{ type: 'REBALANCE_IN_PROGRESS' }, true],
    [{ type: 'ILLEGAL_GENERATION' }, true],
    [{ type: 'NOT_COORDINATOR' }, true],
    [{ type: 'OFFSET_METADATA_TOO_LARGE' }, false],
    [new Error('broker down'), false],
  ])('%j means the group moved on: %s', (err, moved) => expect(isRebalanceError(err)).toBe(moved));
});

/** A batch of `count` messages of one partition, and what the handler did with it, in order. */
function scenario(count: number, commitError?: unknown) {
  const steps: string[] = [];
  const metrics = createLoaderMetrics(new Registry());
  const consumer = {
    commitOffsets: async ([c]: { offset: string }[]) => {
      steps.push(`commit ${c!.offset}`);
      if (commitError) throw commitError;
    },
  } as unknown as Consumer;
  const handle = createBatchHandler({
    loadChunk: async (_topic, _partition, messages) => {
      steps.push(`load ${messages.map((m) => m.offset).join(',')}`);
      return new Map([['run', { written: messages.length, deleted: 0, unchanged: 0, older: 0, dead: 0 }]]);
    },
    metrics,
    log: createLogger('test', 'silent'),
    chunkSize: 2,
    consumer: () => consumer,
  });
  const messages = Array.from({ length: count }, (_, i) => ({ offset: String(i) }));
  const payload = {
    batch: { topic: 'dynamics.contoso.account', partition: 1, messages },
    resolveOffset: (o: string) => steps.push(`resolve ${o}`),
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { steps, metrics, run: () => handle(payload) };
}

describe('batch handler', () => {
  it('commits each chunk after it was loaded (Invariant 3) and counts it', async () => {
    const { steps, metrics, run } = scenario(5);
    await run();
    expect(steps).toEqual(['load 0,1', 'resolve 1', 'commit 2', 'load 2,3', 'resolve 3', 'commit 4', 'load 4', 'resolve 4', 'commit 5']);
    expect((await metrics.batches.get()).values).toEqual([{ labels: { table: 'account' }, value: 3 }]);
    expect((await metrics.records.get()).values).toContainEqual({ labels: { table: 'account', outcome: 'written' }, value: 5 });
  });

  it('leaves the rest of the batch when the group moved on, uncounted', async () => {
    const { steps, metrics, run } = scenario(5, { type: 'REBALANCE_IN_PROGRESS' });
    await run();
    expect(steps).toEqual(['load 0,1', 'resolve 1', 'commit 2']);
    expect((await metrics.batches.get()).values).toEqual([]);
  });

  it('throws any other commit failure', async () => {
    const { run } = scenario(1, new Error('broker down'));
    await expect(run()).rejects.toThrow('broker down');
  });
});
