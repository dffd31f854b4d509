import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import type { MongoClient } from 'mongodb';
import { createProducer } from '../../services/shared/kafka.ts';
import { controlTopics, tableTopicSpec } from '../../services/shared/topics.ts';
import { avroLogicalTypes } from '../../services/dataverse/mapping/logical-types.ts';
import { eventually, startService, type ServiceProcess } from '../../harness/service-process.ts';
import { produceRecords, testTableSchema, toMessage, type TestRecord } from '../support/table-records.ts';
import { testKafka, testMongo, testRegistry, uniqueName } from '../support/servers.ts';
import type { HealingProducer } from '../../services/shared/healing-producer.ts';
import { tableTopic, DLQ_TOPIC } from '../../services/contracts/topic-names.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';

const registry = testRegistry({ logicalTypes: avroLogicalTypes });
const kafka = testKafka();
const connection = uniqueName('itl').replace('-', '');
const prefix = 'dynsync_';
const topicOf = (table: string) => tableTopic(connection, table);

/** Deterministic shuffle (so failures reproduce). */
function shuffle<T>(items: T[], seed = 7): T[] {
  let s = seed;
  for (let i = items.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** `ids` records, each in `versions` versions, in shuffled order: the newest version of id i is `versions`. */
function history(ids: number, versions: number, tag: string): TestRecord[] {
  const out: TestRecord[] = [];
  for (let i = 0; i < ids; i++) for (let v = 1; v <= versions; v++) out.push({ id: `${tag}-${String(i).padStart(6, '0')}`, version: v });
  return shuffle(out);
}

describe('loader on real Kafka, registry and store', { timeout: 330_000 }, () => {
  let admin: Admin;
  let producer: HealingProducer;
  let mongo: MongoClient;
  let schemaId: number;
  const loaders: ServiceProcess[] = [];
  // each test has its own consumer group, so a slow member of one test never holds up another's rebalance
  let group = uniqueName('it-loader');

  // each test's loader consumes only its own table's topic: a new group on the whole connection would first
  // re-read every earlier test's topic from the beginning and miss the test's deadline
  const startLoader = (table: string) => {
    const p = startService('loader', {
      LOADER_GROUP_ID: group,
      LOADER_OPS_PORT: '0',
      LOADER_TOPIC_REFRESH_MS: '500',
      LOADER_TOPIC_PATTERN: `^dynamics\\.${connection}\\.${table}$`,
      DYNSYNC_DATABASE_PREFIX: prefix,
    });
    loaders.push(p);
    return p;
  };
  const coll = (table: string) => mongo.db(`${prefix}${connection}`).collection(table);
  const newTable = async (table: string) => {
    await ensureTopics(admin, [tableTopicSpec(topicOf(table), 3)]);
    schemaId = await registry.register(`${topicOf(table)}-value`, testTableSchema);
    return topicOf(table);
  };
  const expectNewest = async (table: string, ids: number, versions: number) => {
    const docs = await coll(table).find({}, { projection: { name: 1, '_sync.version': 1 } }).toArray();
    expect(docs).toHaveLength(ids);
    const wrong = docs.filter((d) => Number(d._sync.version) !== versions || d.name !== `${d._id} v${versions}`);
    expect(wrong).toEqual([]);
  };

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, controlTopics());
    producer = createProducer(kafka);
    await producer.connect();
    mongo = await testMongo();
  });
  afterAll(async () => {
    await Promise.all(loaders.map((l) => l.kill('SIGKILL')));
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`dynamics.${connection}.`));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await Promise.all([producer.disconnect(), admin.disconnect(), mongo.close()]);
  });

  it('loads 100,000 records with duplicates and out-of-order versions as exactly the newest version of each', async () => {
    const topic = await newTable('account');
    await produceRecords(producer, registry, schemaId, topic, history(20_000, 5, 'a'));
    const loader = startLoader('account');
    await loader.opsPort();
    await eventually(async () => (await coll('account').countDocuments({ '_sync.version': 5 })) === 20_000, 280_000, 1000);
    await expectNewest('account', 20_000, 5);
  });

  it('replaying the whole topic changes nothing', async () => {
    const before = await coll('account').find().sort({ _id: 1 }).toArray();
    await loaders.pop()!.kill('SIGTERM');
    group = uniqueName('it-loader-replay'); // a new group reads the topic from the beginning
    const loader = startLoader('account');
    await loader.opsPort();
    // wait until the group has committed the end of every partition again
    const ends = await admin.fetchTopicOffsets(topicOf('account'));
    await eventually(async () => {
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topicOf('account')] });
      return committed!.partitions.every((p) => p.offset === ends.find((e) => e.partition === p.partition)!.offset);
    }, 280_000, 1000);
    const after = await coll('account').find().sort({ _id: 1 }).toArray();
    expect(after).toEqual(before);
  });

  it('kill -9 mid-load and a restart lose nothing and duplicate nothing', async () => {
    await Promise.all(loaders.splice(0).map((l) => l.kill('SIGTERM')));
    group = uniqueName('it-loader-kill');
    const topic = await newTable('contact');
    await produceRecords(producer, registry, schemaId, topic, history(15_000, 2, 'c'));
    const first = startLoader('contact');
    await eventually(async () => (await coll('contact').estimatedDocumentCount()) > 2_000, 120_000, 100);
    await first.kill('SIGKILL');
    const loaded = await coll('contact').countDocuments();
    expect(loaded).toBeLessThan(15_000); // really mid-load
    startLoader('contact');
    await eventually(async () => (await coll('contact').countDocuments({ '_sync.version': 2 })) === 15_000, 280_000, 1000);
    await expectNewest('contact', 15_000, 2);
  });

  it('sends a poison record to sync.dlq with the reason and loads the rest', async () => {
    await Promise.all(loaders.splice(0).map((l) => l.kill('SIGTERM')));
    group = uniqueName('it-loader-dlq');
    const topic = await newTable('lead');
    startLoader('lead');
    const good = await Promise.all([1, 2, 3].map((i) => toMessage(registry, schemaId, { id: `l-${i}`, version: 1 })));
    const noHeaders = { ...(await toMessage(registry, schemaId, { id: 'l-bad-headers', version: 1 })), headers: {} };
    const garbage = { key: 'l-garbage', value: Buffer.from('not avro at all'), headers: good[0]!.headers };
    await producer.send({ topic, acks: -1, messages: [good[0]!, noHeaders, good[1]!, garbage, good[2]!] });
    await eventually(async () => (await coll('lead').countDocuments()) === 3, 60_000);
    expect((await coll('lead').find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual(['l-1', 'l-2', 'l-3']);

    const dlq = kafka.consumer({ groupId: uniqueName('it-dlq') });
    await dlq.connect();
    await dlq.subscribe({ topic: DLQ_TOPIC, fromBeginning: true });
    const letters: Record<string, string>[] = [];
    await dlq.run({
      eachMessage: async ({ message }) => {
        const h = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        if (h['dlq-source-topic'] === topic) letters.push({ key: String(message.key), ...h });
      },
    });
    await eventually(async () => letters.length >= 2, 30_000);
    await dlq.disconnect();
    expect(letters.map((l) => [l.key, l['dlq-error-code']]).sort()).toEqual([
      ['l-bad-headers', 'RECORD_INVALID'],
      ['l-garbage', 'RECORD_INVALID'],
    ]);
    expect(letters.find((l) => l.key === 'l-bad-headers')!['dlq-error-message']).toMatch(/header "sync-kind" is missing|header "run-id" is missing/);
  });

  it('survives the store being down for 10 s mid-load without loss (30 s: fault case 4)', async () => {
    const { stop } = await import('../../infra/local/process.ts');
    const { ferretdb } = await import('../../infra/local/servers/ferretdb.ts');
    const { up } = await import('../../infra/local/stack.ts');
    await Promise.all(loaders.splice(0).map((l) => l.kill('SIGTERM')));
    group = uniqueName('it-loader-outage');
    const topic = await newTable('opportunity');
    startLoader('opportunity');
    await produceRecords(producer, registry, schemaId, topic, history(3_000, 1, 'o'));
    await eventually(async () => (await coll('opportunity').estimatedDocumentCount()) > 0, 60_000, 50);
    await stop(ferretdb.dir, ferretdb.launch().marker, 5_000);
    await produceRecords(producer, registry, schemaId, topic, history(3_000, 2, 'o').filter((r) => r.version === 2));
    await new Promise((r) => setTimeout(r, 10_000));
    await up(() => {});
    await eventually(async () => (await coll('opportunity').countDocuments({ '_sync.version': 2 })) === 3_000, 120_000, 1000);
    await expectNewest('opportunity', 3_000, 2);
  });
});
