/**
 * The coordinator consumer group. Ownership: the group reads `sync.coordinator` and `sync.commands` with the
 * co-partitioned assigner, so the instance owning partition p owns every connection whose id hashes to p (the
 * topics' key), with its events, commands, schedule, runs and watermarks; more instances share connections.
 *
 * Rebuild: on every (re)assignment the owned partitions are folded again from the group's committed offset, and act
 * only once caught up (partition-books.ts). Events are folded by event-reader.ts, commands handled by
 * command-reader.ts, and the periodic work is coordinator-tick.ts; this module wires them to the consumer.
 *
 * One serial queue runs every handler (events, commands, ticks), so state is never touched concurrently.
 */
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { MessageSender } from '../shared/healing-producer.ts';
import type { Clock } from '../shared/clock.ts';
import type { ControlCodec } from '../shared/control-codec.ts';
import { SyncError, toSyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { ConnectionStore } from '../dataverse/connections/connection-store.ts';
import type { CommandRateLimit } from './core/command-rate.ts';
import type { CommandAgePolicy } from './core/command-age.ts';
import { connectionAssigner } from './connection-assigner.ts';
import { pinUncommittedCommandPartitions } from './command-start.ts';
import { CommandReader } from './command-reader.ts';
import { CoordinatorTick } from './coordinator-tick.ts';
import { EventReader } from './event-reader.ts';
import { KnownConnections } from './known-connections.ts';
import type { CoordinatorMetrics } from './metrics.ts';
import { PartitionBooks } from './partition-books.ts';
import type { RunActions } from './run-actions.ts';
import type { ConnectionDuties } from './connection-duties.ts';
import type { StateStore } from './state-store.ts';
import { COMMANDS_TOPIC, COORDINATOR_TOPIC } from '../contracts/topic-names.ts';
import { runRecovering, serialQueue } from '../shared/consumer-blocks.ts';
import type { RunRequests } from './run-requests.ts';

/** Dependencies of the service. */
export interface CoordinatorServiceDeps {
  kafka: Kafka;
  admin: Admin;
  producer: MessageSender;
  codec: ControlCodec;
  store: StateStore;
  connections: ConnectionStore;
  actions: RunActions;
  duties: ConnectionDuties;
  requests: RunRequests;
  metrics: CoordinatorMetrics;
  log: Logger;
  clock: Clock;
}

/** Settings of the service. */
export interface CoordinatorServiceOptions {
  groupId: string;
  tickMs: number;
  /** Which commands are this deployment's and how old one may be when read (core/command-age.ts). */
  commands: CommandAgePolicy;
  /** Commands per connection (core/command-rate.ts); default a burst of 20, then 120 an hour. */
  rate?: CommandRateLimit;
}

/** A running coordinator. */
export interface CoordinatorService {
  /** Joined, and every owned partition rebuilt up to its end: a command sent now is acted on without a replay first. */
  ready(): boolean;
  stop(): Promise<void>;
}

/** The number of partitions of sync.coordinator, which sync.commands must have too: the owner of a connection reads both. */
async function coPartitionCount(admin: Admin): Promise<number> {
  const meta = await admin.fetchTopicMetadata({ topics: [COORDINATOR_TOPIC, COMMANDS_TOPIC] });
  const counts = meta.topics.map((t) => t.partitions.length);
  if (counts[0] !== counts[1]) {
    throw new SyncError('CONFIG_INVALID', `${COORDINATOR_TOPIC} and ${COMMANDS_TOPIC} must have the same number of partitions (found ${counts.join(' and ')}): the owner of a connection reads both`);
  }
  return counts[0]!;
}

/** Starts the coordinator group. */
export async function startCoordinatorService(deps: CoordinatorServiceDeps, opts: CoordinatorServiceOptions): Promise<CoordinatorService> {
  const { admin, log, clock } = deps;
  const partitions = await coPartitionCount(admin);
  // connections of this deployment (its state DB): events and runs of any other connection are not ours
  const known = await KnownConnections.load(deps.connections);
  let joined = false;
  let stopped = false;
  const queue = serialQueue();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => queue.run(fn);
  const consumer: Consumer = deps.kafka.consumer({ groupId: opts.groupId, partitionAssigners: [connectionAssigner], sessionTimeout: 30_000, heartbeatInterval: 3_000 });
  const books = new PartitionBooks({ ...deps, consumer, groupId: opts.groupId });
  const rebuild = async (assignment: Record<string, number[]>) => {
    await books.rebuild(assignment);
    joined = true;
  };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => void serial(() => rebuild(payload.memberAssignment)).catch((err: unknown) => log.error({ err: toSyncError(err).toJSON() }, 'rebuild failed')));
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic === COORDINATOR_TOPIC && Number(payload.offsetLag) <= 0) void serial(() => books.goLive(payload.partition));
  });
  // the event log is read from the beginning (rebuild); so are the commands a brand-new group finds waiting, from
  // a start committed before the first join so that no rebalance moves a partition again (command-start.ts)
  const pinned = await pinUncommittedCommandPartitions(admin, opts.groupId, log);
  await deps.store.saveCommandBacklog(opts.groupId, pinned, clock.nowMs());
  const waitingEnds = await deps.store.commandBacklog(opts.groupId);
  const events = new EventReader({ ...deps, books, known });
  const commands = new CommandReader({ ...deps, consumer, books, known }, { commands: opts.commands, rate: opts.rate, waitingEnds });
  const tick = new CoordinatorTick({ ...deps, books, known, partitions, active: () => !stopped && joined });
  await consumer.connect();
  await consumer.subscribe({ topics: [COORDINATOR_TOPIC], fromBeginning: true });
  await consumer.subscribe({ topics: [COMMANDS_TOPIC], fromBeginning: true });
  consumer.on(consumer.events.CRASH, () => (joined = false)); // the next join rebuilds the owned partitions
  await runRecovering(
    consumer,
    { autoCommit: false, eachMessage: ({ topic, partition, message }) => serial(() => (topic === COORDINATOR_TOPIC ? events.onEvent(partition, message) : commands.onCommand(partition, message))) },
    { log, stopping: () => stopped },
  );
  const timer = setInterval(() => void serial(() => tick.run()).catch((err) => log.warn({ err: toSyncError(err).toJSON() }, 'coordinator tick failed')), opts.tickMs);

  return {
    ready: () => joined && !stopped && books.allLive(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await queue.idle();
      await consumer.disconnect();
    },
  };
}
