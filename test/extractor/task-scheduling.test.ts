/**
 * Task scheduling of the extractor as a real child process (real Kafka, the simulator answering 150 ms late, like
 * a remote Dataverse): a task starts as soon as a slot is free, not when every window of the previous fetch has
 * ended. Before, kafkajs handed over the next tasks only once every handler of a fetch had returned, and a handler
 * awaited its whole window, so the children of a split waited behind the longest window running.
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startService, type ServiceProcess } from '../../infra/demo/service-process.ts';
import { createKafka } from '../../services/shared/kafka.ts';
import { TASKS_TOPIC } from '../../services/shared/topics.ts';
import { servers } from '../support/servers.ts';
import { startExtractHarness, type ExtractHarness } from './extract-harness.ts';

const BURST_AT = '2022-03-01T08:00:00Z';
/** Two bulks of contacts 10 s apart: a window over both splits once, into two halves of 1,250 rows. */
const HALF_A_AT = '2019-05-01T10:00:00Z';
const HALF_B_AT = '2019-05-01T10:00:10Z';

/** The sync.tasks partition kafkajs's default partitioner gives `key` (what the harness's producer uses). */
async function taskPartitioner(): Promise<(key: string) => number> {
  const admin = createKafka('task-scheduling-test', servers.brokers()).admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [TASKS_TOPIC] });
    const partitionMetadata = (meta.topics[0]?.partitions ?? []) as PartitionMetadata[];
    const partitioner = Partitioners.DefaultPartitioner();
    return (key) => partitioner({ topic: TASKS_TOPIC, partitionMetadata, message: { key, value: null } });
  } finally {
    await admin.disconnect();
  }
}

describe('extractor task scheduling', () => {
  let h: ExtractHarness;
  let extractor: ServiceProcess;

  beforeAll(async () => {
    h = await startExtractHarness(
      { brokers: servers.brokers(), registryUrl: servers.registryUrl(), mongoUri: servers.mongoUri() },
      { rows: 100 },
    );
    // two slots; windows over 2,000 rows split; 100-row pages, so the long window below is ~100 requests
    extractor = startService('extractor', h.extractorEnv({ EXTRACTOR_SLOTS: '2', EXTRACTOR_SPLIT_ROWS: '2000', DATAVERSE_PAGE_SIZE: '100' }));
    const port = await extractor.opsPort();
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 60_000);
  });

  afterAll(async () => {
    await h?.control('DELETE', '/faults').catch(() => undefined);
    await extractor?.kill('SIGKILL');
    await h?.close();
  });

  it("a split's children run while a long window of an earlier task is still running", async () => {
    await h.control('POST', '/tables/account/bulk', { count: 10_000, modifiedon: BURST_AT });
    await h.control('POST', '/tables/contact/bulk', { count: 1_250, modifiedon: HALF_A_AT });
    await h.control('POST', '/tables/contact/bulk', { count: 1_250, modifiedon: HALF_B_AT });
    await h.control('POST', '/faults', { latencyMs: 150 });
    const partitionOf = await taskPartitioner();
    // the long task: one second holding 10,000 rows (never split, paged to the end: ~100 pages of 150 ms+)
    const longId = randomUUID();
    const burstFrom = new Date(BURST_AT);
    const long = h.runTable('account', burstFrom, new Date(burstFrom.getTime() + 1000), { taskId: longId, timeoutMs: 240_000 });
    const longEnded = long.done.then(() => Date.now());
    await new Promise((r) => setTimeout(r, 3_000)); // the long window is running
    // the splitting task and its two halves, all on other partitions (a partition runs one task at a time, by design)
    let splitId = randomUUID();
    while ([splitId, `${splitId}.0`, `${splitId}.1`].some((id) => partitionOf(id) === partitionOf(longId))) splitId = randomUUID();
    const halvesFrom = new Date(HALF_A_AT);
    const split = h.runTable('contact', halvesFrom, new Date(Date.parse(HALF_B_AT) + 1000), { taskId: splitId, timeoutMs: 240_000 });
    const splitEnded = split.done.then(() => Date.now());

    const [splitRun, splitAt, longAt] = [await split.done, await splitEnded, await longEnded];
    expect(splitRun.splits).toBe(1); // it did split, and its halves completed…
    expect(splitRun.completed.reduce((n, c) => n + c.count, 0)).toBe(2_500);
    expect(splitAt).toBeLessThan(longAt); // …before the long window of the earlier fetch ended
    expect((await long.done).completed.reduce((n, c) => n + c.count, 0)).toBe(10_000);
  }, 300_000); // a hang guard, not a speed check
});
