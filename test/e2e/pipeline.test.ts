import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoClient } from 'mongodb';
import { runDemo, type DemoResult } from '../../infra/demo/run-demo.ts';
import { matches } from '../../harness/ground-truth.ts';
import { testKafka, testMongo } from '../support/servers.ts';
import { TABLE_TOPIC_PATTERN, connectionTopicPrefix } from '../../services/contracts/topic-names.ts';

// The whole product on the real servers: simulator → coordinator → extractor → Kafka → loader → MongoDB,
// driven through the CLI (OAuth authorization-code connect, resync, sync), with the demo's verification.
describe('pipeline end to end', { timeout: 900_000 }, () => {
  let mongo: MongoClient;
  let result: DemoResult;
  const lines: string[] = [];

  beforeAll(async () => {
    mongo = await testMongo();
    result = await runDemo({ rows: 1500, keep: false, say: (l) => lines.push(l), runTimeoutMs: 400_000 });
  }, 900_000);
  afterAll(async () => {
    await mongo.close();
  });

  it('a full run, an incremental after mutations and the nightly full refresh each leave MongoDB equal to the source', () => {
    expect(result.verdicts.map((v) => v.step)).toHaveLength(3);
    for (const step of result.verdicts) {
      const bad = step.tables.filter((t) => !matches(t));
      expect(bad, `${step.step}\n${lines.join('\n')}`).toEqual([]);
      expect(step.tables.reduce((s, t) => s + t.stored, 0)).toBeGreaterThan(1000);
    }
    expect(result.ok).toBe(true);
  });

  it('captures creates, updates, a backdated row and (through delta links) deletes in the incremental', () => {
    const [, incremental, refresh] = result.runs;
    expect(incremental!.kind).toBe('incremental');
    // 3 change-tracked tables × 10 deletes, tombstoned by the incremental's delta tasks
    expect(incremental!.deletes).toBe(30);
    // 3 tables × (20 creates + 20 updates + 1 backdated) + the 30 tombstones; the overlap may re-read a few rows
    expect(incremental!.records).toBeGreaterThanOrEqual(123 + 30);
    // nothing left for the full refresh to reconcile
    expect(refresh!.tombstones).toBe(0);
  });

  it('commits each table watermark at the T0 of its last run and sends no write to Dataverse', async () => {
    const last = result.runs.at(-1)!;
    const marks = await mongo.db('dynsync').collection('watermarks').find({ _id: { $regex: `^${result.connection}/` } as never }).toArray();
    expect(marks.length).toBeGreaterThanOrEqual(5);
    for (const m of marks) expect((m.watermark as Date).getTime()).toBe(last.runStart.getTime());
    expect(result.nonGetRequests).toBe(0);
  });

  it('creates each table topic with partitions for its rows: one for a table under KAFKA_TABLE_PARTITION_ROWS (10,000)', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const names = (await admin.listTopics()).filter((t) => t.startsWith(connectionTopicPrefix(result.connection)) && TABLE_TOPIC_PATTERN.test(t));
      expect(names.length).toBeGreaterThanOrEqual(5);
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      expect(Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]))).toEqual(Object.fromEntries(names.map((n) => [n, 1])));
    } finally {
      await admin.disconnect();
    }
  });
});
