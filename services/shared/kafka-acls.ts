import { DLQ_TOPIC, COMMANDS_TOPIC, COORDINATOR_TOPIC, TASKS_TOPIC, TABLE_TOPIC_PREFIX } from '../contracts/topic-names.ts';
/**
 * The Kafka ACLs each principal of a deployment needs, defined once (pure data): the local stack applies them to its
 * per-service users, the security suite checks that they suffice and that nothing else is allowed, SECURITY.md
 * lists them, and {@link kafkaAclCommands} prints them as `kafka-acls.sh` lines for an operator.
 *
 * Who writes what (Kafka ACLs are per topic, not per message type):
 * - `sync.commands`: only the ops principal (the CLI, operators' tools). The services only read it.
 * - `sync.coordinator`: the coordinator (run events) and the extractors (task events).
 * - `sync.tasks`: the coordinator (planned windows, retries) and the extractors (the halves of a split window).
 * - `dynamics.<connection>.<table>`: the extractors (records), and the coordinator (tombstones of the delete
 *   reconciliation of full runs).
 * - `sync.dlq`: every service (poison records and commands).
 * Every service may create the control topics it declares when they are missing (CREATE), and sees their settings.
 */

/** The principals of a deployment, one per service kind. */
export const KAFKA_ROLES = ['coordinator', 'extractor', 'loader', 'ops'] as const;
export type KafkaRole = (typeof KAFKA_ROLES)[number];

/** Kafka ACL operations used here (kafka-acls.sh names). */
export type AclOperation = 'Read' | 'Write' | 'Create' | 'Describe' | 'DescribeConfigs';

/** One ALLOW rule for a principal, from any host. */
export interface AclRule {
  resource: 'topic' | 'group' | 'transactional-id' | 'cluster';
  pattern: 'literal' | 'prefixed';
  /** Topic, group or transactional id (a prefix when `pattern` is prefixed); `kafka-cluster` for the cluster. */
  name: string;
  operations: readonly AclOperation[];
  /** What the service does with it. */
  why: string;
}

/** The consumer groups and transactional ids of a deployment (their configured values are prefixes of the real ones). */
export interface AclNames {
  /** COORDINATOR_GROUP_ID: the coordinators' group and the prefix of their transactional ids. */
  coordinatorGroup: string;
  /** EXTRACTOR_GROUP_ID. */
  extractorGroup: string;
  /** LOADER_GROUP_ID (= the coordinator's COORDINATOR_LOADER_GROUP_ID). */
  loaderGroup: string;
}

/** The defaults of the services' configurations. */
export const DEFAULT_ACL_NAMES: AclNames = { coordinatorGroup: 'dynsync-coordinator', extractorGroup: 'dynsync-extractor', loaderGroup: 'dynsync-loader' };


const CONTROL = [TASKS_TOPIC, COORDINATOR_TOPIC, COMMANDS_TOPIC, DLQ_TOPIC] as const;

/** Declaring the control topics at start-up: see them, create the missing ones, compare their settings. */
const declareControl: AclRule[] = CONTROL.map((name) => ({
  resource: 'topic',
  pattern: 'literal',
  name,
  operations: ['Describe', 'Create', 'DescribeConfigs'],
  why: 'declares the control topics at start-up (creates missing ones, compares settings)',
}));

const topic = (name: string, operations: AclOperation[], why: string, pattern: AclRule['pattern'] = 'literal'): AclRule => ({ resource: 'topic', pattern, name, operations, why });
const group = (name: string, operations: AclOperation[], why: string): AclRule => ({ resource: 'group', pattern: 'prefixed', name, operations, why });
const clusterFacts: AclRule = { resource: 'cluster', pattern: 'literal', name: 'kafka-cluster', operations: ['DescribeConfigs'], why: 'reads default.replication.factor and min.insync.replicas (optional: without it, replication follows the broker count)' };

/** The ACLs of `role`. */
export function aclsFor(role: KafkaRole, names: AclNames = DEFAULT_ACL_NAMES): AclRule[] {
  switch (role) {
    case 'coordinator':
      return [
        ...declareControl,
        topic(COORDINATOR_TOPIC, ['Read', 'Write'], 'folds run and task events, writes run events'),
        topic(COMMANDS_TOPIC, ['Read'], 'reads commands'),
        topic(TASKS_TOPIC, ['Write'], 'publishes windows and retries'),
        topic(DLQ_TOPIC, ['Write'], 'dead-letters malformed commands and events'),
        topic(TABLE_TOPIC_PREFIX, ['Describe', 'Write', 'Create', 'DescribeConfigs'], 'creates a run\'s table topics before its tasks, checks produced offsets and loader lag, writes the tombstones of the delete reconciliation', 'prefixed'),
        group(names.coordinatorGroup, ['Read'], 'its consumer group (and pins the start of sync.commands)'),
        group(names.loaderGroup, ['Describe'], "reads the loader group's committed offsets (a run is loaded)"),
        { resource: 'transactional-id', pattern: 'prefixed', name: names.coordinatorGroup, operations: ['Write', 'Describe'], why: 'the transactional producer of RunStarted and its tasks' },
        clusterFacts,
      ];
    case 'extractor':
      return [
        ...declareControl,
        topic(TASKS_TOPIC, ['Read', 'Write'], 'takes windows, publishes the halves of a split window'),
        topic(COORDINATOR_TOPIC, ['Write'], 'reports task events'),
        topic(DLQ_TOPIC, ['Write'], 'dead-letters poison tasks'),
        topic(TABLE_TOPIC_PREFIX, ['Write', 'Describe', 'Create', 'DescribeConfigs'], 'creates table topics and produces records', 'prefixed'),
        group(names.extractorGroup, ['Read'], 'its consumer group'),
        clusterFacts,
      ];
    case 'loader':
      return [
        ...declareControl,
        topic(DLQ_TOPIC, ['Write'], 'dead-letters undecodable records'),
        topic(TABLE_TOPIC_PREFIX, ['Read', 'Describe'], 'consumes table topics', 'prefixed'),
        group(names.loaderGroup, ['Read'], 'its consumer group'),
        clusterFacts,
      ];
    case 'ops':
      return [topic(COMMANDS_TOPIC, ['Write', 'Describe', 'Create', 'DescribeConfigs'], '`dynsync sync` / `resync` (creates sync.commands when missing)'), clusterFacts];
  }
}

const RESOURCE_FLAG: Record<AclRule['resource'], string> = { topic: '--topic', group: '--group', 'transactional-id': '--transactional-id', cluster: '--cluster' };

/** `kafka-acls.sh` lines that grant `role`'s ACLs to `principal` (e.g. `User:dynsync-loader`). */
export function kafkaAclCommands(principal: string, role: KafkaRole, names: AclNames = DEFAULT_ACL_NAMES, bootstrap = '<broker:port>'): string[] {
  return aclsFor(role, names).map((r) => {
    const target = r.resource === 'cluster' ? '--cluster' : `${RESOURCE_FLAG[r.resource]} ${r.name}`;
    const pattern = r.pattern === 'prefixed' ? ' --resource-pattern-type prefixed' : '';
    const ops = r.operations.map((o) => `--operation ${o}`).join(' ');
    return `kafka-acls.sh --bootstrap-server ${bootstrap} --command-config admin.properties --add --allow-principal ${principal} ${ops} ${target}${pattern}`;
  });
}
