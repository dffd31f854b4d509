import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKafka, uniqueName } from '../support/servers.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';

describe('Kafka (KRaft) with kafkajs', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const topic = uniqueName('it-kafka');

  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('declares topics idempotently', async () => {
    expect(await ensureTopics(admin, [{ topic, numPartitions: 3 }])).toEqual([topic]);
    expect(await ensureTopics(admin, [{ topic, numPartitions: 3 }])).toEqual([]);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);
  });

  it('produces with the idempotent producer and consumes every record with a consumer group', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
    await producer.connect();
    const messages = Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 17}`, value: `v${i}` }));
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();

    const group = uniqueName('it-group');
    const consumer = kafka.consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
            if (seen.length === messages.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(new Set(seen)).toEqual(new Set(messages.map((m) => m.value)));

    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(messages.length);
  });
});
