/**
 * The extractor's consumer group on sync.tasks. Mode: `eachMessage`, auto-commit off. A task starts as soon as it
 * is fetched and a slot is free (`slots` windows at once): the handler takes a slot, pauses the task's partition,
 * starts the task and returns, so kafkajs goes on fetching (it fetches again only once every handler of the last
 * fetch has returned; a handler that awaited its window made the children of a split wait behind the longest window
 * of that round). The partition stays paused until its task has ended, so each partition has at most one task
 * running and committing a task's offset after it ends commits exactly that task (no out-of-order bookkeeping);
 * then the partition is resumed. A task whose ending could not be published is not committed: its partition is
 * sought back to it before the resume, so it is redelivered (what a handler's throw did before). Tasks are keyed
 * by id, so they spread over the 12 partitions. While a window runs, a timer heartbeats (every third of the
 * session timeout) so a long window keeps the group membership. Concurrency towards Dataverse is further bounded
 * per connection by the shared client (x-ms-dop-hint, 429 pause gate).
 *
 * Delta tasks (`task.delta` set, change-tracked tables) go to `runDelta` (delta-extractor.ts); their TaskCompleted
 * carries the new delta link, and an expired token is reported as TaskFailed DATAVERSE_DELTA_EXPIRED like any error.
 *
 * A task whose connection is not in this deployment's state DB (CONNECTION_NOT_FOUND and `knowsConnection` says
 * so) is committed and skipped like a task of a connection outside EXTRACTOR_CONNECTIONS, not failed: another
 * deployment (or test) sharing the Kafka cluster owns it, as the coordinator ignores events of unknown connections.
 *
 * After a task: completed → TaskCompleted; split → TaskSplit, then the children on sync.tasks; error → TaskFailed
 * with the classified code and retriable flag (the coordinator decides on retries). Events are acknowledged by
 * Kafka before the task's offset is committed (Invariant 3); a crash before the commit redelivers the task, and
 * re-extracting it is harmless (Invariant 4). An undecodable task goes to sync.dlq (Invariant 6). On stop, no new
 * task starts; in-flight windows may finish within the drain time, then are aborted without commit (redelivered).
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { MessageSender } from '../shared/healing-producer.ts';
import type { Clock } from '../shared/clock.ts';
import type { CoordinatorEvent, EventBody, SyncTask } from '../contracts/control-messages.ts';
import type { ControlCodec } from '../shared/control-codec.ts';
import { sendToDlq } from '../shared/dlq.ts';
import { isSyncError, toSyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import { sleep } from '../shared/retry.ts';
import type { DeltaOutcome } from './delta-extractor.ts';
import type { ExtractorMetrics } from './metrics.ts';
import type { TaskOutcome } from './window-extractor.ts';
import { AdaptiveSemaphore } from '../dataverse/client/adaptive-semaphore.ts';
import { COORDINATOR_TOPIC, TASKS_TOPIC } from '../contracts/topic-names.ts';
import { commitAfter, keepBeating, nextOffset, runRecovering, serialQueue } from '../shared/consumer-blocks.ts';

/** Pause before a task whose end could not be published is read again (Kafka is likely unavailable). */
const REDELIVERY_DELAY_MS = 2_000;

/** What any task can end with. */
type AnyOutcome = TaskOutcome | DeltaOutcome;
const isDelta = (o: AnyOutcome): o is DeltaOutcome => 'deltaLink' in o;

/** Settings of the consumer. */
export interface TaskConsumerOptions {
  groupId: string;
  slots: number;
  sessionTimeoutMs: number;
  fromBeginning: boolean;
  /** Tasks of other connections are skipped (committed without work). */
  connections: RegExp;
  drainMs: number;
}

/** Dependencies of the consumer. */
export interface TaskConsumerDeps {
  kafka: Kafka;
  producer: MessageSender;
  codec: ControlCodec;
  run: (task: SyncTask, signal: AbortSignal) => Promise<TaskOutcome>;
  /** False when connection `id` is not stored in this deployment's state DB (its tasks are then skipped). */
  knowsConnection?: (id: string) => Promise<boolean>;
  /** Runs a delta task (delta-extractor.ts). */
  runDelta: (task: SyncTask, signal: AbortSignal) => Promise<DeltaOutcome>;
  metrics: ExtractorMetrics;
  log: Logger;
  clock: Clock;
}

/** A running task consumer. */
export interface TaskConsumer {
  ready(): boolean;
  stop(): Promise<void>;
}

/** Starts consuming sync.tasks. */
export async function startTaskConsumer(deps: TaskConsumerDeps, opts: TaskConsumerOptions): Promise<TaskConsumer> {
  const { kafka, producer, codec, metrics, log, clock } = deps;
  const inFlight = new Set<AbortController>();
  const slots = new AdaptiveSemaphore(opts.slots);
  /** The running tasks, up to their commit (stop waits for them before leaving the group). */
  const tasks = new Set<Promise<void>>();
  let stopping = false;
  let joined = false;
  const consumer: Consumer = kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: opts.sessionTimeoutMs,
    heartbeatInterval: Math.floor(opts.sessionTimeoutMs / 10),
    rebalanceTimeout: Math.max(60_000, opts.sessionTimeoutMs * 2),
    maxWaitTimeInMs: 500,
    maxBytesPerPartition: 64 * 1024,
  });

  const publish = async (task: SyncTask, event: EventBody) => {
    const envelope: CoordinatorEvent = { eventId: randomUUID(), connection: task.connection, runId: task.runId, at: new Date(clock.nowMs()), event };
    await producer.send({ topic: COORDINATOR_TOPIC, acks: -1, messages: [{ key: task.connection, value: await codec.encodeEvent(envelope) }] });
  };

  const report = async (task: SyncTask, outcome: AnyOutcome, durationMs: number) => {
    if (outcome.kind === 'completed') {
      const { topic, count, maxModifiedOn, offsets } = outcome;
      const deltaLink = isDelta(outcome) ? outcome.deltaLink : null;
      await publish(task, { type: 'TaskCompleted', taskId: task.taskId, table: task.table, count, maxModifiedOn, topic, offsets, durationMs, deltaLink });
      return;
    }
    // TaskSplit first: no event of a child can precede it. A crash before the children are on sync.tasks
    // redelivers the parent, which splits again into the same child ids (core/child-tasks.ts).
    await publish(task, { type: 'TaskSplit', taskId: task.taskId, table: task.table, childTaskIds: outcome.children.map((c) => c.taskId), reason: outcome.reason });
    const messages = await Promise.all(outcome.children.map(async (child) => ({ key: child.taskId, value: await codec.encodeTask(child) })));
    await producer.send({ topic: TASKS_TOPIC, acks: -1, messages });
  };

  // every commit goes through one queue, so a later position is never overwritten by an earlier one
  const commits = serialQueue();
  /** Per partition, the last task skipped since the last commit (committed in one go, see flushSkipped). */
  const skipped = new Map<number, string>();
  const commit = async (topic: string, partition: number, offset: string) => {
    skipped.delete(partition); // this later position covers the skipped ones before it
    try {
      // Invariant 3: the task's offset is committed only after its records and its event are acknowledged by Kafka.
      await commits.run(() => commitAfter(consumer, topic, partition, offset));
    } catch (err) {
      // revoked meanwhile: the new owner re-runs the task, which is harmless (Invariant 4)
      log.warn({ partition, offset, err: (err as Error).message }, 'could not commit a task offset; it will be redelivered');
    }
  };
  /**
   * Commits the positions after the tasks skipped since the last flush, one request for every partition. A new
   * group reading a shared sync.tasks from the beginning skips thousands of other connections' tasks: one commit
   * each made it take minutes to reach its own. Skipped positions not flushed yet (a crash, a rebalance) are only
   * skipped again.
   */
  const flushSkipped = async () => {
    if (skipped.size === 0) return;
    const positions = [...skipped].map(([partition, offset]) => ({ topic: TASKS_TOPIC, partition, offset: nextOffset(offset) }));
    skipped.clear();
    await commits.run(() => consumer.commitOffsets(positions)).catch((err: unknown) => log.debug({ err: (err as Error).message }, 'could not commit skipped tasks; they are skipped again later'));
  };
  const skipTimer = setInterval(() => void flushSkipped(), 1_000);

  /** Runs one task to its end; false when its end could not be recorded (it must be redelivered). */
  const runTask = async (task: SyncTask, topic: string, partition: number, offset: string, heartbeat: () => Promise<void>): Promise<boolean> => {
    const taskLog = log.child({ runId: task.runId, taskId: task.taskId, connection: task.connection, table: task.table });
    const controller = new AbortController();
    inFlight.add(controller);
    metrics.inFlight.inc();
    const stopBeating = keepBeating(heartbeat, Math.floor(opts.sessionTimeoutMs / 3));
    const started = clock.nowMs();
    let label = 'failed';
    try {
      let outcome: AnyOutcome | undefined;
      try {
        outcome = task.delta ? await deps.runDelta(task, controller.signal) : await deps.run(task, controller.signal);
      } catch (err) {
        if (controller.signal.aborted) {
          label = 'abandoned';
          taskLog.info({ from: task.from, to: task.to }, 'window abandoned on shutdown; it will be redelivered');
          return true; // not committed: the next owner of the partition gets it
        }
        const e = toSyncError(err);
        if (isSyncError(e, 'CONNECTION_NOT_FOUND') && deps.knowsConnection && !(await deps.knowsConnection(task.connection))) {
          label = 'skipped';
          taskLog.info('task of a connection this deployment does not have: skipped');
          await commit(topic, partition, offset);
          return true;
        }
        taskLog.warn({ err: e.toJSON(), attempt: task.attempt }, `window failed: ${e.message}`);
        await publish(task, { type: 'TaskFailed', taskId: task.taskId, table: task.table, attempt: task.attempt, code: e.code, retriable: e.retriable, message: e.message.slice(0, 2000) });
        await commit(topic, partition, offset);
        return true;
      }
      const durationMs = clock.nowMs() - started;
      await report(task, outcome, durationMs);
      label = outcome.kind;
      if (outcome.kind === 'completed') {
        if (isDelta(outcome)) taskLog.info({ deletes: outcome.count, pages: outcome.pages, initial: outcome.initial, durationMs }, 'delta task completed');
        else taskLog.info({ count: outcome.count, deadLettered: outcome.deadLettered, pages: outcome.pages, durationMs, depth: task.depth }, 'window completed');
      } else {
        taskLog.info({ from: task.from, to: task.to, depth: task.depth, reason: outcome.reason }, 'window split');
      }
      await commit(topic, partition, offset);
      return true;
    } catch (err) {
      // its event or the split's children could not be published (or the connection lookup failed): no commit
      // (Invariant 3), the task runs again
      label = 'failed';
      taskLog.warn({ err: toSyncError(err).toJSON() }, 'could not record the end of a task; it will be redelivered');
      return false;
    } finally {
      stopBeating();
      inFlight.delete(controller);
      metrics.inFlight.dec();
      metrics.tasks.inc({ outcome: label });
      metrics.windowSeconds.observe({ outcome: label }, (clock.nowMs() - started) / 1000);
    }
  };

  /** After a task whose end was not published: wait a little, then read the partition from that task again. */
  const redeliver = async (topic: string, partition: number, offset: string) => {
    await sleep(REDELIVERY_DELAY_MS);
    try {
      consumer.seek({ topic, partition, offset });
    } catch (err) {
      log.warn({ partition, offset, err: (err as Error).message }, 'could not seek back to a task; it is redelivered after the next rebalance');
    }
  };

  const eachMessage = async ({ topic, partition, message, heartbeat, pause }: EachMessagePayload) => {
    if (stopping) {
      pause(); // take no new task; nothing is committed, so the next owner gets it
      return;
    }
    let task: SyncTask;
    try {
      task = await codec.decodeTask(message.value ?? Buffer.alloc(0));
    } catch (err) {
      const e = toSyncError(err);
      if (!isSyncError(e, 'RECORD_INVALID')) throw e; // registry down: kafkajs restarts and redelivers
      const letter = { topic, partition, offset: message.offset, key: message.key, value: message.value };
      await sendToDlq(producer, 'extractor', [{ letter, error: e }], clock.nowMs());
      log.error({ partition, offset: message.offset, err: e.toJSON() }, 'undecodable task sent to the DLQ');
      return commit(topic, partition, message.offset);
    }
    if (!opts.connections.test(task.connection)) {
      metrics.tasks.inc({ outcome: 'skipped' });
      skipped.set(partition, message.offset);
      return;
    }
    const release = await slots.acquire(); // waits while `slots` tasks run
    if (stopping) {
      release();
      pause();
      return;
    }
    // INVARIANT: one running task per partition: the partition stays paused until its task is committed
    const resume = pause();
    const running = runTask(task, topic, partition, message.offset, heartbeat)
      .then((ended) => (ended || stopping ? undefined : redeliver(topic, partition, message.offset)))
      .catch((err: unknown) => log.error({ err: toSyncError(err).toJSON() }, 'task runner failed'))
      .finally(() => {
        release();
        if (stopping) return; // stays paused: the group is being left
        try {
          resume();
        } catch {
          // the partition was revoked meanwhile: its new owner reads it
        }
      });
    tasks.add(running);
    void running.finally(() => tasks.delete(running));
  };

  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  consumer.on(consumer.events.CRASH, () => (joined = false));
  await consumer.connect();
  await consumer.subscribe({ topic: TASKS_TOPIC, fromBeginning: opts.fromBeginning });
  await runRecovering(consumer, { autoCommit: false, partitionsConsumedConcurrently: opts.slots, eachMessage }, { log, stopping: () => stopping });

  return {
    ready: () => joined && !stopping,
    async stop() {
      stopping = true;
      // the running tasks get the drain time to end (publish and commit); the rest are abandoned, uncommitted
      const ended = Promise.allSettled([...tasks]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise((resolve) => (timer = setTimeout(resolve, opts.drainMs)))]);
      clearTimeout(timer);
      for (const c of inFlight) c.abort(new Error('extractor stopping'));
      await ended;
      clearInterval(skipTimer);
      await flushSkipped();
      await consumer.disconnect();
    },
  };
}
