/**
 * The extractor's consumer group on sync.tasks. Mode: `eachMessage`, auto-commit off, at most `slots` tasks running
 * (the handler, task-handler.ts: a slot and a paused partition per task, redelivery by seek). Tasks are keyed by id,
 * so they spread over the 12 partitions. A task runs with heartbeats (task-runner.ts), its end is published on
 * sync.coordinator (task-events.ts) and acknowledged by Kafka before its offset is committed (task-commits.ts,
 * Invariant 3); a crash before the commit redelivers the task, and re-extracting it is harmless (Invariant 4).
 * Concurrency towards Dataverse is further bounded per connection by the shared client (x-ms-dop-hint, 429 pause
 * gate). On stop, no new task starts; in-flight windows may finish within the drain time, then are aborted without
 * commit (redelivered).
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { MessageSender } from '../shared/healing-producer.ts';
import type { Clock } from '../shared/clock.ts';
import type { SyncTask } from '../contracts/control-messages.ts';
import type { ControlCodec } from '../shared/control-codec.ts';
import type { Logger } from '../shared/log.ts';
import type { DeltaOutcome } from './delta-extractor.ts';
import type { ExtractorMetrics } from './metrics.ts';
import type { TaskOutcome } from './window-extractor.ts';
import { AdaptiveSemaphore } from '../dataverse/client/adaptive-semaphore.ts';
import { TASKS_TOPIC } from '../contracts/topic-names.ts';
import { runRecovering } from '../shared/consumer-blocks.ts';
import { taskCommits } from './task-commits.ts';
import { taskEvents } from './task-events.ts';
import { taskHandler } from './task-handler.ts';
import { taskRunner } from './task-runner.ts';

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
  const events = taskEvents({ producer, codec, clock });
  const commits = taskCommits(consumer, log);
  const { run, runDelta, knowsConnection } = deps;
  const runner = taskRunner({ run, runDelta, knowsConnection, events, commits, metrics, log, clock, sessionTimeoutMs: opts.sessionTimeoutMs });
  const slots = new AdaptiveSemaphore(opts.slots);
  const handler = taskHandler({ consumer, producer, codec, connections: opts.connections, slots, runner, commits, metrics, log, clock, stopping: () => stopping });

  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  consumer.on(consumer.events.CRASH, () => (joined = false));
  await consumer.connect();
  await consumer.subscribe({ topic: TASKS_TOPIC, fromBeginning: opts.fromBeginning });
  await runRecovering(consumer, { autoCommit: false, partitionsConsumedConcurrently: opts.slots, eachMessage: handler.eachMessage }, { log, stopping: () => stopping });

  return {
    ready: () => joined && !stopping,
    async stop() {
      stopping = true;
      await handler.drain(opts.drainMs);
      await commits.close();
      await consumer.disconnect();
    },
  };
}
