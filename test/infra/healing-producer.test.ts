/**
 * The producer on the real broker when its idempotent state breaks: kafkajs's idempotent producer never recovers from
 * OUT_OF_ORDER_SEQUENCE_NUMBER (every later send to the partition fails the same way); the services' producer
 * (services/shared/healing-producer.ts) replaces itself and sends the unacknowledged records again, and topics are
 * produced to only once their partitions have leaders (ensureTopics).
 *
 * The deterministic way to break the state: one request to two partitions where one batch is written and the other
 * is refused (MESSAGE_TOO_LARGE on a topic with a small max.message.bytes). kafkajs then winds back the sequence
 * numbers of both partitions, although the broker kept the written batch, so the next send to that partition
 * carries sequences the broker has already seen with another length: OUT_OF_ORDER_SEQUENCE_NUMBER. The same happens
 * when a request reaches a topic whose partitions are only partly led yet (a new topic), the failure seen in the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createProducer } from '../../services/shared/kafka.ts';
import { classifyKafkaError } from '../../services/shared/kafka-errors.ts';
import { isSyncError } from '../../services/shared/errors.ts';
import { testKafka, uniqueName } from '../support/servers.ts';
import type { HealingProducer } from '../../services/shared/healing-producer.ts';
import { ensureTopics, waitForLeaders } from '../../services/shared/kafka-topics.ts';

/** A logger whose lines the test reads. */
function capturingLogger(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  return { log: pino({ level: 'warn' }, sink), lines };
}

/** A plain kafkajs idempotent producer, as the services used before. */
const plainProducer = (kafka: Kafka): Producer => kafka.producer({ idempotent: true, maxInFlightRequests: 5 });

/** Sends a batch that is written on partition 0 and refused on partition 1: the producer's sequences are now wrong. */
async function breakSequences(p: { send: Producer['send'] }, topic: string): Promise<unknown> {
  return p
    .send({ topic, acks: -1, messages: [{ key: 'a', value: 'written', partition: 0 }, { key: 'b', value: Buffer.alloc(4000), partition: 1 }] })
    .then(() => undefined, (err: unknown) => err);
}

/** The distinct values on `topic`, read with a fresh consumer group until there are `expected` of them. */
async function readAll(kafka: Kafka, topic: string, expected: number): Promise<Set<string>> {
  const consumer = kafka.consumer({ groupId: uniqueName('it-heal-read') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen.size} of ${expected} distinct records of ${topic}`)), 30_000);
    consumer
      .run({
        eachMessage: async ({ message }) => {
          seen.add(message.value?.toString() ?? '');
          if (seen.size >= expected) (clearTimeout(timer), resolve());
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return seen;
}

const kafka = testKafka();
let admin: Admin;
const topics: string[] = [];

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

describe('a producer whose idempotent state the broker rejects', () => {
  const smallTopic = async () => {
    const topic = uniqueName('it-heal');
    topics.push(topic);
    await ensureTopics(admin, [{ topic, numPartitions: 2, configEntries: [{ name: 'max.message.bytes', value: '2000' }] }]);
    return topic;
  };

  it('breaks a plain kafkajs idempotent producer for good (the fault this suite injects)', async () => {
    const topic = await smallTopic();
    const plain = plainProducer(kafka);
    await plain.connect();
    try {
      expect(classifyKafkaError(await breakSequences(plain, topic))).toEqual({ action: 'fail', reason: 'MESSAGE_TOO_LARGE' });
      const next = await plain.send({ topic, acks: -1, messages: [{ key: 'a', value: 'x1', partition: 0 }, { key: 'a', value: 'x2', partition: 0 }] }).then(() => undefined, (e: unknown) => e);
      expect(classifyKafkaError(next)).toEqual({ action: 'replace', reason: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    } finally {
      await plain.disconnect();
    }
  });

  it('is replaced once, every concurrent send is delivered and the replacement is logged once and counted', async () => {
    const topic = await smallTopic();
    const { log, lines } = capturingLogger();
    const { Registry } = await import('prom-client');
    const metrics = new Registry();
    const producer = createProducer(kafka, { name: 'records', log, metrics });
    await producer.connect();
    try {
      const refused = await breakSequences(producer, topic);
      expect(classifyKafkaError(refused).action).toBe('fail'); // the refused send itself fails, as it should
      // twenty callers at once (as windows of several tasks share the producer), two records each on partition 0
      const sends = Array.from({ length: 20 }, (_, i) =>
        producer.send({ topic, acks: -1, messages: [{ key: `k${i}`, value: `v${i}a`, partition: 0 }, { key: `k${i}`, value: `v${i}b`, partition: 0 }] }),
      );
      const results = await Promise.allSettled(sends);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(producer.replacements).toBe(1);
      expect(lines.filter((l) => l.includes("Kafka producer 'records' replaced"))).toHaveLength(1);
      expect(await metrics.getSingleMetricAsString('dynsync_kafka_producer_replacements_total')).toMatch(/producer="records",reason="OUT_OF_ORDER_SEQUENCE_NUMBER"} 1/);
      // every record is readable (a resend may add duplicates; none is missing)
      const values = await readAll(kafka, topic, 41);
      for (let i = 0; i < 20; i++) expect([values.has(`v${i}a`), values.has(`v${i}b`)]).toEqual([true, true]);
    } finally {
      await producer.disconnect();
    }
  });

  it('runs a transaction again on a new producer when its transactional id was fenced', async () => {
    const topic = await smallTopic();
    const ids = [uniqueName('it-heal-tx'), uniqueName('it-heal-tx')];
    let made = 0;
    const producer: HealingProducer = createProducer(kafka, { name: 'run-starts', transactionalId: () => ids[Math.min(made++, 1)]! });
    await producer.connect();
    const usurper = kafka.producer({ transactionalId: ids[0], idempotent: true, maxInFlightRequests: 1 });
    try {
      await producer.transaction((tx) => tx.send({ topic, acks: -1, messages: [{ key: 'run', value: 'first', partition: 0 }] }));
      // another producer takes the same transactional id (kafkajs initialises it with the first transaction): ours is fenced
      await usurper.connect();
      await (await usurper.transaction()).abort();
      let attempts = 0;
      await producer.transaction(async (tx) => {
        attempts++;
        await tx.send({ topic, acks: -1, messages: [{ key: 'run', value: 'second', partition: 0 }] });
      });
      expect(producer.replacements).toBe(1);
      expect(attempts).toBe(2);
      // a read-committed consumer sees each committed transaction once (the fenced attempt was never committed)
      expect([...(await readAll(kafka, topic, 2))].sort()).toEqual(['first', 'second']);
    } finally {
      await Promise.allSettled([producer.disconnect(), usurper.disconnect()]);
    }
  });
});

describe('a new topic', () => {
  /** Eight concurrent sends of 50-57 keyed records to a 6-partition topic; resolves to the sends' outcomes. */
  const burst = (p: { send: Producer['send'] }, topic: string) =>
    Promise.allSettled(Array.from({ length: 8 }, (_, i) => p.send({ topic, acks: -1, messages: Array.from({ length: 50 + i }, (_, j) => ({ key: `k${i}-${j}`, value: `v${i}-${j}` })) })));
  const BURST_RECORDS = Array.from({ length: 8 }, (_, i) => 50 + i).reduce((a, b) => a + b, 0);

  it('produced to the moment it is created is delivered whole by the services producer (replaced as often as needed)', async () => {
    // the field failure: a burst right after creation, before every partition has a leader, breaks the sequences
    let replaced = 0;
    for (let round = 0; round < 5 && replaced === 0; round++) {
      const topic = uniqueName('it-heal-new');
      topics.push(topic);
      const producer = createProducer(kafka, { name: 'records' });
      await producer.connect();
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: false });
        const results = await burst(producer, topic);
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
        replaced = producer.replacements;
        expect((await readAll(kafka, topic, BURST_RECORDS)).size).toBe(BURST_RECORDS);
      } finally {
        await producer.disconnect();
      }
    }
    expect(replaced, 'the burst never hit a partition without a leader in 5 rounds: the fault did not land').toBeGreaterThan(0);
  });

  it('is produced to only once every partition has a leader: the same burst through ensureTopics needs no replacement', async () => {
    const topic = uniqueName('it-heal-led');
    topics.push(topic);
    const plain = plainProducer(kafka);
    await plain.connect();
    try {
      await ensureTopics(admin, [{ topic, numPartitions: 6 }]);
      const results = await burst(plain, topic);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    } finally {
      await plain.disconnect();
    }
  });

  it('without leaders in time is a clear KAFKA_UNAVAILABLE error naming the topic', async () => {
    const fast = testKafka(uniqueName('it-heal-fast'), { retry: { retries: 0 } });
    const fastAdmin = fast.admin();
    await fastAdmin.connect();
    try {
      const missing = uniqueName('it-heal-absent');
      const err = await waitForLeaders(fastAdmin, [missing], 1_000).then(() => undefined, (e: unknown) => e);
      expect(isSyncError(err, 'KAFKA_UNAVAILABLE')).toBe(true);
      expect((err as Error).message).toMatch(new RegExp(`^Kafka topic partitions ${missing}\\[\\?\\] have no (leader|metadata).* after 1 s: check that the brokers`));
    } finally {
      await fastAdmin.disconnect();
    }
  });
});
