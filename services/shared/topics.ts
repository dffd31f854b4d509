/**
 * The topics of a deployment (architecture.md §4) and their settings, defined once: names, partitions, replication,
 * `min.insync.replicas`, retention and compaction. Every service that declares topics (and `dynsync sync`, which may
 * create `sync.commands`) spreads {@link TOPIC_ENV} into its configuration and builds its specs here, so whichever
 * process creates a topic creates it the same way. Pure: the cluster facts come in as arguments (kafka.ts reads them).
 *
 * The settings table is in docs/deployment.md ("Topic settings").
 */
import { z } from 'zod';
import { SyncError } from './errors.ts';
import { DLQ_TOPIC, TASKS_TOPIC, COORDINATOR_TOPIC, COMMANDS_TOPIC, TABLE_TOPIC_PATTERN } from '../contracts/topic-names.ts';
import { type TopicSpec } from './kafka-topics.ts';


const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** `auto` or a positive count of replicas. */
const replicas = () =>
  z
    .string()
    .default('auto')
    .refine((v) => v === 'auto' || /^[1-9]\d{0,2}$/.test(v), "expected 'auto' or a positive integer")
    .transform((v): number | 'auto' => (v === 'auto' ? 'auto' : Number(v)));
const partitions = (def: number) => z.coerce.number().int().min(1).max(10_000).default(def);
/** Milliseconds, or -1 for "forever" (Kafka's convention). */
const retention = (def: number) => z.coerce.number().int().min(-1).refine((v) => v !== 0, 'expected milliseconds > 0, or -1 (forever)').default(def);
const ms = (def: number) => z.coerce.number().int().min(0).default(def);

/**
 * The topic settings, as environment variables (every service and the CLI read the same ones). Table topics are
 * compacted changelogs (no retention by time); the control topics are deleted by time.
 */
export const TOPIC_ENV = {
  /** Replicas of every topic this deployment creates; `auto` = from the cluster (see {@link resolveReplication}). */
  KAFKA_REPLICATION_FACTOR: replicas(),
  /** `min.insync.replicas` of every topic this deployment creates; `auto` = 2 when the replication factor allows it. */
  KAFKA_MIN_INSYNC_REPLICAS: replicas(),
  /** Partitions of a table topic `dynamics.<connection>.<table>`: the most loaders that share one table. */
  KAFKA_TABLE_PARTITIONS: partitions(6),
  /**
   * Rows per partition of a new table topic: it gets ⌈expected rows / this⌉ partitions, at least 1 and at most
   * KAFKA_TABLE_PARTITIONS (its row count unknown: KAFKA_TABLE_PARTITIONS). 0: always KAFKA_TABLE_PARTITIONS.
   */
  KAFKA_TABLE_PARTITION_ROWS: z.coerce.number().int().min(0).default(10_000),
  /** Partitions of `sync.tasks`: the most extractor slots that work at once (all instances together). */
  KAFKA_TASKS_PARTITIONS: partitions(12),
  /** Partitions of `sync.coordinator` and of `sync.commands` (co-partitioned: the same count): the most coordinators. */
  KAFKA_COORDINATOR_PARTITIONS: partitions(6),
  /** Partitions of `sync.dlq`. */
  KAFKA_DLQ_PARTITIONS: partitions(3),
  /** Table topics: a record stays uncompacted at least this long. */
  KAFKA_TABLE_MIN_COMPACTION_LAG_MS: ms(HOUR_MS),
  /** Table topics: a tombstone (deleted record) stays this long after compaction reached it. */
  KAFKA_TABLE_DELETE_RETENTION_MS: ms(7 * DAY_MS),
  KAFKA_TASKS_RETENTION_MS: retention(7 * DAY_MS),
  /** Must exceed COORDINATOR_RUN_TIMEOUT_MS: a coordinator rebuilds a running run from its RunStarted event. */
  KAFKA_COORDINATOR_RETENTION_MS: retention(7 * DAY_MS),
  /** Must exceed COORDINATOR_COMMAND_MAX_AGE_MS: a command must still be there when a coordinator reads it. */
  KAFKA_COMMANDS_RETENTION_MS: retention(7 * DAY_MS),
  KAFKA_DLQ_RETENTION_MS: retention(30 * DAY_MS),
  /** Renamed: refused, so that a deployment that still sets it does not silently get another partition count. */
  EXTRACTOR_TABLE_PARTITIONS: z.undefined({ error: 'renamed to KAFKA_TABLE_PARTITIONS (read by every service); set that instead' }).optional(),
} as const;

const topicEnvSchema = z.object(TOPIC_ENV);

/** The parsed topic variables (a service's config has them among its own). */
export type TopicEnv = Pick<z.infer<typeof topicEnvSchema>, Exclude<keyof typeof TOPIC_ENV, 'EXTRACTOR_TABLE_PARTITIONS'>>;

/** The topic settings of a deployment; the replication is `auto` until resolved against the cluster. */
export interface TopicSettings {
  replicationFactor: number | 'auto';
  minInsyncReplicas: number | 'auto';
  partitions: { table: number; tasks: number; coordinator: number; dlq: number };
  /** Rows per partition of a new table topic (0: always `partitions.table`), {@link tablePartitions}. */
  tablePartitionRows: number;
  retentionMs: { tasks: number; coordinator: number; commands: number; dlq: number };
  table: { minCompactionLagMs: number; deleteRetentionMs: number };
}

/** The settings of a service's validated configuration. */
export function topicSettingsOf(env: TopicEnv): TopicSettings {
  return {
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
    minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS,
    partitions: { table: env.KAFKA_TABLE_PARTITIONS, tasks: env.KAFKA_TASKS_PARTITIONS, coordinator: env.KAFKA_COORDINATOR_PARTITIONS, dlq: env.KAFKA_DLQ_PARTITIONS },
    tablePartitionRows: env.KAFKA_TABLE_PARTITION_ROWS,
    retentionMs: { tasks: env.KAFKA_TASKS_RETENTION_MS, coordinator: env.KAFKA_COORDINATOR_RETENTION_MS, commands: env.KAFKA_COMMANDS_RETENTION_MS, dlq: env.KAFKA_DLQ_RETENTION_MS },
    table: { minCompactionLagMs: env.KAFKA_TABLE_MIN_COMPACTION_LAG_MS, deleteRetentionMs: env.KAFKA_TABLE_DELETE_RETENTION_MS },
  };
}

/** The defaults (every variable unset). */
export const DEFAULT_TOPIC_SETTINGS: TopicSettings = topicSettingsOf(topicEnvSchema.parse({}));

/** What the cluster says about itself (kafka.ts `clusterFacts`). */
export interface ClusterFacts {
  /** Brokers in the cluster. */
  brokers: number;
  /** The brokers' `default.replication.factor`, when readable. */
  defaultReplicationFactor?: number;
  /** The brokers' `min.insync.replicas`, when readable. */
  minInsyncReplicas?: number;
}

/** The replication every topic gets, and why (one line for the start-up log). */
export interface Replication {
  replicationFactor: number;
  minInsyncReplicas: number;
  why: string;
}

/**
 * The replication of the topics this deployment creates, checked against the cluster. `auto` replication factor:
 * 1 on a single broker, else the brokers' `default.replication.factor` but at least 3 (2 on a 2-broker cluster),
 * never more than the brokers. `auto` `min.insync.replicas`: 1 with one replica, else 2 (or the brokers' own value
 * if larger, up to the replication factor), so an acknowledged record (producers wait for all in-sync replicas) is
 * on two brokers. Throws CONFIG_INVALID, naming the variable, when the settings cannot work on this cluster.
 */
export function resolveReplication(settings: Pick<TopicSettings, 'replicationFactor' | 'minInsyncReplicas'>, cluster: ClusterFacts): Replication {
  const { brokers } = cluster;
  const brokerWord = `${brokers} broker${brokers === 1 ? '' : 's'}`;
  let replicationFactor: number;
  let rfWhy: string;
  if (settings.replicationFactor === 'auto') {
    replicationFactor = brokers <= 1 ? 1 : Math.min(brokers, Math.max(cluster.defaultReplicationFactor ?? 1, Math.min(brokers, 3)));
    rfWhy = `auto: ${brokerWord}${cluster.defaultReplicationFactor === undefined ? '' : `, broker default ${cluster.defaultReplicationFactor}`}`;
  } else {
    replicationFactor = settings.replicationFactor;
    rfWhy = 'KAFKA_REPLICATION_FACTOR';
    if (replicationFactor > brokers) {
      throw new SyncError(
        'CONFIG_INVALID',
        `KAFKA_REPLICATION_FACTOR is ${replicationFactor} but the Kafka cluster has ${brokerWord}: a topic cannot have more replicas than brokers; set KAFKA_REPLICATION_FACTOR to at most ${brokers} (or to auto)`,
        { details: { variables: ['KAFKA_REPLICATION_FACTOR'], brokers } },
      );
    }
  }
  let minInsyncReplicas: number;
  let isrWhy: string;
  if (settings.minInsyncReplicas === 'auto') {
    minInsyncReplicas = replicationFactor === 1 ? 1 : Math.min(replicationFactor, Math.max(2, cluster.minInsyncReplicas ?? 1));
    isrWhy = 'auto';
  } else {
    minInsyncReplicas = settings.minInsyncReplicas;
    isrWhy = 'KAFKA_MIN_INSYNC_REPLICAS';
    if (minInsyncReplicas > replicationFactor) {
      throw new SyncError(
        'CONFIG_INVALID',
        `KAFKA_MIN_INSYNC_REPLICAS is ${minInsyncReplicas} but topics get ${replicationFactor} replica${replicationFactor === 1 ? '' : 's'} (${rfWhy}): every produce would fail with NOT_ENOUGH_REPLICAS; set KAFKA_MIN_INSYNC_REPLICAS to at most ${replicationFactor} (or to auto)`,
        { details: { variables: ['KAFKA_MIN_INSYNC_REPLICAS'], replicationFactor } },
      );
    }
  }
  return { replicationFactor, minInsyncReplicas, why: `replication factor ${replicationFactor} (${rfWhy}), min.insync.replicas ${minInsyncReplicas} (${isrWhy})` };
}

/** `settings` with the replication resolved. */
export function withReplication(settings: TopicSettings, r: Pick<Replication, 'replicationFactor' | 'minInsyncReplicas'>): TopicSettings {
  return { ...settings, replicationFactor: r.replicationFactor, minInsyncReplicas: r.minInsyncReplicas };
}

/** The replication part of a spec: only what is resolved (ensureTopics resolves `auto` when it creates). */
function replicationOf(s: TopicSettings): Pick<TopicSpec, 'replicationFactor'> & { entries: { name: string; value: string }[] } {
  return {
    ...(s.replicationFactor === 'auto' ? {} : { replicationFactor: s.replicationFactor }),
    entries: s.minInsyncReplicas === 'auto' ? [] : [{ name: 'min.insync.replicas', value: String(s.minInsyncReplicas) }],
  };
}

function deleteTopic(topic: string, numPartitions: number, retentionMs: number, s: TopicSettings): TopicSpec {
  const { entries, ...rf } = replicationOf(s);
  return { topic, numPartitions, ...rf, configEntries: [{ name: 'cleanup.policy', value: 'delete' }, { name: 'retention.ms', value: String(retentionMs) }, ...entries] };
}

/**
 * The partitions of a new table topic expected to hold `rows` (null: unknown): one per `settings.tablePartitionRows`
 * rows, between 1 and `settings.partitions.table`. A table of a few thousand rows needs no more than one partition,
 * and every partition costs the broker in each fetch and metadata response: an organisation of hundreds of small
 * tables would otherwise have thousands.
 */
export function tablePartitions(rows: number | null, settings: TopicSettings = DEFAULT_TOPIC_SETTINGS): number {
  const most = settings.partitions.table;
  if (rows === null || settings.tablePartitionRows === 0) return most;
  return Math.max(1, Math.min(most, Math.ceil(rows / settings.tablePartitionRows)));
}

/** Topic settings of a table topic: a compacted changelog keyed by record id. */
export function tableTopicSpec(topic: string, numPartitions = DEFAULT_TOPIC_SETTINGS.partitions.table, settings: TopicSettings = DEFAULT_TOPIC_SETTINGS): TopicSpec {
  const { entries, ...rf } = replicationOf(settings);
  return {
    topic,
    numPartitions,
    ...rf,
    configEntries: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.compaction.lag.ms', value: String(settings.table.minCompactionLagMs) },
      { name: 'delete.retention.ms', value: String(settings.table.deleteRetentionMs) },
      ...entries,
    ],
  };
}

/** The control topics with their settings. */
export function controlTopics(settings: TopicSettings = DEFAULT_TOPIC_SETTINGS): TopicSpec[] {
  const { partitions: p, retentionMs: r } = settings;
  return [
    deleteTopic(TASKS_TOPIC, p.tasks, r.tasks, settings),
    deleteTopic(COORDINATOR_TOPIC, p.coordinator, r.coordinator, settings),
    deleteTopic(COMMANDS_TOPIC, p.coordinator, r.commands, settings),
    deleteTopic(DLQ_TOPIC, p.dlq, r.dlq, settings),
  ];
}

/** The variable that sets `setting` (`partitions`, `replicas` or a topic config name) of `topic`, if one does. */
export function variableOf(topic: string, setting: string): string | undefined {
  if (setting === 'replicas') return 'KAFKA_REPLICATION_FACTOR';
  if (setting === 'min.insync.replicas') return 'KAFKA_MIN_INSYNC_REPLICAS';
  const prefix = { [TASKS_TOPIC]: 'KAFKA_TASKS', [COORDINATOR_TOPIC]: 'KAFKA_COORDINATOR', [COMMANDS_TOPIC]: 'KAFKA_COMMANDS', [DLQ_TOPIC]: 'KAFKA_DLQ' }[topic];
  if (prefix === undefined) {
    return { partitions: 'KAFKA_TABLE_PARTITIONS', 'min.compaction.lag.ms': 'KAFKA_TABLE_MIN_COMPACTION_LAG_MS', 'delete.retention.ms': 'KAFKA_TABLE_DELETE_RETENTION_MS' }[setting];
  }
  if (setting === 'partitions') return topic === COMMANDS_TOPIC ? 'KAFKA_COORDINATOR_PARTITIONS' : `${prefix}_PARTITIONS`;
  return setting === 'retention.ms' ? `${prefix}_RETENTION_MS` : undefined;
}

/** An existing topic as the cluster describes it. */
export interface TopicState {
  partitions: number;
  /** The fewest replicas of any of its partitions. */
  replicationFactor: number;
  /** Effective values (the topic's own or the broker's default) of the configs a spec sets. */
  configs: Record<string, string | undefined>;
}

/** Milliseconds where -1 is forever. */
const longer = (a: number, b: number) => (a === -1 ? b !== -1 : b !== -1 && a > b);

/**
 * How an existing topic falls short of its spec: fewer partitions or replicas, a lower `min.insync.replicas`,
 * shorter retention or compaction lag, another cleanup policy. One phrase per difference, with the variable that
 * sets it; empty when the topic is at least as strong. Settings the spec does not mention are not compared.
 */
export function weakerSettings(spec: TopicSpec, actual: TopicState): string[] {
  const out: string[] = [];
  const named = (setting: string, text: string) => {
    const v = variableOf(spec.topic, setting);
    out.push(v ? `${text} (${v})` : text);
  };
  // a table topic's partitions are sized by its rows when it is created (tablePartitions): fewer is not weaker
  if (spec.numPartitions !== undefined && actual.partitions < spec.numPartitions && !TABLE_TOPIC_PATTERN.test(spec.topic)) named('partitions', `${actual.partitions} partitions, configured ${spec.numPartitions}`);
  if (spec.replicationFactor !== undefined && actual.replicationFactor < spec.replicationFactor) named('replicas', `replication factor ${actual.replicationFactor}, configured ${spec.replicationFactor}`);
  for (const { name, value: wanted } of spec.configEntries ?? []) {
    const have = actual.configs[name];
    if (have === undefined) continue;
    if (name === 'cleanup.policy') {
      const policies = new Set(have.split(',').map((p) => p.trim()));
      if (!wanted.split(',').every((p) => policies.has(p.trim())) || (wanted === 'delete' && policies.has('compact'))) named(name, `cleanup.policy ${have}, configured ${wanted}`);
    } else if (name === 'min.insync.replicas') {
      if (Number(have) < Number(wanted)) named(name, `min.insync.replicas ${have}, configured ${wanted}`);
    } else if (name.endsWith('.ms')) {
      if (longer(Number(wanted), Number(have))) named(name, `${name} ${have}, configured ${wanted}`);
    }
  }
  return out;
}

/** The start-up line reporting a topic weaker than configured (existing topics are never changed). */
export function weakerTopicMessage(topic: string, weaker: readonly string[]): string {
  return `Kafka topic ${topic} is weaker than configured: ${weaker.join('; ')}. Existing topics are never changed by dynsync: alter it (kafka-configs.sh --alter, kafka-reassign-partitions.sh, kafka-topics.sh --alter --partitions) or recreate it (docs/deployment.md, "Topic settings")`;
}
