import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from './config.ts';
import { isSyncError } from './errors.ts';
import { DEFAULT_TOPIC_SETTINGS, TOPIC_ENV, controlTopics, resolveReplication, tablePartitions, tableTopicSpec, topicSettingsOf, weakerSettings, withReplication, type ClusterFacts, type TopicState } from './topics.ts';
import { COMMANDS_TOPIC, COORDINATOR_TOPIC, TASKS_TOPIC } from '../contracts/topic-names.ts';

const settings = (env: Record<string, string>) => topicSettingsOf(loadConfig('test', z.object(TOPIC_ENV), env));
const entry = (specs: ReturnType<typeof controlTopics>, topic: string, name: string) => specs.find((s) => s.topic === topic)?.configEntries?.find((e) => e.name === name)?.value;

describe('resolveReplication', () => {
  it.each<[string, Record<string, string>, ClusterFacts, number, number]>([
    ['the local single broker: 1 and 1', {}, { brokers: 1, defaultReplicationFactor: 1, minInsyncReplicas: 1 }, 1, 1],
    ['3 brokers with the broker default 1: 3 and 2', {}, { brokers: 3, defaultReplicationFactor: 1, minInsyncReplicas: 1 }, 3, 2],
    ['6 brokers with the broker default 3: 3 and 2', {}, { brokers: 6, defaultReplicationFactor: 3 }, 3, 2],
    ['5 brokers with the broker default 4 and min ISR 3: the brokers\' values', {}, { brokers: 5, defaultReplicationFactor: 4, minInsyncReplicas: 3 }, 4, 3],
    ['2 brokers: never 1 unless asked, 2 and 2', {}, { brokers: 2, defaultReplicationFactor: 1 }, 2, 2],
    ['broker configs hidden by ACLs, 4 brokers: 3 and 2', {}, { brokers: 4 }, 3, 2],
    ['a broker default above the broker count is capped', {}, { brokers: 2, defaultReplicationFactor: 3 }, 2, 2],
    ['explicit 1 on 3 brokers is honoured', { KAFKA_REPLICATION_FACTOR: '1' }, { brokers: 3 }, 1, 1],
    ['explicit 3 and min ISR 3', { KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '3' }, { brokers: 3 }, 3, 3],
    ['explicit min ISR 1 with auto 3 replicas', { KAFKA_MIN_INSYNC_REPLICAS: '1' }, { brokers: 3 }, 3, 1],
  ])('%s', (_name, env, cluster, rf, isr) => {
    const r = resolveReplication(settings(env), cluster);
    expect([r.replicationFactor, r.minInsyncReplicas]).toEqual([rf, isr]);
  });

  it.each<[string, Record<string, string>, ClusterFacts, RegExp]>([
    ['more replicas than brokers', { KAFKA_REPLICATION_FACTOR: '3' }, { brokers: 1 }, /^KAFKA_REPLICATION_FACTOR is 3 but the Kafka cluster has 1 broker: .* set KAFKA_REPLICATION_FACTOR to at most 1/],
    ['min ISR above the replication factor', { KAFKA_MIN_INSYNC_REPLICAS: '2' }, { brokers: 1 }, /^KAFKA_MIN_INSYNC_REPLICAS is 2 but topics get 1 replica .*NOT_ENOUGH_REPLICAS/],
  ])('refuses %s with one line naming the variable', (_name, env, cluster, message) => {
    let err: unknown;
    try {
      resolveReplication(settings(env), cluster);
    } catch (e) {
      err = e;
    }
    expect(isSyncError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('topic variables', () => {
  it.each([
    ['KAFKA_REPLICATION_FACTOR', '0', "expected 'auto' or a positive integer"],
    ['KAFKA_MIN_INSYNC_REPLICAS', 'two', "expected 'auto' or a positive integer"],
    ['KAFKA_TABLE_PARTITIONS', '0', 'Too small'],
    ['KAFKA_TASKS_RETENTION_MS', '0', 'expected milliseconds > 0, or -1 (forever)'],
    ['EXTRACTOR_TABLE_PARTITIONS', '6', 'renamed to KAFKA_TABLE_PARTITIONS'],
  ])('%s=%s is refused by name', (variable, value, reason) => {
    expect(() => settings({ [variable]: value })).toThrow(new RegExp(`${variable}: .*${reason.replace(/[()]/g, '\\$&')}`));
  });

  it('the defaults: auto replication, 6 partitions per table, 12 tasks, 6 coordinator and commands, 3 dead letters', () => {
    expect(DEFAULT_TOPIC_SETTINGS).toMatchObject({ replicationFactor: 'auto', minInsyncReplicas: 'auto', partitions: { table: 6, tasks: 12, coordinator: 6, dlq: 3 } });
  });
});

describe('topic specs', () => {
  const resolved = withReplication(settings({ KAFKA_TASKS_PARTITIONS: '24', KAFKA_COORDINATOR_PARTITIONS: '3', KAFKA_COMMANDS_RETENTION_MS: '-1' }), { replicationFactor: 3, minInsyncReplicas: 2 });

  it('control topics carry the settings; sync.coordinator and sync.commands are co-partitioned', () => {
    const specs = controlTopics(resolved);
    expect(specs.map((s) => [s.topic, s.numPartitions, s.replicationFactor])).toEqual([
      [TASKS_TOPIC, 24, 3],
      [COORDINATOR_TOPIC, 3, 3],
      [COMMANDS_TOPIC, 3, 3],
      ['sync.dlq', 3, 3],
    ]);
    for (const s of specs) expect(entry(specs, s.topic, 'min.insync.replicas')).toBe('2');
    expect(entry(specs, COMMANDS_TOPIC, 'retention.ms')).toBe('-1');
    expect(entry(specs, TASKS_TOPIC, 'cleanup.policy')).toBe('delete');
  });

  it('a table topic is a compacted changelog with the replication', () => {
    expect(tableTopicSpec('dynamics.c.account', 6, resolved)).toEqual({
      topic: 'dynamics.c.account',
      numPartitions: 6,
      replicationFactor: 3,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'min.compaction.lag.ms', value: '3600000' },
        { name: 'delete.retention.ms', value: '604800000' },
        { name: 'min.insync.replicas', value: '2' },
      ],
    });
  });

  it('unresolved (auto) specs leave the replication to ensureTopics', () => {
    const [tasks] = controlTopics();
    expect(tasks!.replicationFactor).toBeUndefined();
    expect(tasks!.configEntries!.some((e) => e.name === 'min.insync.replicas')).toBe(false);
  });
});

describe('tablePartitions', () => {
  const settings = (table: number, rows: number) => ({ ...DEFAULT_TOPIC_SETTINGS, partitions: { ...DEFAULT_TOPIC_SETTINGS.partitions, table }, tablePartitionRows: rows });
  it.each<[string, number | null, number, number, number]>([
    ['an empty table', 0, 6, 10_000, 1],
    ['a small table', 2_000, 6, 10_000, 1],
    ['exactly one partition of rows', 10_000, 6, 10_000, 1],
    ['one row more', 10_001, 6, 10_000, 2],
    ['a large table: the most partitions', 5_000_000, 6, 10_000, 6],
    ['rows unknown: the most partitions', null, 6, 10_000, 6],
    ['sizing off (0)', 10, 6, 0, 6],
  ])('%s', (_name, rows, most, perPartition, expected) => {
    expect(tablePartitions(rows, settings(most, perPartition))).toBe(expected);
  });

  it('defaults to 10,000 rows per partition', () => {
    expect(DEFAULT_TOPIC_SETTINGS.tablePartitionRows).toBe(10_000);
  });
});

describe('weakerSettings', () => {
  const table = tableTopicSpec('dynamics.c.account', 6, withReplication(DEFAULT_TOPIC_SETTINGS, { replicationFactor: 3, minInsyncReplicas: 2 }));
  const [tasks] = controlTopics(withReplication(DEFAULT_TOPIC_SETTINGS, { replicationFactor: 3, minInsyncReplicas: 2 }));
  const strong: TopicState = { partitions: 6, replicationFactor: 3, configs: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '3600000', 'delete.retention.ms': '604800000', 'min.insync.replicas': '2' } };

  it.each<[string, Partial<TopicState> & { configs?: Record<string, string> }, string[]]>([
    ['as configured', {}, []],
    ['stronger (more partitions, replicas, longer retention)', { partitions: 12, replicationFactor: 5, configs: { 'delete.retention.ms': '-1' } }, []],
    ['one replica', { replicationFactor: 1 }, ['replication factor 1, configured 3 (KAFKA_REPLICATION_FACTOR)']],
    ['min ISR 1', { configs: { 'min.insync.replicas': '1' } }, ['min.insync.replicas 1, configured 2 (KAFKA_MIN_INSYNC_REPLICAS)']],
    ['with fewer partitions (sized by its rows when created)', { partitions: 1 }, []],
    ['not compacted', { configs: { 'cleanup.policy': 'delete' } }, ['cleanup.policy delete, configured compact']],
    ['tombstones kept 1 h', { configs: { 'delete.retention.ms': '3600000' } }, ['delete.retention.ms 3600000, configured 604800000 (KAFKA_TABLE_DELETE_RETENTION_MS)']],
  ])('a table topic %s', (_name, change, expected) => {
    expect(weakerSettings(table, { ...strong, ...change, configs: { ...strong.configs, ...change.configs } })).toEqual(expected);
  });

  it.each<[string, Record<string, string>, string[]]>([
    ['kept 1 h', { 'retention.ms': '3600000' }, ['retention.ms 3600000, configured 604800000 (KAFKA_TASKS_RETENTION_MS)']],
    ['kept forever', { 'retention.ms': '-1' }, []],
    ['compacted (events of a connection would be compacted away)', { 'cleanup.policy': 'compact,delete' }, ['cleanup.policy compact,delete, configured delete']],
  ])('sync.tasks %s', (_name, configs, expected) => {
    expect(weakerSettings(tasks!, { partitions: 12, replicationFactor: 3, configs: { 'cleanup.policy': 'delete', 'retention.ms': '604800000', 'min.insync.replicas': '2', ...configs } })).toEqual(expected);
  });
});

describe('docs/deployment.md', () => {
  it('the settings table lists every topic variable', () => {
    const doc = readFileSync(new URL('../../docs/deployment.md', import.meta.url), 'utf8');
    for (const variable of Object.keys(TOPIC_ENV).filter((v) => v !== 'EXTRACTOR_TABLE_PARTITIONS')) expect(doc).toContain(`| \`${variable}\``);
  });
});
