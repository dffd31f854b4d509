/**
 * Small building blocks of the services' Kafka consumers, written once: the committed position after a message,
 * heartbeats while long work runs, and a serial queue (one step at a time, a failed step never blocks the next).
 */
import type { Consumer } from 'kafkajs';

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
