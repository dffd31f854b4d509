/**
 * The `eachMessage` handler of the task consumer. A task starts as soon as it is fetched and a slot is free (`slots`
 * windows at once): the handler takes a slot, pauses the task's partition, starts the task and returns, so kafkajs
 * goes on fetching (it fetches again only once every handler of the last fetch has returned; a handler that awaited
 * its window made the children of a split wait behind the longest window of that round). The partition stays paused
 * until its task has ended, so each partition has at most one task running and committing a task's offset after it
 * ends commits exactly that task (no out-of-order bookkeeping); then the partition is resumed. A task whose ending
 * could not be published is not committed: its partition is sought back to it before the resume, so it is
 * redelivered (what a handler's throw did before).
 *
 * A task of a connection outside EXTRACTOR_CONNECTIONS is skipped (committed without work, task-commits.ts). An
 * undecodable task goes to sync.dlq (Invariant 6). On stop, no new task starts; in-flight windows may finish within
 * the drain time, then are aborted without commit (redelivered).
 */
import type { Consumer, EachMessagePayload } from 'kafkajs';
import type { SyncTask } from '../contracts/control-messages.ts';
import type { AdaptiveSemaphore } from '../dataverse/client/adaptive-semaphore.ts';
import type { Clock } from '../shared/clock.ts';
import type { ControlCodec } from '../shared/control-codec.ts';
import { sendToDlq } from '../shared/dlq.ts';
import { isSyncError, toSyncError } from '../shared/errors.ts';
import type { MessageSender } from '../shared/healing-producer.ts';
import type { Logger } from '../shared/log.ts';
import { sleep } from '../shared/retry.ts';
import type { ExtractorMetrics } from './metrics.ts';
import type { TaskCommits, TaskPosition } from './task-commits.ts';
import type { TaskRunner } from './task-runner.ts';

/** Pause before a task whose end could not be published is read again (Kafka is likely unavailable). */
const REDELIVERY_DELAY_MS = 2_000;

/** What the handler needs. */
export interface TaskHandlerDeps {
  consumer: Pick<Consumer, 'seek'>;
  producer: MessageSender;
  codec: ControlCodec;
  /** Tasks of other connections are skipped (committed without work). */
  connections: RegExp;
  slots: AdaptiveSemaphore;
  runner: TaskRunner;
  commits: TaskCommits;
  metrics: ExtractorMetrics;
  log: Logger;
  clock: Clock;
  /** True once the consumer is stopping: no new task starts. */
  stopping: () => boolean;
}

/** The handler and the tasks it started. */
export interface TaskHandler {
  eachMessage(payload: EachMessagePayload): Promise<void>;
  /** Lets the running tasks end within `drainMs`, then aborts the rest; settles once all have ended. */
  drain(drainMs: number): Promise<void>;
}

/** A {@link TaskHandler}. */
export function taskHandler(deps: TaskHandlerDeps): TaskHandler {
  /** The running tasks, up to their commit (stop waits for them before leaving the group). */
  const tasks = new Set<Promise<void>>();
  return {
    eachMessage: (payload) => handleMessage(deps, tasks, payload),
    async drain(drainMs) {
      // the running tasks get the drain time to end (publish and commit); the rest are abandoned, uncommitted
      const ended = Promise.allSettled([...tasks]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise((resolve) => (timer = setTimeout(resolve, drainMs)))]);
      clearTimeout(timer);
      deps.runner.abortAll();
      await ended;
    },
  };
}

async function handleMessage(deps: TaskHandlerDeps, tasks: Set<Promise<void>>, payload: EachMessagePayload): Promise<void> {
  const { topic, partition, message, heartbeat, pause } = payload;
  if (deps.stopping()) {
    pause(); // take no new task; nothing is committed, so the next owner gets it
    return;
  }
  const task = await decodeTask(deps, payload);
  if (task === undefined) return;
  if (!deps.connections.test(task.connection)) {
    deps.metrics.tasks.inc({ outcome: 'skipped' });
    deps.commits.skip(partition, message.offset);
    return;
  }
  const release = await deps.slots.acquire(); // waits while `slots` tasks run
  if (deps.stopping()) {
    release();
    pause();
    return;
  }
  // INVARIANT: one running task per partition: the partition stays paused until its task is committed
  const resume = pause();
  const at = { topic, partition, offset: message.offset };
  const running = deps.runner
    .run(task, at, heartbeat)
    .then((ended) => (ended || deps.stopping() ? undefined : redeliver(deps, at)))
    .catch((err: unknown) => deps.log.error({ err: toSyncError(err).toJSON() }, 'task runner failed'))
    .finally(() => {
      release();
      if (deps.stopping()) return; // stays paused: the group is being left
      try {
        resume();
      } catch {
        // the partition was revoked meanwhile: its new owner reads it
      }
    });
  tasks.add(running);
  void running.finally(() => tasks.delete(running));
}

/** The task of the message; undefined when it could not be decoded (then sent to the DLQ and committed). */
async function decodeTask(deps: TaskHandlerDeps, { topic, partition, message }: EachMessagePayload): Promise<SyncTask | undefined> {
  try {
    return await deps.codec.decodeTask(message.value ?? Buffer.alloc(0));
  } catch (err) {
    const e = toSyncError(err);
    if (!isSyncError(e, 'RECORD_INVALID')) throw e; // registry down: kafkajs restarts and redelivers
    const letter = { topic, partition, offset: message.offset, key: message.key, value: message.value };
    await sendToDlq(deps.producer, 'extractor', [{ letter, error: e }], deps.clock.nowMs());
    deps.log.error({ partition, offset: message.offset, err: e.toJSON() }, 'undecodable task sent to the DLQ');
    await deps.commits.commit({ topic, partition, offset: message.offset });
    return undefined;
  }
}

/** After a task whose end was not published: wait a little, then read the partition from that task again. */
async function redeliver(deps: TaskHandlerDeps, { topic, partition, offset }: TaskPosition): Promise<void> {
  await sleep(REDELIVERY_DELAY_MS);
  try {
    deps.consumer.seek({ topic, partition, offset });
  } catch (err) {
    deps.log.warn({ partition, offset, err: (err as Error).message }, 'could not seek back to a task; it is redelivered after the next rebalance');
  }
}
