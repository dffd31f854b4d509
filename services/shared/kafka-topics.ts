/**
 * Declaring the deployment's topics, idempotently: creating the missing ones with the deployment's settings
 * resolved against the cluster (topics.ts), reporting existing ones that are weaker, and waiting for new topics'
 * partition leaders before anything is produced to them.
 */
import kafkajs, { type Admin, type ITopicConfig, type ITopicMetadata } from 'kafkajs';
import { SyncError, toSyncError } from './errors.ts';
import type { Logger } from './log.ts';
import { classifyKafkaError } from './kafka-errors.ts';
import { sleep } from './retry.ts';
import {
  controlTopics, resolveReplication, tablePartitions, tableTopicSpec, weakerSettings, weakerTopicMessage, withReplication,
  type ClusterFacts, type Replication, type TopicSettings, type TopicState,
} from './topics.ts';

/** kafkajs's config resource types (a CommonJS export that Node's ESM loader does not name). */
const { ConfigResourceTypes } = kafkajs;

/** A topic to declare. */
export type TopicSpec = ITopicConfig;

/** How long a topic may be without a leader on a partition before producing to it is given up. */
export const LEADER_WAIT_MS = 30_000;

/** The partitions (`topic[n]`) of `metadata` without a leader; a topic without partitions counts as one. */
export function leaderlessPartitions(metadata: ITopicMetadata[], topics: readonly string[]): string[] {
  const byName = new Map(metadata.map((t) => [t.name, t.partitions]));
  return topics.flatMap((topic) => {
    const partitions = byName.get(topic) ?? [];
    if (partitions.length === 0) return [`${topic}[?]`];
    return partitions.filter((p) => p.leader < 0 || p.partitionErrorCode !== 0).map((p) => `${topic}[${p.partitionId}]`);
  });
}

/**
 * Resolves once every partition of `topics` has a leader that answers for it, polling the metadata and the leaders'
 * offsets; a topic just created has none for a moment, and a send in that moment can break an idempotent producer's
 * sequence numbers (healing-producer.ts). Only the leaders of `fresh` topics (default: all) are asked: a topic that
 * existed before is ready once its metadata names a leader for each partition (asking costs two ListOffsets and a
 * metadata request per topic).
 * After `timeoutMs` it rejects with KAFKA_UNAVAILABLE naming the topic and its leaderless partitions.
 */
export async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = LEADER_WAIT_MS, pollMs = 200, fresh: readonly string[] = topics): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ledSince: number | undefined;
  for (;;) {
    let missing: string[];
    let why = 'no leader';
    try {
      missing = leaderlessPartitions((await admin.fetchTopicMetadata({ topics: [...topics] })).topics, topics);
    } catch (err) {
      if (classifyKafkaError(err).action === 'fail') throw toSyncError(err, 'KAFKA_FAILED');
      missing = topics.map((t) => `${t}[?]`);
      why = err instanceof Error ? err.message : String(err);
    }
    if (missing.length === 0) {
      ledSince ??= Date.now();
      // the metadata can name a leader a moment before that broker acts as one: ready once each leader answers for
      // its partitions, or after a grace period (a replaced producer covers what is left)
      if ((await leadersAnswer(admin, fresh)) || Date.now() - ledSince >= LEADER_GRACE_MS) return;
    } else ledSince = undefined;
    if (Date.now() >= deadline) {
      throw new SyncError(
        'KAFKA_UNAVAILABLE',
        `Kafka topic partitions ${missing.join(', ')} have ${why === 'no leader' ? 'no leader' : `no metadata (${why})`} after ${timeoutMs / 1000} s: check that the brokers hosting them are up (kafka-topics.sh --describe --topic <topic>); nothing was produced to them`,
        { details: { partitions: missing } },
      );
    }
    await sleep(pollMs);
  }
}

/**
 * The partition count of `topic` when it exists and every partition has a leader (one metadata request); null when it
 * does not exist, a partition has no leader, or the metadata cannot be read: the caller then declares it
 * ({@link KafkaTopics.declare}), which creates it or waits for its leaders and reports why not.
 */
export async function ledPartitionCount(admin: Admin, topic: string): Promise<number | null> {
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return leaderlessPartitions(topics, [topic]).length === 0 ? topics[0]!.partitions.length : null;
  } catch {
    return null;
  }
}

/** How long partitions named with a leader may go on refusing ListOffsets before they count as ready anyway. */
const LEADER_GRACE_MS = 3_000;

/**
 * True when the leader of every partition of `topics` answers ListOffsets for it (it fails NOT_LEADER_OR_FOLLOWER
 * until the broker acts as leader). Any failure is "not yet": kafkajs answers from metadata it caches, which can
 * still lack a topic created a moment ago.
 */
async function leadersAnswer(admin: Admin, topics: readonly string[]): Promise<boolean> {
  try {
    for (const topic of topics) await admin.fetchTopicOffsets(topic);
    return true;
  } catch {
    return false;
  }
}

/** The brokers of the cluster and their replication defaults (the defaults stay unset where ACLs hide them). */
export async function clusterFacts(admin: Admin): Promise<ClusterFacts> {
  const { brokers } = await admin.describeCluster();
  const facts: ClusterFacts = { brokers: brokers.length };
  const first = brokers[0];
  if (!first) return facts;
  try {
    const answer = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: String(first.nodeId), configNames: ['default.replication.factor', 'min.insync.replicas'] }],
    });
    for (const e of answer.resources[0]?.configEntries ?? []) {
      const n = Number(e.configValue);
      if (!Number.isInteger(n) || n < 1) continue;
      if (e.configName === 'default.replication.factor') facts.defaultReplicationFactor = n;
      if (e.configName === 'min.insync.replicas') facts.minInsyncReplicas = n;
    }
  } catch {
    // a cluster whose ACLs hide broker configs: auto replication goes by the broker count alone
  }
  return facts;
}

/** Fills in the replication of specs that have none (`auto`, resolved against the cluster). */
async function withClusterReplication(admin: Admin, specs: readonly TopicSpec[]): Promise<TopicSpec[]> {
  const complete = (t: TopicSpec) => t.replicationFactor !== undefined && (t.configEntries ?? []).some((e) => e.name === 'min.insync.replicas');
  if (specs.every(complete)) return [...specs];
  const facts = await clusterFacts(admin);
  return specs.map((t) => {
    if (complete(t)) return t;
    const r = resolveReplication({ replicationFactor: t.replicationFactor ?? 'auto', minInsyncReplicas: 'auto' }, facts);
    const entries = t.configEntries ?? [];
    const isr = entries.some((e) => e.name === 'min.insync.replicas') ? [] : [{ name: 'min.insync.replicas', value: String(r.minInsyncReplicas) }];
    return { ...t, replicationFactor: r.replicationFactor, configEntries: [...entries, ...isr] };
  });
}

/**
 * The subset of `names` that exists: asked by name (a metadata request for those topics), and only when one of them
 * is unknown by listing the cluster's topics, whose metadata response names every topic and partition the principal
 * may see (with hundreds of table topics, a listing per declared table was most of the broker's CPU).
 */
async function existingTopics(admin: Admin, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
    if (topics.length === names.length) return new Set(topics.map((t) => t.name));
  } catch {
    // an unknown topic fails the whole request (UNKNOWN_TOPIC_OR_PARTITION): the listing below tells which
  }
  const all = new Set(await admin.listTopics());
  return new Set(names.filter((n) => all.has(n)));
}

/**
 * Creates the topics that do not exist yet (never alters existing ones) and waits until every partition of every
 * topic, existing or new, has a leader. A spec without a replication factor or `min.insync.replicas` gets the
 * cluster's `auto` values (topics.ts `resolveReplication`). Returns the names it created.
 */
export async function ensureTopics(admin: Admin, topics: readonly TopicSpec[], leaderWaitMs = LEADER_WAIT_MS): Promise<string[]> {
  const existing = await existingTopics(admin, topics.map((t) => t.topic));
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    try {
      // kafkajs's own wait retries only LEADER_NOT_AVAILABLE, and fails a task on the UNKNOWN_TOPIC_OR_PARTITION a
      // broker answers before the new topic reached its metadata: waitForLeaders below waits for both
      await admin.createTopics({ topics: await withClusterReplication(admin, missing), waitForLeaders: false });
    } catch (err) {
      // another instance may have created it between list and create: that is fine
      if (!(err instanceof Error && /already exists/i.test(err.message))) throw err;
    }
  }
  const created = missing.map((t) => t.topic);
  await waitForLeaders(admin, topics.map((t) => t.topic), leaderWaitMs, undefined, created);
  return created;
}

/** How existing topics are set up: partitions, fewest replicas, and the effective values of the configs their specs set. */
export async function describeTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<Map<string, TopicState>> {
  const out = new Map<string, TopicState>();
  if (specs.length === 0) return out;
  const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: specs.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.topic, configNames: (s.configEntries ?? []).map((e) => e.name) })),
  });
  for (const t of topics) {
    const entries = configs.resources.find((r) => r.resourceName === t.name)?.configEntries ?? [];
    out.set(t.name, {
      partitions: t.partitions.length,
      replicationFactor: Math.min(...t.partitions.map((p) => p.replicas.length)),
      configs: Object.fromEntries(entries.map((e) => [e.configName, e.configValue])),
    });
  }
  return out;
}

/** What {@link KafkaTopics.declare} did. */
export interface Declared {
  created: string[];
  /** Existing topics weaker than their spec, with the differences (reported, never changed). */
  weaker: Record<string, string[]>;
}

/**
 * The topics of a service, with the deployment's settings resolved against the cluster at start-up
 * ({@link KafkaTopics.resolve} rejects settings the cluster cannot honour). {@link KafkaTopics.declare} creates
 * what is missing and reports, once per process and topic, existing topics that are weaker than configured.
 */
export class KafkaTopics {
  readonly settings: TopicSettings;
  readonly replication: Replication;
  private readonly admin: Admin;
  private readonly log: Logger | undefined;
  /** Topics compared with their spec already (once per process: a table topic is declared again by every run). */
  private readonly checked = new Set<string>();

  private constructor(admin: Admin, settings: TopicSettings, replication: Replication, log?: Logger) {
    this.admin = admin;
    this.settings = withReplication(settings, replication);
    this.replication = replication;
    this.log = log;
  }

  /** Resolves `settings` against the cluster; CONFIG_INVALID (naming the variable) when it cannot honour them. */
  static async resolve(admin: Admin, settings: TopicSettings, log?: Logger): Promise<KafkaTopics> {
    const replication = resolveReplication(settings, await clusterFacts(admin));
    log?.info({ replicationFactor: replication.replicationFactor, minInsyncReplicas: replication.minInsyncReplicas }, `Kafka topics: ${replication.why}`);
    return new KafkaTopics(admin, settings, replication, log);
  }

  /** The control topics (sync.tasks, sync.coordinator, sync.commands, sync.dlq). */
  control(): TopicSpec[] {
    return controlTopics(this.settings);
  }

  /** A table topic, with partitions for `rows` expected rows (null or absent: unknown, the most partitions). */
  table(topic: string, rows: number | null = null): TopicSpec {
    return tableTopicSpec(topic, tablePartitions(rows, this.settings), this.settings);
  }

  /**
   * Creates the missing topics among `specs` and waits for the leaders of all of them, without comparing existing ones
   * (ensureTopics); returns the names it created.
   */
  async create(specs: readonly TopicSpec[], leaderWaitMs = LEADER_WAIT_MS): Promise<string[]> {
    const created = await ensureTopics(this.admin, specs, leaderWaitMs);
    for (const t of created) this.checked.add(t);
    return created;
  }

  /**
   * Creates the missing topics, waits for their leaders, and reports existing ones weaker than their spec (each topic
   * is compared once per process).
   */
  async declare(specs: readonly TopicSpec[], leaderWaitMs = LEADER_WAIT_MS): Promise<Declared> {
    const created = await this.create(specs, leaderWaitMs);
    const weaker: Record<string, string[]> = {};
    const existing = specs.filter((s) => !this.checked.has(s.topic));
    if (existing.length === 0) return { created, weaker };
    let states: Map<string, TopicState>;
    try {
      states = await describeTopics(this.admin, existing);
    } catch (err) {
      this.log?.warn({ topics: existing.map((s) => s.topic), reason: (err as Error).message }, 'could not read the settings of existing Kafka topics to compare them with the configuration');
      return { created, weaker };
    }
    for (const spec of existing) {
      const state = states.get(spec.topic);
      if (state) this.checked.add(spec.topic);
      const found = state ? weakerSettings(spec, state) : [];
      if (found.length === 0) continue;
      weaker[spec.topic] = found;
      this.log?.warn({ topic: spec.topic, weaker: found }, weakerTopicMessage(spec.topic, found));
    }
    return { created, weaker };
  }
}
