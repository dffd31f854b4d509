/**
 * Task scheduling of the extractor as a real child process (real Kafka, the simulator answering 150 ms late, like
 * a remote Dataverse): a task starts as soon as a slot is free, not when every window of the previous fetch has
 * ended. Before, kafkajs handed over the next tasks only once every handler of a fetch had returned, and a handler
 * awaited its whole window, so the children of a split waited behind the longest window running.
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startService, type ServiceProcess } from '../../harness/service-process.ts';
import { controlTopics } from '../../services/shared/topics.ts';
import { servers, testKafka } from '../support/servers.ts';
import { startExtractHarness, type ExtractHarness } from '../../harness/extract-harness.ts';
import { TASKS_TOPIC } from '../../services/contracts/topic-names.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';

const BURST_AT = '2022-03-01T08:00:00Z';
/** Two bulks of contacts 10 s apart: a window over both splits once, into two halves of 1,250 rows. */
const HALF_A_AT = '2019-05-01T10:00:00Z';
const HALF_B_AT = '2019-05-01T10:00:10Z';

/**
 * Commits the (new) extractor group at the end of sync.tasks, so it starts caught up instead of first skipping the
 * tasks other test files left there; returns the sync.tasks partition kafkajs's default partitioner gives a key
 * (what the harness's producer uses).
 */
async function prepareTasksTopic(groupId: string): Promise<(key: string) => number> {
  const admin = testKafka('task-scheduling-test').admin();
  await admin.connect();
  try {
    await ensureTopics(admin, controlTopics());
    const ends = await admin.fetchTopicOffsets(TASKS_TOPIC);
    await admin.setOffsets({ groupId, topic: TASKS_TOPIC, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
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
  let partitionOf: (key: string) => number;

  beforeAll(async () => {
    h = await startExtractHarness(
      { brokers: servers.brokers(), registryUrl: servers.registryUrl(), mongoUri: servers.mongoUri(), env: servers.env() },
      { rows: 100 },
    );
    // two slots; windows over 2,000 rows split; 100-row pages, so the long window below is ~100 requests
    const env = h.extractorEnv({ EXTRACTOR_SLOTS: '2', EXTRACTOR_SPLIT_ROWS: '2000', DATAVERSE_PAGE_SIZE: '100' });
    partitionOf = await prepareTasksTopic(env.EXTRACTOR_GROUP_ID!);
    extractor = startService('extractor', env);
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

  it('SIGTERM mid-window: exits cleanly after the drain time without committing the window; the next instance completes it', async () => {
    const at = '2023-09-01T06:00:00Z';
    await h.control('POST', '/tables/account/bulk', { count: 10_000, modifiedon: at });
    await h.control('POST', '/faults', { latencyMs: 150 });
    const env = h.extractorEnv({ EXTRACTOR_SLOTS: '2', DATAVERSE_PAGE_SIZE: '100', EXTRACTOR_DRAIN_MS: '1000', EXTRACTOR_SESSION_TIMEOUT_MS: '10000' });
    await extractor.kill('SIGTERM'); // this test's instances only (a clean leave: no wait for its session to expire)
    const first = startService('extractor', env);
    const port = await first.opsPort();
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 60_000);
    const from = new Date(at);
    const run = h.runTable('account', from, new Date(from.getTime() + 1000), { timeoutMs: 240_000 });
    await eventually(async () => /^dynsync_extractor_windows_in_flight({[^}]*})? 1$/m.test(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()), 60_000, 100);
    await new Promise((r) => setTimeout(r, 1_000)); // some pages of the ~20 s window are produced
    expect(await first.kill('SIGTERM')).toBe(0); // a clean exit: drained, group left
    expect(first.logs.some((l) => l.msg === 'window abandoned on shutdown; it will be redelivered')).toBe(true);
    expect(run.completedCount()).toBe(0); // nothing reported, nothing committed
    extractor = startService('extractor', env); // the same group: the task is delivered again
    await h.control('DELETE', '/faults');
    const result = await run.done;
    expect(result.completed.reduce((n, c) => n + c.count, 0)).toBe(10_000);
  }, 300_000); // a hang guard, not a speed check
});
