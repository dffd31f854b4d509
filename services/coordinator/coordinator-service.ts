/**
 * The coordinator consumer group. Ownership: the group reads `sync.coordinator` and `sync.commands` with the
 * co-partitioned assigner, so the instance owning partition p owns every connection whose id hashes to p (the
 * topics' key), with its events, commands, schedule, runs and watermarks; more instances share connections.
 *
 * Rebuild: on every (re)assignment the state of the owned partitions is dropped and rebuilt by folding
 * sync.coordinator from the group's committed offset, which the owner keeps at the RunStarted of its oldest
 * running run (or at the end when none runs): everything before it belongs to finished runs. Until a partition
 * has caught up with its end, it only folds; then it acts (retries, watermarks, completion), so a coordinator
 * killed mid-run resumes the run without repeating decisions taken on a partial history.
 *
 * One serial queue runs every handler (events, commands, ticks), so state is never touched concurrently.
 */
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { MessageSender } from '../shared/healing-producer.ts';
import type { Clock } from '../shared/clock.ts';
import type { ControlCodec } from '../shared/control-codec.ts';
import { sendToDlq } from '../shared/dlq.ts';
import { SyncError, isSyncError, toSyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { ConnectionStore } from '../dataverse/connections/connection-store.ts';
import { parseCommand, runKindOf } from '../contracts/command.ts';
import { CommandRate, DEFAULT_COMMAND_RATE, type CommandRateLimit } from './core/command-rate.ts';
import { commandDisposition, expiredCommandMessage, type CommandAgePolicy } from './core/command-age.ts';
import { emptyBook, foldEvent, type RunBook } from './core/run-state.ts';
import { commandRequestId } from './core/request-id.ts';
import { connectionAssigner } from './connection-assigner.ts';
import { pinUncommittedCommandPartitions } from './command-start.ts';
import type { CoordinatorMetrics } from './metrics.ts';
import type { RunActions } from './run-actions.ts';
import { ConnectionDuties } from './connection-duties.ts';
import type { StateStore } from './state-store.ts';
import { COMMANDS_TOPIC, COORDINATOR_TOPIC } from '../contracts/topic-names.ts';
import { commitAfter, runRecovering, serialQueue } from '../shared/consumer-blocks.ts';
import { keyPartition } from '../shared/key-partition.ts';
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

/** One owned partition of sync.coordinator. */
interface Owned {
  book: RunBook;
  live: boolean;
  /** Next offset to fold. */
  nextOffset: bigint;
  committed: bigint | null;
}

/** A running coordinator. */
export interface CoordinatorService {
  ready(): boolean;
  stop(): Promise<void>;
}

/** Starts the coordinator group. */
export async function startCoordinatorService(deps: CoordinatorServiceDeps, opts: CoordinatorServiceOptions): Promise<CoordinatorService> {
  const { admin, log, metrics, clock } = deps;
  const meta = await admin.fetchTopicMetadata({ topics: [COORDINATOR_TOPIC, COMMANDS_TOPIC] });
  const counts = meta.topics.map((t) => t.partitions.length);
  if (counts[0] !== counts[1]) {
    throw new SyncError('CONFIG_INVALID', `${COORDINATOR_TOPIC} and ${COMMANDS_TOPIC} must have the same number of partitions (found ${counts.join(' and ')}): the owner of a connection reads both`);
  }
  const partitions = counts[0]!;
  const owned = new Map<number, Owned>();
  // connections of this deployment (its state DB): events and runs of any other connection are not ours
  let known = new Set((await deps.connections.list()).map((c) => c.id));
  const unknown = new Set<string>(); // looked up since the last tick and not found
  const isKnown = async (id: string): Promise<boolean> => {
    if (known.has(id)) return true;
    if (unknown.has(id)) return false;
    known = new Set((await deps.connections.list()).map((c) => c.id));
    if (!known.has(id)) unknown.add(id);
    return known.has(id);
  };
  let joined = false;
  let stopped = false;
  const queue = serialQueue();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => queue.run(fn);
  const consumer: Consumer = deps.kafka.consumer({ groupId: opts.groupId, partitionAssigners: [connectionAssigner], sessionTimeout: 30_000, heartbeatInterval: 3_000 });

  const gauges = () => {
    const live = [...owned.values()].filter((o) => o.live).length;
    metrics.ownedPartitions.set({ state: 'live' }, live);
    metrics.ownedPartitions.set({ state: 'replaying' }, owned.size - live);
    metrics.activeRuns.set([...owned.values()].reduce((n, o) => n + [...o.book.runs.values()].filter((r) => r.status === 'running').length, 0));
  };

  async function onJoin(assignment: Record<string, number[]>): Promise<void> {
    owned.clear(); // kafkajs resumes every assigned partition at its committed offset: rebuild from there
    const mine = assignment[COORDINATOR_TOPIC] ?? [];
    const [committed, ends] = await Promise.all([admin.fetchOffsets({ groupId: opts.groupId, topics: [COORDINATOR_TOPIC] }), admin.fetchTopicOffsets(COORDINATOR_TOPIC)]);
    const committedOf = (p: number) => committed[0]?.partitions.find((x) => x.partition === p)?.offset ?? '-1';
    for (const p of mine) {
      const end = ends.find((e) => e.partition === p);
      const c = committedOf(p);
      const start = BigInt(c === '-1' ? (end?.low ?? '0') : c);
      owned.set(p, { book: emptyBook(), live: false, nextOffset: start, committed: c === '-1' ? null : BigInt(c) });
      if (start >= BigInt(end?.high ?? '0')) await goLive(p);
    }
    joined = true;
    log.info({ partitions: mine }, 'coordinator owns partitions; rebuilding their state');
    gauges();
  }

  async function goLive(p: number): Promise<void> {
    const o = owned.get(p);
    if (!o || o.live) return;
    o.live = true;
    const running = [...o.book.runs.values()].filter((r) => r.status === 'running');
    log.info({ partition: p, runs: o.book.runs.size, running: running.length }, 'partition state rebuilt; acting');
    for (const run of o.book.runs.values()) {
      await deps.store.saveRun(run, clock.nowMs());
      if (run.status === 'running') await deps.actions.act(o.book, run).catch((err) => log.warn({ runId: run.runId, err: toSyncError(err).toJSON() }, 'run action failed; retried on the next tick'));
    }
    gauges();
  }

  async function onEvent(partition: number, message: KafkaMessage): Promise<void> {
    const o = owned.get(partition);
    if (!o || !message.value) return;
    o.nextOffset = BigInt(message.offset) + 1n;
    let e;
    try {
      e = await deps.codec.decodeEvent(message.value);
    } catch (err) {
      const error = toSyncError(err, 'RECORD_INVALID');
      if (error.retriable) throw error;
      await sendToDlq(deps.producer, 'coordinator', [{ letter: { topic: COORDINATOR_TOPIC, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers }, error }], clock.nowMs());
      log.warn({ partition, offset: message.offset, code: error.code }, 'undecodable coordinator event sent to sync.dlq');
      return;
    }
    if (!(await isKnown(e.connection))) return;
    const outcome = foldEvent(o.book, e, message.offset);
    metrics.events.inc({ type: e.event.type, outcome });
    if (!o.live || outcome !== 'applied') return;
    const run = o.book.runs.get(e.runId);
    if (!run) return;
    try {
      await deps.actions.saveProjection(run);
      await deps.actions.act(o.book, run);
    } catch (err) {
      log.warn({ runId: run.runId, err: toSyncError(err).toJSON() }, 'run action failed; retried on the next tick');
    }
    gauges();
  }

  /** A command too old to carry out: reported (log, metric, a failed run in `dynsync runs`) when it is ours. */
  async function onExpiredCommand(partition: number, message: KafkaMessage, sentMs: number): Promise<void> {
    const parsed = parseCommand(message.key?.toString() ?? null, message.value?.toString('utf8') ?? null);
    if (!parsed.ok || !(await isKnown(parsed.command.connection))) {
      metrics.commands.inc({ outcome: 'expired-unknown' });
      log.debug({ partition, offset: message.offset, sentAt: new Date(sentMs).toISOString() }, 'expired command not for a connection of this deployment: ignored');
      return;
    }
    const { command } = parsed;
    const kind = runKindOf(command);
    const requestId = commandRequestId(command.connection, kind, sentMs, partition, message.offset);
    const text = expiredCommandMessage(command, sentMs, clock.nowMs(), opts.commands.maxAgeMs);
    const request = { requestId, kind, tables: command.tables ?? ('all' as const), requestedBy: command.requestedBy, requestedAtMs: sentMs };
    metrics.commands.inc({ outcome: 'expired' });
    if (await deps.requests.refuse(command.connection, request, { code: 'COMMAND_EXPIRED', message: text })) {
      log.warn({ connection: command.connection, kind, requestId, partition, offset: message.offset, code: 'COMMAND_EXPIRED' }, `command expired: ${text}`);
    }
  }

  const rate = new CommandRate(opts.rate ?? DEFAULT_COMMAND_RATE);

  /** Per partition, the offset below which commands were waiting before this group first read it (command-start.ts). */
  let waitingEnds = new Map<number, bigint>();

  async function onCommand(partition: number, message: KafkaMessage): Promise<void> {
    const sentMs = Number(message.timestamp);
    const disposition = commandDisposition(message.key?.toString() ?? null, sentMs, clock.nowMs(), opts.commands);
    if (disposition !== 'act') {
      if (disposition === 'expired') await onExpiredCommand(partition, message, sentMs);
      else metrics.commands.inc({ outcome: 'other-deployment' });
      await commitAfter(consumer, COMMANDS_TOPIC, partition, message.offset);
      return;
    }
    const parsed = parseCommand(message.key?.toString() ?? null, message.value?.toString('utf8') ?? null);
    const waiting = BigInt(message.offset) < (waitingEnds.get(partition) ?? 0n);
    const reject = async (error: SyncError) => {
      if (waiting && (error.code === 'COMMAND_INVALID' || error.code === 'CONNECTION_NOT_FOUND')) {
        // sent before this group existed and not for this deployment: another deployment's or an earlier one's
        metrics.commands.inc({ outcome: 'skipped-waiting' });
        log.info({ partition, offset: message.offset, code: error.code }, 'command sent before this coordinator group first started, not for a connection of this deployment: skipped');
        return;
      }
      await sendToDlq(deps.producer, 'coordinator', [{ letter: { topic: COMMANDS_TOPIC, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers }, error }], clock.nowMs());
      metrics.commands.inc({ outcome: error.code === 'COMMAND_RATE_LIMITED' ? 'rate-limited' : 'rejected' });
      log.warn({ partition, offset: message.offset, code: error.code }, `command rejected to sync.dlq: ${error.message}`);
    };
    let accepted: string | undefined; // the connection whose pending request this command added
    if (!parsed.ok) await reject(new SyncError('COMMAND_INVALID', parsed.reason));
    else {
      const { command } = parsed;
      try {
        await deps.connections.get(command.connection);
        if (!rate.take(command.connection, clock.nowMs())) {
          const limit = opts.rate ?? DEFAULT_COMMAND_RATE;
          throw new SyncError(
            'COMMAND_RATE_LIMITED',
            `connection ${command.connection} sent more commands than COORDINATOR_COMMANDS_BURST (${limit.burst}) and COORDINATOR_COMMANDS_PER_HOUR (${limit.perHour}) allow: not carried out; the next one is accepted in ${Math.ceil(rate.waitMs(command.connection, clock.nowMs()) / 1000)} s`,
            { details: { connection: command.connection } },
          );
        }
        const kind = runKindOf(command);
        const requestId = commandRequestId(command.connection, kind, Number(message.timestamp), partition, message.offset);
        await deps.requests.request(command.connection, { requestId, kind, tables: command.tables ?? 'all', requestedBy: command.requestedBy, requestedAtMs: Number(message.timestamp) });
        metrics.commands.inc({ outcome: 'accepted' });
        accepted = command.connection;
        log.info({ connection: command.connection, kind, tables: command.tables ?? 'all', requestedBy: command.requestedBy, requestId }, 'command accepted');
      } catch (err) {
        if (!isSyncError(err, 'CONNECTION_NOT_FOUND') && !isSyncError(err, 'COMMAND_RATE_LIMITED')) throw err;
        await reject(err);
      }
    }
    await commitAfter(consumer, COMMANDS_TOPIC, partition, message.offset);
    const o = owned.get(partition);
    if (o?.live && accepted !== undefined) await deps.duties.dispatchOne(accepted, o.book).catch((err) => log.warn({ err: toSyncError(err).toJSON() }, 'could not start the requested run yet'));
  }

  async function tick(): Promise<void> {
    if (stopped || !joined) return;
    const live = new Map([...owned].filter(([, o]) => o.live));
    if (live.size > 0) {
      const all = await deps.connections.list();
      known = new Set(all.map((c) => c.id));
      unknown.clear();
      // a connection belongs to the owner of the partition of sync.coordinator its key lands on
      const mine = all.filter((c) => live.has(keyPartition(c.id, partitions)));
      for (const c of mine) await deps.duties.tick(c, live.get(keyPartition(c.id, partitions))!.book);
      for (const o of live.values()) {
        for (const run of o.book.runs.values()) if (run.status === 'running') await deps.actions.act(o.book, run).catch((err) => log.warn({ runId: run.runId, err: toSyncError(err).toJSON() }, 'run action failed'));
      }
      await deps.duties.afterRuns(mine);
    }
    for (const [p, o] of live) {
      // the replay point: the RunStarted of the oldest running run, else the end of what was folded
      let point = o.nextOffset;
      for (const r of o.book.runs.values()) if (r.status === 'running' && r.startOffset !== null && BigInt(r.startOffset) < point) point = BigInt(r.startOffset);
      if (point !== o.committed) {
        await consumer.commitOffsets([{ topic: COORDINATOR_TOPIC, partition: p, offset: point.toString() }]);
        o.committed = point;
      }
    }
    gauges();
  }

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => void serial(() => onJoin(payload.memberAssignment)).catch((err: unknown) => log.error({ err: toSyncError(err).toJSON() }, 'rebuild failed')));
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic === COORDINATOR_TOPIC && Number(payload.offsetLag) <= 0) void serial(() => goLive(payload.partition));
  });
  // the event log is read from the beginning (rebuild); so are the commands a brand-new group finds waiting, from
  // a start committed before the first join so that no rebalance moves a partition again (command-start.ts)
  const pinned = await pinUncommittedCommandPartitions(admin, opts.groupId, log);
  await deps.store.saveCommandBacklog(opts.groupId, pinned, clock.nowMs());
  waitingEnds = await deps.store.commandBacklog(opts.groupId);
  await consumer.connect();
  await consumer.subscribe({ topics: [COORDINATOR_TOPIC], fromBeginning: true });
  await consumer.subscribe({ topics: [COMMANDS_TOPIC], fromBeginning: true });
  consumer.on(consumer.events.CRASH, () => (joined = false)); // the next join rebuilds the owned partitions
  await runRecovering(
    consumer,
    { autoCommit: false, eachMessage: ({ topic, partition, message }) => serial(() => (topic === COORDINATOR_TOPIC ? onEvent(partition, message) : onCommand(partition, message))) },
    { log, stopping: () => stopped },
  );
  const timer = setInterval(() => void serial(tick).catch((err) => log.warn({ err: toSyncError(err).toJSON() }, 'coordinator tick failed')), opts.tickMs);

  return {
    ready: () => joined && !stopped,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await queue.idle();
      await consumer.disconnect();
    },
  };
}
