/**
 * Topics for real clusters (issue #21, item 1) on the real broker: the deployment's settings (replication,
 * min.insync.replicas, partitions, retention and compaction, services/shared/topics.ts) are what a topic is
 * created with; settings the cluster cannot honour are refused before anything is created; an existing topic that
 * is weaker than configured is reported and left as it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { z } from 'zod';
import { loadConfig } from '../../services/shared/config.ts';
import { isSyncError } from '../../services/shared/errors.ts';
import type { Logger } from '../../services/shared/log.ts';
import { TOPIC_ENV, topicSettingsOf } from '../../services/shared/topics.ts';
import { testKafka, uniqueName } from '../support/servers.ts';
import { tableTopic } from '../../services/contracts/topic-names.ts';
import { KafkaTopics, clusterFacts, ensureTopics, type TopicSpec } from '../../services/shared/kafka-topics.ts';

const settings = (env: Record<string, string>) => topicSettingsOf(loadConfig('test', z.object(TOPIC_ENV), env));

/** A logger that keeps its warnings. */
function recordingLog(): Logger & { warnings: { fields: Record<string, unknown>; msg: string }[] } {
  const warnings: { fields: Record<string, unknown>; msg: string }[] = [];
  const noop = () => undefined;
  return { warnings, warn: (fields: Record<string, unknown>, msg: string) => void warnings.push({ fields, msg }), info: noop, debug: noop, error: noop, trace: noop, fatal: noop } as unknown as Logger & { warnings: typeof warnings };
}

describe('topic settings on the local broker', () => {
  const kafka = testKafka();
  let admin: Admin;
  const created: string[] = [];

  /** Partitions, fewest replicas and effective configs of a topic, as the broker reports them. */
  const describeTopic = async (topic: string) => {
    const meta = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!;
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
    const values = Object.fromEntries(configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    return { partitions: meta.partitions.length, replicas: Math.min(...meta.partitions.map((p) => p.replicas.length)), values };
  };

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  it('auto replication detects the single broker: replication factor 1, min.insync.replicas 1', async () => {
    expect((await clusterFacts(admin)).brokers).toBe(1);
    const topics = await KafkaTopics.resolve(admin, settings({}));
    expect(topics.replication).toMatchObject({ replicationFactor: 1, minInsyncReplicas: 1 });
    expect(topics.replication.why).toBe('replication factor 1 (auto: 1 broker, broker default 1), min.insync.replicas 1 (auto)');
  });

  it('more replicas than brokers is refused at start-up, naming the variable, before any topic is created', async () => {
    const err = await KafkaTopics.resolve(admin, settings({ KAFKA_REPLICATION_FACTOR: '3' })).catch((e: unknown) => e);
    expect(isSyncError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/^KAFKA_REPLICATION_FACTOR is 3 but the Kafka cluster has 1 broker: /);
  });

  it('creates table and control topics with the configured partitions, replication, min.insync.replicas, retention and compaction', async () => {
    const log = recordingLog();
    const topics = await KafkaTopics.resolve(admin, settings({
      KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '1', KAFKA_TABLE_PARTITIONS: '4', KAFKA_TASKS_PARTITIONS: '5', KAFKA_COORDINATOR_PARTITIONS: '2',
      KAFKA_TASKS_RETENTION_MS: String(2 * 86_400_000), KAFKA_COMMANDS_RETENTION_MS: '-1', KAFKA_TABLE_DELETE_RETENTION_MS: String(3 * 86_400_000), KAFKA_TABLE_MIN_COMPACTION_LAG_MS: '60000',
    }), log);
    const tag = uniqueName('it-topics');
    // the control topics' names are fixed and exist on the shared broker: their specs under names of this test
    const control = topics.control().map((s): TopicSpec => ({ ...s, topic: `${tag}.${s.topic}` }));
    const table = topics.table(tableTopic(tag.replace(/-/g, '_'), 'account'));
    created.push(...control.map((s) => s.topic), table.topic);
    const declared = await topics.declare([...control, table]);
    expect(declared).toEqual({ created: [...control.map((s) => s.topic), table.topic], weaker: {} });

    const t = await describeTopic(table.topic);
    expect(t).toMatchObject({ partitions: 4, replicas: 1 });
    expect(t.values).toMatchObject({ 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000', 'delete.retention.ms': String(3 * 86_400_000), 'min.insync.replicas': '1' });
    const [tasks, coordinator, commands, dlq] = await Promise.all(control.map((s) => describeTopic(s.topic)));
    expect(tasks).toMatchObject({ partitions: 5, replicas: 1, values: { 'cleanup.policy': 'delete', 'retention.ms': String(2 * 86_400_000), 'min.insync.replicas': '1' } });
    expect(coordinator).toMatchObject({ partitions: 2, values: { 'retention.ms': String(7 * 86_400_000) } });
    expect(commands).toMatchObject({ partitions: 2, values: { 'retention.ms': '-1' } });
    expect(dlq).toMatchObject({ partitions: 3, values: { 'retention.ms': String(30 * 86_400_000) } });
    // declared again: nothing created, nothing weaker, nothing reported
    expect(await topics.declare([...control, table])).toEqual({ created: [], weaker: {} });
    expect(log.warnings).toEqual([]);
  });

  it('a new table topic gets partitions for its expected rows, at most KAFKA_TABLE_PARTITIONS', async () => {
    const topics = await KafkaTopics.resolve(admin, settings({ KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '1', KAFKA_TABLE_PARTITIONS: '4', KAFKA_TABLE_PARTITION_ROWS: '1000' }));
    const tag = uniqueName('it_sized').replace(/-/g, '_');
    const specs = [topics.table(tableTopic(tag, 'small'), 800), topics.table(tableTopic(tag, 'middle'), 2_500), topics.table(tableTopic(tag, 'large'), 1_000_000), topics.table(tableTopic(tag, 'unknown'), null)];
    created.push(...specs.map((s) => s.topic));
    await topics.declare(specs);
    const partitions = await Promise.all(specs.map(async (s) => (await describeTopic(s.topic)).partitions));
    expect(partitions).toEqual([1, 3, 4, 4]);
  });

  it('an existing topic weaker than configured is reported once, by variable, and never changed', async () => {
    const topic = tableTopic(uniqueName('it_weak').replace(/-/g, '_'), 'contact');
    created.push(topic);
    // as an earlier version or another tool created it: two partitions, not compacted, kept one hour
    await ensureTopics(admin, [{ topic, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }]);
    const before = await describeTopic(topic);
    const log = recordingLog();
    const topics = await KafkaTopics.resolve(admin, settings({}), log);
    const { created: made, weaker } = await topics.declare([topics.table(topic)]);
    expect(made).toEqual([]);
    // its partitions are not compared: a table topic's partitions are sized by its rows (tablePartitions)
    expect(weaker[topic]).toEqual([
      'cleanup.policy delete, configured compact',
      'min.compaction.lag.ms 0, configured 3600000 (KAFKA_TABLE_MIN_COMPACTION_LAG_MS)', // the broker's defaults
      'delete.retention.ms 86400000, configured 604800000 (KAFKA_TABLE_DELETE_RETENTION_MS)',
    ]);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]!.msg).toMatch(new RegExp(`^Kafka topic ${topic.replace(/\./g, '\\.')} is weaker than configured: cleanup.policy delete, configured compact; .*\\. Existing topics are never changed by dynsync`));
    // a second run's context: neither compared nor reported again
    expect(await topics.declare([topics.table(topic)])).toEqual({ created: [], weaker: {} });
    expect(log.warnings).toHaveLength(1);
    expect(await describeTopic(topic)).toEqual(before);
  });


  it('comparing an existing topic with its spec reads the metadata of that topic, never of every topic of the cluster', async () => {
    // a cluster of many topics (the shared broker has more; a fresh one has these at least)
    const tag = uniqueName('it_md').replace(/-/g, '_');
    const padding = Array.from({ length: 40 }, (_, i) => `${tag}.padding_topic_of_a_crowded_cluster_${i}`);
    created.push(...padding);
    await ensureTopics(admin, padding.map((topic) => ({ topic, numPartitions: 1 })));
    // a fresh admin client, as in a service that never named a topic to it
    const fresh = kafka.admin();
    const metadataBytes: number[] = [];
    fresh.on(fresh.events.REQUEST, ({ payload }) => void (payload.apiName === 'Metadata' && metadataBytes.push(payload.size)));
    await fresh.connect();
    try {
      const listed = (await fresh.listTopics()).filter((t) => t.startsWith(tag));
      expect(listed).toHaveLength(40);
      const listing = Math.max(...metadataBytes);
      const topic = tableTopic(tag, 'account');
      created.push(topic);
      await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
      // a service (its settings resolved against the cluster) compares the existing topic with its spec
      const topics = await KafkaTopics.resolve(fresh, settings({}));
      metadataBytes.length = 0;
      expect((await topics.declare([topics.table(topic, 10)])).weaker[topic]).toContain('cleanup.policy delete, configured compact');
      // kafkajs's admin asked for every topic when it had no target topic (patches/kafkajs+2.2.4.patch)
      expect(metadataBytes.length).toBeGreaterThan(0);
      expect(Math.max(...metadataBytes)).toBeLessThan(listing / 8);
    } finally {
      await fresh.disconnect();
    }
  });

  it('a client naming topics one after another (a producer, offsets of each table topic) asks for the metadata of each new topic, not again for all earlier ones', async () => {
    const tag = uniqueName('it_mdgrow').replace(/-/g, '_');
    const topics = Array.from({ length: 30 }, (_, i) => tableTopic(tag, `table_${i}`));
    created.push(...topics);
    await ensureTopics(admin, topics.map((topic) => ({ topic, numPartitions: 1 })));
    const producer = kafka.producer();
    const fresh = kafka.admin();
    const sizes = { producer: [] as number[], admin: [] as number[] };
    producer.on(producer.events.REQUEST, ({ payload }) => void (payload.apiName === 'Metadata' && sizes.producer.push(payload.size)));
    fresh.on(fresh.events.REQUEST, ({ payload }) => void (payload.apiName === 'Metadata' && sizes.admin.push(payload.size)));
    await producer.connect();
    await fresh.connect();
    try {
      for (const topic of topics) {
        await producer.send({ topic, acks: -1, messages: [{ value: 'x' }] });
        await fresh.fetchTopicOffsets(topic);
      }
      const [producerMax, adminMax] = [Math.max(...sizes.producer), Math.max(...sizes.admin)];
      // one response describing all 30 topics, for scale
      await fresh.fetchTopicMetadata({ topics });
      const all = sizes.admin.at(-1)!;
      expect(sizes.producer.length).toBeGreaterThanOrEqual(30);
      expect(sizes.admin.length).toBeGreaterThanOrEqual(30);
      // unpatched kafkajs asked again for every topic named so far each time one was added (n²/2 in all)
      expect(producerMax).toBeLessThan(all / 5);
      expect(adminMax).toBeLessThan(all / 5);
    } finally {
      await producer.disconnect();
      await fresh.disconnect();
    }
  });

  it('a spec without replication (tests, tools) gets the auto replication of the cluster, with min.insync.replicas', async () => {
    const topic = uniqueName('it-auto');
    created.push(topic);
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    expect(await describeTopic(topic)).toMatchObject({ replicas: 1, values: { 'min.insync.replicas': '1' } });
  });
});
