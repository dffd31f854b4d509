/**
 * The committed positions of sync.tasks (auto-commit is off). A task's offset is committed only once its end is
 * acknowledged by Kafka (Invariant 3); a crash before the commit redelivers the task, and re-extracting it is
 * harmless (Invariant 4). Tasks skipped without work (other connections) are committed in batches, once a second.
 */
import type { Consumer } from 'kafkajs';
import { TASKS_TOPIC } from '../contracts/topic-names.ts';
import { commitAfter, nextOffset, serialQueue } from '../shared/consumer-blocks.ts';
import type { Logger } from '../shared/log.ts';

/** Where a task was read. */
export interface TaskPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** The commits of the task consumer. */
export interface TaskCommits {
  /** Commits the position after the task at `at`; a failed commit is logged (the task is then redelivered). */
  commit(at: TaskPosition): Promise<void>;
  /** Remembers that the task at `offset` of `partition` of sync.tasks was skipped (committed by the next flush). */
  skip(partition: number, offset: string): void;
  /** Stops the flushes of the skipped tasks and flushes what is left. */
  close(): Promise<void>;
}

/** A {@link TaskCommits} of `consumer`, flushing the skipped tasks every `flushEveryMs`. */
export function taskCommits(consumer: Pick<Consumer, 'commitOffsets'>, log: Logger, flushEveryMs = 1_000): TaskCommits {
  // every commit goes through one queue, so a later position is never overwritten by an earlier one
  const commits = serialQueue();
  /** Per partition, the last task skipped since the last commit (committed in one go, see flushSkipped). */
  const skipped = new Map<number, string>();
  const commit = async ({ topic, partition, offset }: TaskPosition) => {
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
  const skipTimer = setInterval(() => void flushSkipped(), flushEveryMs);
  return {
    commit,
    skip: (partition, offset) => void skipped.set(partition, offset),
    async close() {
      clearInterval(skipTimer);
      await flushSkipped();
    },
  };
}
