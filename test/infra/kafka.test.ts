import { KafkaJSNonRetriableError } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKafka, uniqueName } from '../support/servers.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';
import { runRecovering } from '../../services/shared/consumer-blocks.ts';

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

  it('a consumer crashed by a non-retriable error (kafkajs does not restart it) runs again and reads on', async () => {
    const single = uniqueName('it-recover'); // one partition, one message: its second delivery follows the crash
    await ensureTopics(admin, [{ topic: single, numPartitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: single, acks: -1, messages: [{ key: 'k', value: 'after-crash' }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('it-recover') });
    const crashes: boolean[] = [];
    consumer.on(consumer.events.CRASH, ({ payload }) => crashes.push(payload.restart));
    const warnings: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: single, fromBeginning: true });
    let calls = 0;
    const read = await new Promise<string>((resolve) => {
      void runRecovering(
        consumer,
        {
          eachMessage: async ({ message }) => {
            // the first delivery crashes the consumer the way a lost group coordinator does: non-retriable
            if (++calls === 1) throw new KafkaJSNonRetriableError('Failed to find group coordinator');
            if (message.value?.toString() === 'after-crash') resolve(message.value.toString());
          },
        },
        { log: { warn: (_o: object, msg: string) => void warnings.push(msg) }, stopping: () => false },
      );
    });
    await consumer.disconnect();
    await admin.deleteTopics({ topics: [single] });
    expect(read).toBe('after-crash');
    expect(calls).toBe(2);
    expect(crashes).toEqual([false]); // kafkajs itself would not have restarted it
    expect(warnings).toEqual(['Kafka consumer crashed; it runs again']);
  });
});
