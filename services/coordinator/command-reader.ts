/**
 * The commands of `sync.commands`. A command for a connection outside COORDINATOR_CONNECTIONS is another
 * deployment's and is skipped; one older than COORDINATOR_COMMAND_MAX_AGE_MS is reported as expired
 * (core/command-age.ts). Any other is recorded as a pending run request (run-requests.ts), at most as many per
 * connection as core/command-rate.ts allows; a malformed one, one for an unknown connection or one over the rate
 * goes to sync.dlq (Invariant 6), except the waiting commands of a new group (command-start.ts). Each command is
 * committed once handled; then the owner of a live partition tries to start the accepted run at once.
 */
import type { Consumer, KafkaMessage } from 'kafkajs';
import { parseCommand, runKindOf, type Command } from '../contracts/command.ts';
import { COMMANDS_TOPIC } from '../contracts/topic-names.ts';
import type { Clock } from '../shared/clock.ts';
import { commitAfter } from '../shared/consumer-blocks.ts';
import { deadLetterOf, sendToDlq } from '../shared/dlq.ts';
import { SyncError, isSyncError, toSyncError } from '../shared/errors.ts';
import type { MessageSender } from '../shared/healing-producer.ts';
import type { Logger } from '../shared/log.ts';
import type { ConnectionStore } from '../dataverse/connections/connection-store.ts';
import { commandDisposition, expiredCommandMessage, type CommandAgePolicy } from './core/command-age.ts';
import { CommandRate, DEFAULT_COMMAND_RATE, type CommandRateLimit } from './core/command-rate.ts';
import { commandRequestId } from './core/request-id.ts';
import type { ConnectionDuties } from './connection-duties.ts';
import type { KnownConnections } from './known-connections.ts';
import type { CoordinatorMetrics } from './metrics.ts';
import type { PartitionBooks } from './partition-books.ts';
import type { RunRequests } from './run-requests.ts';

/** What the reader needs. */
export interface CommandReaderDeps {
  /** The group's consumer: commits each command once handled. */
  consumer: Pick<Consumer, 'commitOffsets'>;
  producer: MessageSender;
  connections: ConnectionStore;
  known: KnownConnections;
  books: PartitionBooks;
  requests: RunRequests;
  duties: ConnectionDuties;
  metrics: CoordinatorMetrics;
  log: Logger;
  clock: Clock;
}

/** Settings of the reader. */
export interface CommandReaderOptions {
  /** Which commands are this deployment's and how old one may be when read (core/command-age.ts). */
  commands: CommandAgePolicy;
  /** Commands per connection (core/command-rate.ts); default a burst of 20, then 120 an hour. */
  rate?: CommandRateLimit;
  /** Per partition, the offset below which commands were waiting before this group first read it (command-start.ts). */
  waitingEnds: Map<number, bigint>;
}

/** Handles the commands of the owned partitions. */
export class CommandReader {
  private readonly d: CommandReaderDeps;
  private readonly opts: CommandReaderOptions;
  private readonly limit: CommandRateLimit;
  private readonly rate: CommandRate;
  constructor(deps: CommandReaderDeps, opts: CommandReaderOptions) {
    this.d = deps;
    this.opts = opts;
    this.limit = opts.rate ?? DEFAULT_COMMAND_RATE;
    this.rate = new CommandRate(this.limit);
  }

  /** Handles the command `message` of `partition` and commits it. */
  async onCommand(partition: number, message: KafkaMessage): Promise<void> {
    const { consumer, books, duties, metrics, log, clock } = this.d;
    const sentMs = Number(message.timestamp);
    const disposition = commandDisposition(message.key?.toString() ?? null, sentMs, clock.nowMs(), this.opts.commands);
    if (disposition !== 'act') {
      if (disposition === 'expired') await this.onExpired(partition, message, sentMs);
      else metrics.commands.inc({ outcome: 'other-deployment' });
      await commitAfter(consumer, COMMANDS_TOPIC, partition, message.offset);
      return;
    }
    const accepted = await this.accept(partition, message);
    await commitAfter(consumer, COMMANDS_TOPIC, partition, message.offset);
    const o = books.get(partition);
    if (o?.live && accepted !== undefined) await duties.dispatchOne(accepted, o.book).catch((err) => log.warn({ err: toSyncError(err).toJSON() }, 'could not start the requested run yet'));
  }

  /** Records the command as a pending run request, or rejects it; returns the connection whose pending request it added. */
  private async accept(partition: number, message: KafkaMessage): Promise<string | undefined> {
    const { connections, requests, metrics, log, clock } = this.d;
    const parsed = parseCommand(message.key?.toString() ?? null, message.value?.toString('utf8') ?? null);
    const waiting = BigInt(message.offset) < (this.opts.waitingEnds.get(partition) ?? 0n);
    if (!parsed.ok) {
      await this.reject(partition, message, waiting, new SyncError('COMMAND_INVALID', parsed.reason));
      return undefined;
    }
    const { command } = parsed;
    try {
      await connections.get(command.connection);
      if (!this.rate.take(command.connection, clock.nowMs())) throw this.rateLimited(command);
      const kind = runKindOf(command);
      const requestId = commandRequestId(command.connection, kind, Number(message.timestamp), partition, message.offset);
      await requests.request(command.connection, { requestId, kind, tables: command.tables ?? 'all', requestedBy: command.requestedBy, requestedAtMs: Number(message.timestamp) });
      metrics.commands.inc({ outcome: 'accepted' });
      log.info({ connection: command.connection, kind, tables: command.tables ?? 'all', requestedBy: command.requestedBy, requestId }, 'command accepted');
      return command.connection;
    } catch (err) {
      if (!isSyncError(err, 'CONNECTION_NOT_FOUND') && !isSyncError(err, 'COMMAND_RATE_LIMITED')) throw err;
      await this.reject(partition, message, waiting, err);
      return undefined;
    }
  }

  /** The error of a command over its connection's rate. */
  private rateLimited(command: Command): SyncError {
    const { limit } = this;
    return new SyncError(
      'COMMAND_RATE_LIMITED',
      `connection ${command.connection} sent more commands than COORDINATOR_COMMANDS_BURST (${limit.burst}) and COORDINATOR_COMMANDS_PER_HOUR (${limit.perHour}) allow: not carried out; the next one is accepted in ${Math.ceil(this.rate.waitMs(command.connection, this.d.clock.nowMs()) / 1000)} s`,
      { details: { connection: command.connection } },
    );
  }

  /** Sends a command that is not carried out to sync.dlq, or skips it when it was `waiting` and not ours. */
  private async reject(partition: number, message: KafkaMessage, waiting: boolean, error: SyncError): Promise<void> {
    const { producer, metrics, log, clock } = this.d;
    if (waiting && (error.code === 'COMMAND_INVALID' || error.code === 'CONNECTION_NOT_FOUND')) {
      // sent before this group existed and not for this deployment: another deployment's or an earlier one's
      metrics.commands.inc({ outcome: 'skipped-waiting' });
      log.info({ partition, offset: message.offset, code: error.code }, 'command sent before this coordinator group first started, not for a connection of this deployment: skipped');
      return;
    }
    await sendToDlq(producer, 'coordinator', [{ letter: deadLetterOf(COMMANDS_TOPIC, partition, message), error }], clock.nowMs());
    metrics.commands.inc({ outcome: error.code === 'COMMAND_RATE_LIMITED' ? 'rate-limited' : 'rejected' });
    log.warn({ partition, offset: message.offset, code: error.code }, `command rejected to sync.dlq: ${error.message}`);
  }

  /** A command too old to carry out: reported (log, metric, a failed run in `dynsync runs`) when it is ours. */
  private async onExpired(partition: number, message: KafkaMessage, sentMs: number): Promise<void> {
    const { known, requests, metrics, log, clock } = this.d;
    const parsed = parseCommand(message.key?.toString() ?? null, message.value?.toString('utf8') ?? null);
    if (!parsed.ok || !(await known.has(parsed.command.connection))) {
      metrics.commands.inc({ outcome: 'expired-unknown' });
      log.debug({ partition, offset: message.offset, sentAt: new Date(sentMs).toISOString() }, 'expired command not for a connection of this deployment: ignored');
      return;
    }
    const { command } = parsed;
    const kind = runKindOf(command);
    const requestId = commandRequestId(command.connection, kind, sentMs, partition, message.offset);
    const text = expiredCommandMessage(command, sentMs, clock.nowMs(), this.opts.commands.maxAgeMs);
    const request = { requestId, kind, tables: command.tables ?? ('all' as const), requestedBy: command.requestedBy, requestedAtMs: sentMs };
    metrics.commands.inc({ outcome: 'expired' });
    if (await requests.refuse(command.connection, request, { code: 'COMMAND_EXPIRED', message: text })) {
      log.warn({ connection: command.connection, kind, requestId, partition, offset: message.offset, code: 'COMMAND_EXPIRED' }, `command expired: ${text}`);
    }
  }
}
