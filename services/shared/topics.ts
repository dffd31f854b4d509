/**
 * The control topics every deployment declares (architecture.md §4), created idempotently by whichever service
 * starts first. Table topics are created by the extractor when a table is first synced.
 */
import type { TopicSpec } from './kafka.ts';
import { DLQ_TOPIC } from './dlq.ts';

/** Window tasks for the extractor group; partitions = the group's unit of scale. */
export const TASKS_TOPIC = 'sync.tasks';
/** Run and task events, keyed by connection (one owner per connection). */
export const COORDINATOR_TOPIC = 'sync.coordinator';
/** Operator commands (refresh, full resync), JSON, keyed by connection. */
export const COMMANDS_TOPIC = 'sync.commands';

/** Topic settings of a table topic: a compacted changelog keyed by record id. */
export function tableTopicSpec(topic: string, partitions: number): TopicSpec {
  return {
    topic,
    numPartitions: partitions,
    configEntries: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.compaction.lag.ms', value: String(60 * 60 * 1000) },
      { name: 'delete.retention.ms', value: String(7 * 24 * 60 * 60 * 1000) },
    ],
  };
}

/** The control topics with their partition counts. */
export function controlTopics(taskPartitions = 12, coordinatorPartitions = 6): TopicSpec[] {
  return [
    { topic: TASKS_TOPIC, numPartitions: taskPartitions },
    { topic: COORDINATOR_TOPIC, numPartitions: coordinatorPartitions },
    { topic: COMMANDS_TOPIC, numPartitions: coordinatorPartitions },
    { topic: DLQ_TOPIC, numPartitions: 3, configEntries: [{ name: 'retention.ms', value: String(30 * 24 * 60 * 60 * 1000) }] },
  ];
}
