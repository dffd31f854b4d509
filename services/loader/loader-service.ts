/**
 * The loader consumer group: subscribes to every table topic (`dynamics.<connection>.<table>`), including topics
 * created after start (a watcher re-subscribes when new ones appear), loads each partition's messages in chunks
 * and commits a chunk's offsets only after its writes are acknowledged (Invariant 3). A store or registry outage
 * pauses the partition in a retry loop (heartbeating) and resumes without loss; a revoked partition abandons its
 * chunk uncommitted, so the new owner replays it (harmless, Invariant 4).
 */
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { retry } from '../shared/retry.ts';
import type { Logger } from '../shared/log.ts';
import type { ChunkOutcome } from './chunk-loader.ts';
import type { LoaderMetrics } from './metrics.ts';
import { TABLE_TOPIC_PATTERN } from '../contracts/topic-names.ts';
import { commitAfter, keepBeating, serialQueue } from '../shared/consumer-blocks.ts';

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
  loadChunk: (topic: string, partition: number, messages: EachBatchPayload['batch']['messages']) => Promise<ChunkOutcome>;
  metrics: LoaderMetrics;
  log: Logger;
}

/** A running loader. */
export interface LoaderService {
  /** Never settles: a crashed consumer is re-created (with back-off) until {@link LoaderService.stop}. */
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
  const changes = serialQueue();
  const done = new Promise<void>(() => {});

  const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    const { topic, partition } = batch;
    const table = topic.split('.').slice(2).join('.');
    for (let i = 0; i < batch.messages.length; i += opts.chunkSize) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + opts.chunkSize);
      const end = metrics.writeSeconds.startTimer({ table });
      // keep the group membership alive while a chunk waits for the store (an outage can outlast the session)
      const stopBeating = keepBeating(heartbeat, 3_000);
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
        .finally(stopBeating);
      if (!outcome) return;
      end();
      const last = chunk[chunk.length - 1]!.offset;
      resolveOffset(last);
      // Invariant 3: commit only after MongoDB (and sync.dlq) acknowledged every message of the chunk.
      try {
        await commitAfter(consumer!, topic, partition, last);
      } catch (err) {
        // the group moved on (this member was dropped or a rebalance started): the partition's next owner replays
        // the uncommitted chunk (harmless, Invariant 4) and kafkajs rejoins on its next heartbeat
        if (REBALANCE_ERRORS.has((err as { type?: string }).type ?? '')) return;
        throw err;
      }
      metrics.batches.inc({ table });
      for (const counts of outcome.values()) for (const [k, n] of Object.entries(counts)) metrics.records.inc({ table, outcome: k }, n);
      await heartbeat();
    }
  };

  /** Runs `step` after every earlier consumer change: one consumer change at a time; a failed step never blocks the next. */
  const serially = (step: () => Promise<void>): Promise<void> =>
    changes.run(step).catch((err: unknown) => log.error({ err: (err as Error).message }, 'loader consumer change failed'));

  /**
   * Replaces the consumer with one subscribed to `topics`. kafkajs's own restart-after-crash is disabled: a restart
   * it scheduled could still be joining while this disconnects the consumer, leaving a zombie member in this process
   * that kept the old topic list and, as group leader, never assigned the new topics (reproduced: a topic created
   * during a broker restart was never loaded). Every crash comes back here instead, through {@link recover}.
   */
  async function subscribe(topics: string[]): Promise<void> {
    if (consumer) await consumer.disconnect();
    consumer = undefined;
    running = false;
    subscribed = topics;
    if (topics.length === 0) return;
    const next = kafka.consumer({
      groupId: opts.groupId,
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxBytes: 6 * 1024 * 1024,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      retry: { restartOnFailure: async () => false },
    });
    consumer = next;
    next.on(next.events.GROUP_JOIN, () => {
      if (consumer === next) running = true;
    });
    next.on(next.events.CRASH, ({ payload }) => {
      if (consumer !== next || stopped) return;
      running = false;
      log.warn({ err: payload.error.message }, 'loader consumer crashed; re-subscribing (uncommitted chunks are replayed)');
      recover(1, next);
    });
    await next.connect();
    await next.subscribe({ topics, fromBeginning: true });
    await next.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 4, eachBatch });
    log.info({ topics: topics.length }, 'loader subscribed to table topics');
  }

  /**
   * Re-creates the consumer `broken` (crashed, or its subscription failed), retrying with back-off until it works,
   * the topic watcher replaced it meanwhile, or the loader stops. Uncommitted chunks are replayed (Invariant 5).
   */
  function recover(attempt: number, broken: Consumer | undefined): void {
    const delayMs = Math.min(1_000 * 2 ** (attempt - 1), 30_000);
    setTimeout(() => {
      void serially(async () => {
        if (stopped || consumer !== broken) return;
        try {
          await subscribe(await tableTopics(admin, opts.topicPattern));
        } catch (err) {
          log.warn({ err: (err as Error).message, attempt }, 'loader could not re-subscribe; retrying');
          recover(attempt + 1, consumer);
        }
      });
    }, delayMs).unref();
  }

  await subscribe(await tableTopics(admin, opts.topicPattern));
  const timer = setInterval(() => {
    void serially(async () => {
      if (stopped) return;
      let now: string[];
      try {
        now = await tableTopics(admin, opts.topicPattern);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'could not refresh the list of table topics');
        return;
      }
      if (now.join() === subscribed.join()) return;
      try {
        await subscribe(now);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'loader could not re-subscribe to the new table topics; retrying');
        recover(1, consumer);
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
      await changes.idle();
      await consumer?.disconnect();
    },
  };
}
