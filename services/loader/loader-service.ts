/**
 * The loader consumer group: subscribes to every table topic (`dynamics.<connection>.<table>`), including topics
 * created after start (a watcher re-subscribes when new ones appear), loads each partition's messages in chunks
 * and commits a chunk's offsets only after its writes are acknowledged (Invariant 3). A store or registry outage
 * pauses the partition in a retry loop (heartbeating) and resumes without loss; a revoked partition abandons its
 * chunk uncommitted, so the new owner replays it (harmless, Invariant 4).
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { retry } from '../shared/retry.ts';
import { TABLE_TOPIC_PATTERN } from '../shared/kafka.ts';
import type { Logger } from '../shared/log.ts';
import type { ChunkOutcome } from './chunk-loader.ts';
import type { LoaderMetrics } from './metrics.ts';

/** Settings of the consumer loop. */
export interface LoaderServiceOptions {
  groupId: string;
  chunkSize: number;
  topicRefreshMs: number;
  /** Table topics to consume (a subset of `dynamics.<connection>.<table>`). */
  topicPattern: RegExp;
}

/** Dependencies of the loader service. */
export interface LoaderServiceDeps {
  kafka: Kafka;
  admin: Admin;
  dlqProducer: Producer;
  loadChunk: (topic: string, partition: number, messages: EachBatchPayload['batch']['messages']) => Promise<ChunkOutcome>;
  metrics: LoaderMetrics;
  log: Logger;
}

/** A running loader. */
export interface LoaderService {
  /** Rejects when the consumer could not be re-created after a crash. */
  done: Promise<void>;
  ready(): boolean;
  stop(): Promise<void>;
  /** The table topics currently subscribed. */
  topics(): readonly string[];
}

/** Commit failures that mean this member no longer owns the partition. */
const REBALANCE_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR']);

async function tableTopics(admin: Admin, pattern: RegExp): Promise<string[]> {
  return (await admin.listTopics()).filter((t) => TABLE_TOPIC_PATTERN.test(t) && pattern.test(t)).sort();
}

/** Starts the loader group. */
export async function startLoaderService(deps: LoaderServiceDeps, opts: LoaderServiceOptions): Promise<LoaderService> {
  const { kafka, admin, log, metrics } = deps;
  let consumer: Consumer | undefined;
  let subscribed: string[] = [];
  let running = false;
  let stopped = false;
  let fail: (err: Error) => void = () => {};
  let watching: Promise<void> = Promise.resolve();
  const done = new Promise<void>((_resolve, reject) => (fail = reject));

  const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    const { topic, partition } = batch;
    const table = topic.split('.').slice(2).join('.');
    for (let i = 0; i < batch.messages.length; i += opts.chunkSize) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + opts.chunkSize);
      const end = metrics.writeSeconds.startTimer({ table });
      // keep the group membership alive while a chunk waits for the store (an outage can outlast the session)
      const beat = setInterval(() => heartbeat().catch(() => undefined), 3_000);
      const outcome = await retry(() => deps.loadChunk(topic, partition, chunk), {
        retries: Number.MAX_SAFE_INTEGER,
        minDelayMs: 250,
        maxDelayMs: 5_000,
        onRetry: (err, attempt, delayMs) => {
          metrics.retries.inc({ code: err.code });
          if (attempt === 1 || attempt % 10 === 0) log.warn({ topic, partition, code: err.code, attempt, delayMs }, `loading paused: ${err.message}`);
          heartbeat().catch(() => undefined);
          if (!isRunning() || isStale()) throw err;
        },
      })
        .catch((err: unknown) => {
          if (!isRunning() || isStale()) return undefined; // revoked or stopping: the next owner replays the chunk
          throw err;
        })
        .finally(() => clearInterval(beat));
      if (!outcome) return;
      end();
      const last = chunk[chunk.length - 1]!.offset;
      resolveOffset(last);
      // Invariant 3: commit only after MongoDB (and sync.dlq) acknowledged every message of the chunk.
      try {
        await consumer!.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
      } catch (err) {
        // the group moved on (this member was dropped or a rebalance started): the partition's next owner replays
        // the uncommitted chunk (harmless, Invariant 4) and kafkajs rejoins on its next heartbeat
        if (REBALANCE_ERRORS.has((err as { type?: string }).type ?? '')) return;
        throw err;
      }
      metrics.batches.inc({ table });
      metrics.records.inc({ table, outcome: 'applied' }, outcome.applied);
      metrics.records.inc({ table, outcome: 'stale' }, outcome.stale);
      metrics.records.inc({ table, outcome: 'dead' }, outcome.dead);
      await heartbeat();
    }
  };

  async function subscribe(topics: string[]): Promise<void> {
    if (consumer) await consumer.disconnect();
    running = false;
    subscribed = topics;
    if (topics.length === 0) return;
    consumer = kafka.consumer({ groupId: opts.groupId, maxBytesPerPartition: 2 * 1024 * 1024, maxBytes: 6 * 1024 * 1024, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, () => (running = true));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts the consumer after retriable crashes; after any other (e.g. a long store outage that
      // outlived the group session) the loader re-creates its consumer: uncommitted chunks are replayed (Invariant 5)
      if (!payload.restart && !stopped) {
        running = false;
        log.error({ err: payload.error.message }, 'loader consumer crashed; re-subscribing in 5 s');
        setTimeout(() => {
          watching = watching.then(() => (stopped ? undefined : subscribe(subscribed))).catch((err: unknown) => fail(err as Error));
        }, 5_000).unref();
      }
    });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 4, eachBatch });
    log.info({ topics: topics.length }, 'loader subscribed to table topics');
  }

  await subscribe(await tableTopics(admin, opts.topicPattern));
  const timer = setInterval(() => {
    watching = watching.then(async () => {
      if (stopped) return;
      try {
        const now = await tableTopics(admin, opts.topicPattern);
        if (now.join() !== subscribed.join()) await subscribe(now);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'could not refresh the list of table topics');
      }
    });
  }, opts.topicRefreshMs);

  return {
    done,
    ready: () => running || subscribed.length === 0,
    topics: () => subscribed,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await watching;
      await consumer?.disconnect();
    },
  };
}
