/**
 * The loader's topic watcher on the real broker: it lists the cluster's topics (a metadata response naming every
 * topic) only when the end of the tasks topic moved, and a table topic created before tasks are published (as the
 * coordinator does) is subscribed and consumed (services/loader/core/topic-watch.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { createLogger } from '../../services/shared/log.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';
import { TableSubscription } from '../../services/loader/table-subscription.ts';
import { eventually } from '../../harness/service-process.ts';
import { connectedKafka, uniqueName } from '../support/servers.ts';

const tag = uniqueName('it_watch').replace(/-/g, '_');
const tableTopic = (t: string) => `dynamics.${tag}.${t}`;
const tasksTopic = `${tag}.tasks`;
let k: Awaited<ReturnType<typeof connectedKafka>>;
let subscription: TableSubscription | undefined;

beforeAll(async () => {
  k = await connectedKafka();
});
afterAll(async () => {
  await subscription?.stop();
  await k.admin.deleteTopics({ topics: [tasksTopic, tableTopic('a'), tableTopic('b')] }).catch(() => undefined);
  await k.close();
});

it('lists the topics again only after tasks were published, and then consumes the new table topic', async () => {
  const { kafka, admin, producer } = k;
  await ensureTopics(admin, [{ topic: tasksTopic, numPartitions: 2 }, { topic: tableTopic('a'), numPartitions: 1 }]);
  let listings = 0;
  const counting: Admin = { ...admin, listTopics: () => (listings++, admin.listTopics()) };
  const consumed = new Set<string>();
  subscription = new TableSubscription(
    { kafka, admin: counting, log: createLogger('it-watch', 'silent') },
    { groupId: uniqueName('it-watch'), topicRefreshMs: 200, topicPattern: new RegExp(`^dynamics\\.${tag}\\.`), tasksTopic },
  );
  await subscription.start(async ({ batch }) => void consumed.add(batch.topic));
  await producer.send({ topic: tableTopic('a'), messages: [{ key: '1', value: 'a' }] });
  await eventually(async () => consumed.has(tableTopic('a')), 60_000);

  // five checks of an unchanged tasks topic: no listing (the periodic one comes after twelve)
  const before = listings;
  await new Promise((r) => setTimeout(r, 1_000));
  expect(listings).toBe(before);

  // a new table topic, then its tasks: the next check lists, subscribes and consumes it
  await ensureTopics(admin, [{ topic: tableTopic('b'), numPartitions: 1 }]);
  await producer.send({ topic: tableTopic('b'), messages: [{ key: '1', value: 'b' }] });
  await producer.send({ topic: tasksTopic, messages: [{ key: 'run', value: 'task' }] });
  await eventually(async () => consumed.has(tableTopic('b')), 60_000);
  expect(listings).toBeGreaterThan(before);
  expect(subscription.topics()).toEqual([tableTopic('a'), tableTopic('b')]);
});
