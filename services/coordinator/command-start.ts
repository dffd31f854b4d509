/**
 * Where a coordinator group reads `sync.commands` from.
 *
 * A brand-new group starts at the beginning of what the topic retains: commands sent before the first coordinator
 * started are carried out like any other, as long as they are younger than COORDINATOR_COMMAND_MAX_AGE_MS when read;
 * older ones are reported as expired (core/command-age.ts), and one that was carried out already (by a group of
 * another name on the same state DB) is recognised by its request id. That start is committed before the group
 * first joins, for every partition the group has no offset on, so the group always resumes where it stopped: no
 * rebalance sends a partition back to its beginning (which would report its expired commands again) or to its end
 * (which skipped a command that arrived while every coordinator was down, fault case 3).
 *
 * The commands that were waiting when a partition was pinned (below its end at that moment) were sent before this
 * group existed: one that is malformed or names a connection this deployment does not have is another deployment's
 * or an earlier one's, and is skipped (counted) rather than dead-lettered again. The pinned ends are kept in the
 * state DB (state-store.ts `command_backlog`), so a restart in the middle of the waiting commands keeps the rule.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '../shared/log.ts';
import { DEFAULT_RETRY, retry } from '../shared/retry.ts';
import { COMMANDS_TOPIC } from '../contracts/topic-names.ts';

/** A partition pinned for a new group: read from `start`; the commands below `end` were waiting before the group. */
export interface PinnedPartition {
  partition: number;
  start: string;
  end: string;
}

/**
 * Commits the beginning (the oldest retained offset) of every `sync.commands` partition `groupId` has no offset on;
 * returns those partitions with their ends at that moment. Kafka errors marked retriable (a broker that just
 * started answers "the coordinator is loading") are retried.
 */
export async function pinUncommittedCommandPartitions(admin: Admin, groupId: string, log: Logger, sleep?: (ms: number) => Promise<void>): Promise<PinnedPartition[]> {
  return retry(() => pin(admin, groupId, log), {
    ...DEFAULT_RETRY,
    retries: 10,
    ...(sleep ? { sleep } : {}),
    onRetry: (err, attempt, delayMs) => log.info({ attempt, delayMs, reason: err.message }, `${COMMANDS_TOPIC}: Kafka not ready to read the group's offsets; retrying`),
  });
}

async function pin(admin: Admin, groupId: string, log: Logger): Promise<PinnedPartition[]> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [COMMANDS_TOPIC] });
  const missing = new Set((committed?.partitions ?? []).filter((p) => Number(p.offset) < 0).map((p) => p.partition));
  if (missing.size === 0) return [];
  const retained = await admin.fetchTopicOffsets(COMMANDS_TOPIC);
  const pinned = retained.filter((p) => missing.has(p.partition)).map((p) => ({ partition: p.partition, start: p.low, end: p.high }));
  try {
    await admin.setOffsets({ groupId, topic: COMMANDS_TOPIC, partitions: pinned.map((p) => ({ partition: p.partition, offset: p.start })) });
  } catch (err) {
    // another instance of the group is already running (offsets can only be set on an empty group): the
    // uncommitted partitions are then read from their beginning all the same (the consumer's fromBeginning)
    log.info({ partitions: pinned.length, reason: (err as Error).message }, `${COMMANDS_TOPIC}: could not pin the start of uncommitted partitions; they are read from their beginning`);
    return [];
  }
  return pinned;
}
