/**
 * The names of a deployment's topics (architecture.md §4), defined once: the control topics and the table topics
 * `dynamics.<connection>.<table>`. Their settings (partitions, retention, compaction) are services/shared/topics.ts.
 */

/** Window and delta tasks for the extractor group; partitions = the group's unit of scale. */
export const TASKS_TOPIC = 'sync.tasks';
/** Run and task events, keyed by connection (one owner per connection). */
export const COORDINATOR_TOPIC = 'sync.coordinator';
/** Operator commands (refresh, full resync), JSON, keyed by connection. */
export const COMMANDS_TOPIC = 'sync.commands';
/** Dead letters: poison records and commands with the reason (services/shared/dlq.ts, Invariant 6). */
export const DLQ_TOPIC = 'sync.dlq';

/** The prefix of every table topic. */
export const TABLE_TOPIC_PREFIX = 'dynamics.';

/** The prefix of the table topics of one connection: `dynamics.<connection>.`. */
export function connectionTopicPrefix(connection: string): string {
  return `${TABLE_TOPIC_PREFIX}${connection}.`;
}

/** The topic of one Dataverse table of one connection: `dynamics.<connection>.<table>`. */
export function tableTopic(connection: string, table: string): string {
  return `${connectionTopicPrefix(connection)}${table}`;
}

/** Matches every table topic (for the loader's subscription). */
export const TABLE_TOPIC_PATTERN = /^dynamics\.[^.]+\.[^.]+$/;
