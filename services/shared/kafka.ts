/**
 * Kafka clients (kafkajs) for every service: one factory with pino logging and the producer settings. Declaring
 * topics is kafka-topics.ts; their names are contracts/topic-names.ts.
 */
import { Kafka, Partitioners, logLevel, type KafkaConfig, type LogEntry, type ProducerConfig } from 'kafkajs';
import { HealingProducer, type HealingProducerOptions } from './healing-producer.ts';
import type { Logger } from './log.ts';

/**
 * kafkajs 2.2.4 schedules a throttle timer with a negative delay on Node 22+, which prints a TimeoutNegativeWarning
 * per request; it is harmless (Node clamps it to 1 ms). The first Kafka client of a process filters only that
 * warning out of the process's warning listeners (once).
 */
function filterKafkajsTimerWarnings(): void {
  const listeners = process.listeners('warning');
  if (listeners.some((l) => (l as { dynsync?: boolean }).dynsync)) return;
  process.removeAllListeners('warning');
  const filter = Object.assign(
    (w: Error) => {
      if (w.name !== 'TimeoutNegativeWarning') for (const l of listeners) l(w);
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
  filterKafkajsTimerWarnings();
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

/** Settings of {@link createProducer}. */
export interface ProducerOptions extends Omit<HealingProducerOptions, 'name'> {
  /** Names the producer in logs and metrics (default `producer`). */
  name?: string;
  /** kafkajs producer settings over the defaults below. */
  config?: Omit<ProducerConfig, 'transactionalId'>;
  /** A transactional producer: a new transactional id for each producer created (a replacement never reuses one). */
  transactionalId?: () => string;
}

/**
 * The idempotent producer every service uses: acks from all in-sync replicas are requested per send, retries are
 * unbounded (an idempotent producer must not give up mid-sequence; a broker restart only delays sends), the
 * murmur2 partitioner (Java-client compatible) places a key like any other Kafka client would, and a producer
 * whose idempotent state the broker rejects is replaced (healing-producer.ts).
 */
export function createProducer(kafka: Kafka, opts: ProducerOptions = {}): HealingProducer {
  const make = () =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 10_000 },
      ...opts.config,
      ...(opts.transactionalId ? { transactionalId: opts.transactionalId(), maxInFlightRequests: 1 } : {}),
    });
  return new HealingProducer(make, { ...opts, name: opts.name ?? 'producer' });
}
