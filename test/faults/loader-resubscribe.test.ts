/**
 * Case 2b (deterministic form of an intermittent case-2 failure): table topics created while the Kafka broker
 * restarts must still be loaded. The loader re-creates its consumer when new topics appear; kafkajs's own restart
 * after a crash used to race with that and leave a zombie member holding the old topic list, which as group leader
 * never assigned the new topics. The loader service runs in-process here with a recording chunk loader.
 */
import { afterAll, expect, inject, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { createKafka, createProducer } from '../../services/shared/kafka.ts';
import { kafkaAccessOf } from '../../services/shared/kafka-access.ts';
import { createLogger } from '../../services/shared/log.ts';
import { createMetrics } from '../../services/shared/lifecycle.ts';
import { createLoaderMetrics } from '../../services/loader/metrics.ts';
import { startLoaderService, type LoaderService } from '../../services/loader/loader-service.ts';
import { faultConnectionEnv, startServer, stopServer } from './support/fault-stack.ts';
import { sleep } from './support/fault-pipeline.ts';
import { eventually } from '../../harness/service-process.ts';
import type { HealingProducer } from '../../services/shared/healing-producer.ts';

let admin: Admin | undefined;
let producer: HealingProducer | undefined;
let service: LoaderService | undefined;

afterAll(async () => {
  await service?.stop();
  await producer?.disconnect();
  await admin?.disconnect();
});

it('case 2b: table topics created across a broker restart are loaded', async () => {
  const stackEnv = inject('faultStackEnv');
  const kafka = createKafka('faults-resubscribe', [faultConnectionEnv().KAFKA_BROKERS], createLogger('faults-resubscribe', 'silent'), kafkaAccessOf('faults', faultConnectionEnv()).client);
  admin = kafka.admin();
  await admin.connect();
  const tag = `rs${Date.now().toString(36)}`;
  const topic = (t: string) => `dynamics.${tag}.${t}`;
  await admin.createTopics({ topics: [{ topic: topic('a'), numPartitions: 3 }] });
  producer = createProducer(kafka);
  await producer.connect();
  await producer.send({ topic: topic('a'), messages: [{ key: '1', value: 'a' }] });
  const loaded = new Set<string>();
  service = await startLoaderService(
    {
      kafka,
      admin,
      loadChunk: async (t, _partition, messages) => {
        loaded.add(t);
        return new Map([['', { written: messages.length, deleted: 0, unchanged: 0, older: 0, dead: 0 }]]);
      },
      metrics: createLoaderMetrics(createMetrics('faults-resubscribe')),
      log: createLogger('faults-resubscribe', 'silent'),
    },
    { groupId: `faults-${tag}`, chunkSize: 100, topicRefreshMs: 2_000, topicPattern: new RegExp(`^dynamics\\.${tag}\\.`) },
  );
  await eventually(async () => loaded.has(topic('a')), 60_000);

  // the broker goes away right after a new table topic was requested, and more appear when it is back
  const outage = (async () => {
    await stopServer('kafka', stackEnv);
    await sleep(3_000);
    await startServer('kafka', stackEnv);
  })();
  await sleep(200);
  await admin.createTopics({ topics: [{ topic: topic('b'), numPartitions: 3 }] }).catch(() => undefined);
  await outage;
  await admin.createTopics({ topics: [{ topic: topic('b'), numPartitions: 3 }, { topic: topic('c'), numPartitions: 3 }] }).catch(() => undefined);
  await producer.send({ topic: topic('b'), messages: [{ key: '1', value: 'b' }] });
  await producer.send({ topic: topic('c'), messages: [{ key: '1', value: 'c' }] });

  await eventually(async () => loaded.has(topic('b')) && loaded.has(topic('c')), 150_000);
  expect([...loaded].sort()).toEqual([topic('a'), topic('b'), topic('c')]);
  expect(service.topics()).toEqual([topic('a'), topic('b'), topic('c')]);
});
