/**
 * Where a coordinator group reads `sync.commands` from.
 *
 * A brand-new group starts at the end: commands are "now" actions, and a new group must not replay the topic's
 * history (other deployments' and tests' commands). That start is committed before the group first joins, for every
 * partition the group has no offset on. Without the commit, a partition that never carried a command for this group
 * was reset to its end again at every rebalance, so a command that arrived on it just before a rebalance, or while
 * every coordinator was down, was skipped (fault case 3 lost one so, after a Kafka restart). With every partition
 * committed, the group always resumes where it stopped, and the consumer subscribes `fromBeginning` for any
 * partition that still has no offset (only when pinning failed): a replayed command is harmless, its request id is
 * deduplicated (connection-duties.ts).
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '../shared/log.ts';
import { DEFAULT_RETRY, retry } from '../shared/retry.ts';
import { COMMANDS_TOPIC } from '../shared/topics.ts';

/**
 * Commits the current end of every `sync.commands` partition `groupId` has no offset on; returns how many. Kafka
 * errors marked retriable (a broker that just started answers "the coordinator is loading") are retried.
 */
export async function pinUncommittedCommandPartitions(admin: Admin, groupId: string, log: Logger, sleep?: (ms: number) => Promise<void>): Promise<number> {
  return retry(() => pin(admin, groupId, log), {
    ...DEFAULT_RETRY,
    retries: 10,
    ...(sleep ? { sleep } : {}),
    onRetry: (err, attempt, delayMs) => log.info({ attempt, delayMs, reason: err.message }, `${COMMANDS_TOPIC}: Kafka not ready to read the group's offsets; retrying`),
  });
}

async function pin(admin: Admin, groupId: string, log: Logger): Promise<number> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [COMMANDS_TOPIC] });
  const missing = new Set((committed?.partitions ?? []).filter((p) => Number(p.offset) < 0).map((p) => p.partition));
  if (missing.size === 0) return 0;
  const ends = await admin.fetchTopicOffsets(COMMANDS_TOPIC);
  const partitions = ends.filter((p) => missing.has(p.partition)).map((p) => ({ partition: p.partition, offset: p.high }));
  try {
    await admin.setOffsets({ groupId, topic: COMMANDS_TOPIC, partitions });
  } catch (err) {
    // another instance of the group is already running (offsets can only be set on an empty group): the
    // uncommitted partitions are then read from their beginning, deduplicated by request id
    log.info({ partitions: partitions.length, reason: (err as Error).message }, `${COMMANDS_TOPIC}: could not pin the start of uncommitted partitions; they are read from their beginning`);
    return 0;
  }
  return partitions.length;
}
