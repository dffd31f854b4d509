/**
 * Small building blocks of the services' Kafka consumers, written once: the committed position after a message,
 * heartbeats while long work runs, a serial queue (one step at a time, a failed step never blocks the next), and a
 * consumer that runs again after a crash kafkajs does not recover itself.
 */
import type { Consumer, ConsumerRunConfig } from 'kafkajs';

/** The offset to commit once the message at `offset` is done: the next one (Kafka commits the next position). */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/** Commits the position after the message at `offset` of `topic`/`partition`. */
export async function commitAfter(consumer: Pick<Consumer, 'commitOffsets'>, topic: string, partition: number, offset: string): Promise<void> {
  await consumer.commitOffsets([{ topic, partition, offset: nextOffset(offset) }]);
}

/**
 * Sends `heartbeat` every `everyMs` until the returned function is called, so a member doing long work (a task, a
 * chunk waiting for the store) keeps its group membership; a failed heartbeat is left to the next one.
 */
export function keepBeating(heartbeat: () => Promise<void>, everyMs: number): () => void {
  const timer = setInterval(() => heartbeat().catch(() => undefined), everyMs);
  return () => clearInterval(timer);
}

/** Runs steps one at a time, in the order they were queued. */
export interface SerialQueue {
  /** Queues `step` after every earlier one; its promise settles with the step (a rejection does not stop the queue). */
  run<T>(step: () => Promise<T>): Promise<T>;
  /** Settles once every step queued so far has settled. */
  idle(): Promise<void>;
}

/** A {@link SerialQueue}. */
export function serialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(step: () => Promise<T>): Promise<T> {
      const p = tail.then(step);
      tail = p.catch(() => undefined);
      return p;
    },
    idle: async () => void (await tail),
  };
}

/** What {@link runRecovering} needs besides the consumer. */
export interface CrashRecovery {
  log: { warn(fields: object, msg: string): void };
  /** True once the service is stopping: a crash then is left alone. */
  stopping: () => boolean;
  /** The longest pause between two attempts (the pause doubles from 1 s). */
  maxDelayMs?: number;
}

/**
 * Runs `consumer` with `config`, and runs it again after every crash kafkajs does not restart itself. kafkajs
 * restarts a consumer only after errors it deems retriable; a broker restart can end in a non-retriable one
 * ("Failed to find group coordinator" while the broker refuses connections, kafkajs#1630), which leaves the consumer
 * stopped for good. kafkajs has disconnected the consumer when it reports the crash, and `run` again rejoins the
 * group with the same subscriptions, as its own restart does. The pause doubles from 1 s up to `maxDelayMs` while
 * attempts fail, and starts again from 1 s once the consumer has joined.
 */
export async function runRecovering(consumer: Consumer, config: ConsumerRunConfig, recovery: CrashRecovery): Promise<void> {
  let attempt = 0;
  const runAgain = () => {
    const delayMs = Math.min(1_000 * 2 ** attempt, recovery.maxDelayMs ?? 30_000);
    attempt += 1;
    setTimeout(() => {
      if (recovery.stopping()) return;
      consumer.run(config).catch((err: unknown) => {
        recovery.log.warn({ err: (err as Error).message, attempt }, 'Kafka consumer could not run again; retrying');
        runAgain();
      });
    }, delayMs).unref();
  };
  consumer.on(consumer.events.GROUP_JOIN, () => (attempt = 0));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || recovery.stopping()) return; // kafkajs restarts it itself
    recovery.log.warn({ err: payload.error.message, attempt: attempt + 1 }, 'Kafka consumer crashed; it runs again');
    runAgain();
  });
  await consumer.run(config);
}
