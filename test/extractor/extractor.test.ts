/**
 * The extractor as a real child process against the simulator (in-process, HTTPS, control on), real Kafka, the
 * registry and the state store. The test plays the coordinator: it publishes SyncTasks and folds the events of
 * sync.coordinator until every window of a run is completed, then reads the table topic with a plain consumer and
 * decodes every record with @kafkajs/confluent-schema-registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startService, type ServiceProcess } from '../../harness/service-process.ts';
import { servers } from '../support/servers.ts';
import { startExtractHarness, type ExtractHarness } from '../../harness/extract-harness.ts';

const ALL_FROM = new Date('2000-01-01T00:00:00Z');
const allTo = () => new Date(Date.now() + 2 * 86_400_000);
const BURST_AT = '2021-06-01T12:00:00Z';

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && !l.startsWith('#'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('extractor', () => {
  let h: ExtractHarness;
  let extractor: ServiceProcess;
  const started: ServiceProcess[] = [];

  const startExtractor = async (extra: Record<string, string> = {}) => {
    const p = startService('extractor', h.extractorEnv({ EXTRACTOR_SPLIT_ROWS: '2000', DATAVERSE_PAGE_SIZE: '2000', EXTRACTOR_SESSION_TIMEOUT_MS: '10000', ...extra }));
    started.push(p);
    const port = await p.opsPort();
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 60_000);
    return p;
  };

  beforeAll(async () => {
    h = await startExtractHarness(
      { brokers: servers.brokers(), registryUrl: servers.registryUrl(), mongoUri: servers.mongoUri(), env: servers.env() },
      { rows: 300, tableRows: { account: 100_000, contact: 1_000, opportunity: 20_000, new_widget: 20_000 } },
    );
    extractor = await startExtractor();
  });

  afterAll(async () => {
    await Promise.all(started.map((p) => p.kill('SIGKILL')));
    await h?.close();
  });

  it('extracts a 100,000-row table over many windows, every id present and decodable', async () => {
    const run = await h.runTable('account', ALL_FROM, allTo()).done;
    expect(run.failures).toEqual([]);
    expect(run.splits).toBeGreaterThan(10);
    expect(run.completed.filter((c) => c.count > 0).length).toBeGreaterThan(50);
    const truth = await h.truthIds('account');
    expect(truth.size).toBe(100_000);
    const topic = await h.readTopic('account');
    expect([...truth].filter((id) => !topic.ids.has(id))).toEqual([]);
    expect(topic.ids.size).toBe(truth.size);
    expect(run.completed.reduce((n, c) => n + c.count, 0)).toBe(topic.messages);
    // money keeps its currency (the run's currency map), lookups their target table
    expect(topic.sample).toMatchObject({ accountid: expect.any(String), modifiedon: expect.any(Date) });
    const ends = new Map<number, number>();
    for (const c of run.completed) for (const o of c.offsets) ends.set(o.partition, Math.max(ends.get(o.partition) ?? 0, o.offset));
    expect([...ends.values()].reduce((a, b) => a + b, 0)).toBe(topic.messages);
  }, 240_000); // a hang guard, not a speed check: in CI this file shares 2 cores with the loader and bad-input files

  it('extracts a 5,000-row burst sharing one modifiedon second whole', async () => {
    await h.control('POST', '/tables/contact/bulk', { count: 5000, modifiedon: BURST_AT });
    const from = new Date(Date.parse(BURST_AT) - 86_400_000);
    const to = new Date(Date.parse(BURST_AT) + 86_400_000);
    const run = await h.runTable('contact', from, to).done;
    expect(run.failures).toEqual([]);
    const burst = run.completed.find((c) => c.count >= 5000);
    expect(burst?.maxModifiedOn).toEqual(new Date(BURST_AT));
    const truth = await h.truthIds('contact', from.getTime(), to.getTime());
    expect(truth.size).toBeGreaterThanOrEqual(5000);
    const topic = await h.readTopic('contact');
    expect([...truth].filter((id) => !topic.ids.has(id))).toEqual([]);
  });

  it('survives a 429 storm, 5xx and truncated bodies without losing a row', async () => {
    const port = await extractor.opsPort();
    const throttledBefore = await metric(port, 'dynsync_dataverse_throttled_total');
    await h.control('POST', '/faults', { throttleRatio: 0.15, throttleRetryAfterSeconds: 1, errorRatio: 0.1, errorStatus: 503, truncateRatio: 0.03 });
    try {
      const run = await h.runTable('opportunity', ALL_FROM, allTo()).done;
      expect(run.failures.filter((f) => !f.retriable)).toEqual([]);
    } finally {
      await h.control('DELETE', '/faults');
    }
    expect(await metric(port, 'dynsync_dataverse_throttled_total')).toBeGreaterThan(throttledBefore);
    expect(await metric(port, 'dynsync_dataverse_retries_total')).toBeGreaterThan(0);
    const truth = await h.truthIds('opportunity');
    const topic = await h.readTopic('opportunity');
    expect([...truth].filter((id) => !topic.ids.has(id))).toEqual([]);
  });

  it('completes a run after the extractor is killed mid-window and restarted', async () => {
    await h.control('POST', '/faults', { latencyMs: 150 });
    const run = h.runTable('new_widget', ALL_FROM, allTo(), { timeoutMs: 240_000 });
    try {
      await eventually(async () => run.completedCount() >= 2, 120_000, 50);
      expect(await extractor.kill('SIGKILL')).toBe('SIGKILL');
      extractor = await startExtractor();
      await run.republishPending(); // the coordinator's job: tasks that were in flight are published again
      await h.control('DELETE', '/faults');
      const result = await run.done;
      expect(result.failures.filter((f) => !f.retriable)).toEqual([]);
    } finally {
      await h.control('DELETE', '/faults');
    }
    const truth = await h.truthIds('new_widget');
    const topic = await h.readTopic('new_widget');
    expect([...truth].filter((id) => !topic.ids.has(id))).toEqual([]);
  });

  it('never wrote to Dataverse', async () => {
    expect((await h.control<{ count: number }>('GET', '/non-get')).count).toBe(0);
  });
});
