/**
 * Kafka clients (kafkajs) for every service: one factory with pino logging, topic declaration that is
 * idempotent, and the naming of topics (DESIGN.md section 4).
 */
import { Kafka, Partitioners, logLevel, type Admin, type ITopicConfig, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from './log.ts';

// kafkajs 2.2.4 schedules a throttle timer with a negative delay on Node 22+, which prints a
// TimeoutNegativeWarning per request; it is harmless (Node clamps it to 1 ms). Filter only that warning.
const defaultWarningListeners = process.listeners('warning');
if (!defaultWarningListeners.some((l) => (l as { dynsync?: boolean }).dynsync)) {
  process.removeAllListeners('warning');
  const filter = Object.assign(
    (w: Error) => {
      if (w.name !== 'TimeoutNegativeWarning') for (const l of defaultWarningListeners) l(w);
    },
    { dynsync: true },
  );
  process.on('warning', filter);
}

/**
 * The client retry of the long-running services: 30 retries, 200 ms doubling up to 2 s apart, so about a minute of
 * reconnecting before kafkajs gives up. With the client default of 8 retries (about 6 s measured) a broker restart
 * of ~9 s made the extractor's consumer fail to find its group coordinator with a non-retriable error, and the
 * service exited (fault suite case 2, in CI). The CLI keeps the default: it should fail fast.
 */
export const SERVICE_KAFKA_RETRY = { initialRetryTime: 200, maxRetryTime: 2000, retries: 30 } as const;

/** Creates a kafkajs client whose logs go through `log` (warn and above); `overrides` tune the client config. */
export function createKafka(clientId: string, brokers: readonly string[], log?: Logger, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: log ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      if (!log) return;
      const { message, ...rest } = entry.log;
      const level = entry.level <= logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : 'debug';
      log[level]({ kafka: entry.namespace, ...rest }, message);
    },
    retry: { initialRetryTime: 200, retries: 8 },
    ...overrides,
  });
}

/**
 * The idempotent producer every service uses: acks from all in-sync replicas are requested per send, retries are
 * unbounded (an idempotent producer must not give up mid-sequence; a broker restart only delays sends), and the
 * murmur2 partitioner (Java-client compatible) places a key like any other Kafka client would.
 */
export function createProducer(kafka: Kafka, overrides: Parameters<Kafka['producer']>[0] = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 5,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 10_000 },
    ...overrides,
  });
}

/** The topic of one Dataverse table of one connection: `dynamics.<connection>.<table>`. */
export function tableTopic(connection: string, table: string): string {
  return `dynamics.${connection}.${table}`;
}

/** Matches every table topic (for the loader's subscription). */
export const TABLE_TOPIC_PATTERN = /^dynamics\.[^.]+\.[^.]+$/;

/** A topic to declare. */
export type TopicSpec = ITopicConfig;

/**
 * Creates the topics that do not exist yet (never alters existing ones) and waits for their leaders.
 * Returns the names it created.
 */
export async function ensureTopics(admin: Admin, topics: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ topics: missing.map((t) => ({ replicationFactor: 1, ...t })), waitForLeaders: true });
  } catch (err) {
    // another instance may have created it between list and create: that is fine
    if (!(err instanceof Error && /already exists/i.test(err.message))) throw err;
  }
  return missing.map((t) => t.topic);
}
