/**
 * The loader's eachBatch handler: loads a partition's messages in chunks of `chunkSize` and commits a chunk's
 * offsets only after its writes are acknowledged (Invariant 3). A store or registry outage pauses the partition in a
 * retry loop (heartbeating) and resumes without loss; a revoked partition (or a stopping loader) abandons its chunk
 * uncommitted, so the new owner replays it (harmless, Invariant 4).
 */
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { retry } from '../shared/retry.ts';
import type { Logger } from '../shared/log.ts';
import type { ChunkOutcome } from './chunk-loader.ts';
import type { LoaderMetrics } from './metrics.ts';
import { commitAfter, keepBeating } from '../shared/consumer-blocks.ts';

type Messages = EachBatchPayload['batch']['messages'];

/** Loads one chunk of one partition (chunk-loader.ts); resolves once every message is durable. */
export type LoadChunk = (topic: string, partition: number, messages: Messages) => Promise<ChunkOutcome>;

/** What the batch handler needs. */
export interface BatchHandlerDeps {
  loadChunk: LoadChunk;
  metrics: LoaderMetrics;
  log: Logger;
  chunkSize: number;
  /** The loader's current consumer, through which a chunk's offsets are committed. */
  consumer: () => Consumer | undefined;
}

/** Commit failures that mean this member no longer owns the partition. */
const REBALANCE_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR']);

/** True when a commit failed because this member no longer owns the partition. */
export function isRebalanceError(err: unknown): boolean {
  return REBALANCE_ERRORS.has((err as { type?: string }).type ?? '');
}

/** The table of a table topic `dynamics.<connection>.<table>` (the metrics' label). */
export function tableOf(topic: string): string {
  return topic.split('.').slice(2).join('.');
}

/** `items` in consecutive slices of at most `size`. */
export function* chunksOf<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** The eachBatch handler of the loader's consumer. */
export function createBatchHandler(deps: BatchHandlerDeps): (payload: EachBatchPayload) => Promise<void> {
  return async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
    const { topic, partition } = batch;
    const table = tableOf(topic);
    const owned = () => isRunning() && !isStale();
    for (const chunk of chunksOf(batch.messages, deps.chunkSize)) {
      if (!owned()) return;
      const end = deps.metrics.writeSeconds.startTimer({ table });
      const outcome = await loadPatiently(deps, { topic, partition, chunk, heartbeat, owned });
      if (!outcome) return;
      end();
      const last = chunk[chunk.length - 1]!.offset;
      resolveOffset(last);
      // Invariant 3: commit only after MongoDB (and sync.dlq) acknowledged every message of the chunk.
      if (!(await commitChunk(deps.consumer, topic, partition, last))) return;
      countChunk(deps.metrics, table, outcome);
      await heartbeat();
    }
  };
}

/** One chunk of one partition, and whether this member still owns it. */
interface ChunkWork {
  topic: string;
  partition: number;
  chunk: Messages;
  heartbeat: () => Promise<void>;
  owned: () => boolean;
}

/**
 * Loads `chunk`, retrying for as long as the partition is owned; undefined when it was revoked or the loader stops
 * meanwhile.
 */
async function loadPatiently(deps: BatchHandlerDeps, { topic, partition, chunk, heartbeat, owned }: ChunkWork): Promise<ChunkOutcome | undefined> {
  // keep the group membership alive while a chunk waits for the store (an outage can outlast the session)
  const stopBeating = keepBeating(heartbeat, 3_000);
  return retry(() => deps.loadChunk(topic, partition, chunk), {
    retries: Number.MAX_SAFE_INTEGER,
    minDelayMs: 250,
    maxDelayMs: 5_000,
    onRetry: (err, attempt, delayMs) => {
      deps.metrics.retries.inc({ code: err.code });
      if (attempt === 1 || attempt % 10 === 0) deps.log.warn({ topic, partition, code: err.code, attempt, delayMs }, `loading paused: ${err.message}`);
      heartbeat().catch(() => undefined);
      if (!owned()) throw err;
    },
  })
    .catch((err: unknown) => {
      if (!owned()) return undefined; // revoked or stopping: the next owner replays the chunk
      throw err;
    })
    .finally(stopBeating);
}

/** Commits the position after `last`; false when the group moved on and the chunk stays uncommitted. */
async function commitChunk(consumer: () => Consumer | undefined, topic: string, partition: number, last: string): Promise<boolean> {
  try {
    await commitAfter(consumer()!, topic, partition, last);
    return true;
  } catch (err) {
    // the group moved on (this member was dropped or a rebalance started): the partition's next owner replays
    // the uncommitted chunk (harmless, Invariant 4) and kafkajs rejoins on its next heartbeat
    if (isRebalanceError(err)) return false;
    throw err;
  }
}

/** Counts a committed chunk and its records by outcome. */
function countChunk(metrics: LoaderMetrics, table: string, outcome: ChunkOutcome): void {
  metrics.batches.inc({ table });
  for (const counts of outcome.values()) for (const [k, n] of Object.entries(counts)) metrics.records.inc({ table, outcome: k }, n);
}
