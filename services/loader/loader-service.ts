/**
 * The loader consumer group: subscribes to every table topic (`dynamics.<connection>.<table>`), including topics
 * created after start (a watcher re-subscribes when new ones appear), loads each partition's messages in chunks
 * and commits a chunk's offsets only after its writes are acknowledged (Invariant 3). A store or registry outage
 * pauses the partition in a retry loop (heartbeating) and resumes without loss; a revoked partition abandons its
 * chunk uncommitted, so the new owner replays it (harmless, Invariant 4). Wiring only: the consumer's lifecycle is
 * table-subscription.ts, the handling of a batch batch-handler.ts.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../shared/log.ts';
import type { LoaderMetrics } from './metrics.ts';
import { createBatchHandler, type LoadChunk } from './batch-handler.ts';
import { TableSubscription } from './table-subscription.ts';

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
  loadChunk: LoadChunk;
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

/** Starts the loader group. */
export async function startLoaderService(deps: LoaderServiceDeps, opts: LoaderServiceOptions): Promise<LoaderService> {
  const { kafka, admin, loadChunk, metrics, log } = deps;
  const subscription = new TableSubscription({ kafka, admin, log }, opts);
  const eachBatch = createBatchHandler({ loadChunk, metrics, log, chunkSize: opts.chunkSize, consumer: () => subscription.consumer() });
  await subscription.start(eachBatch);
  return {
    done: new Promise<void>(() => {}),
    ready: () => subscription.ready(),
    topics: () => subscription.topics(),
    stop: () => subscription.stop(),
  };
}
