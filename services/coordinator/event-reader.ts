/**
 * The events of `sync.coordinator`: each is folded into the book of its partition (core/run-state.ts); a partition
 * that has caught up (partition-books.ts) then acts on the run the event changed. Events of connections not in this
 * deployment's state DB are ignored; an undecodable event goes to sync.dlq (Invariant 6). Nothing is committed per
 * event: the owner commits the replay point (coordinator-tick.ts).
 */
import type { KafkaMessage } from 'kafkajs';
import type { CoordinatorEvent } from '../contracts/control-messages.ts';
import { COORDINATOR_TOPIC } from '../contracts/topic-names.ts';
import type { Clock } from '../shared/clock.ts';
import type { ControlCodec } from '../shared/control-codec.ts';
import { deadLetterOf, sendToDlq } from '../shared/dlq.ts';
import { toSyncError } from '../shared/errors.ts';
import type { MessageSender } from '../shared/healing-producer.ts';
import type { Logger } from '../shared/log.ts';
import { foldEvent } from './core/run-state.ts';
import type { KnownConnections } from './known-connections.ts';
import type { CoordinatorMetrics } from './metrics.ts';
import type { PartitionBooks } from './partition-books.ts';
import type { RunActions } from './run-actions.ts';

/** What the reader needs. */
export interface EventReaderDeps {
  books: PartitionBooks;
  known: KnownConnections;
  codec: ControlCodec;
  producer: MessageSender;
  actions: RunActions;
  metrics: CoordinatorMetrics;
  log: Logger;
  clock: Clock;
}

/** Folds the events of the owned partitions. */
export class EventReader {
  private readonly d: EventReaderDeps;
  constructor(deps: EventReaderDeps) {
    this.d = deps;
  }

  /** Folds the event `message` of `partition`, and acts on its run once the partition is live. */
  async onEvent(partition: number, message: KafkaMessage): Promise<void> {
    const { books, known, actions, metrics, log } = this.d;
    const o = books.get(partition);
    if (!o || !message.value) return;
    o.nextOffset = BigInt(message.offset) + 1n;
    const e = await this.decode(partition, message, message.value);
    if (!e || !(await known.has(e.connection))) return;
    const outcome = foldEvent(o.book, e, message.offset);
    metrics.events.inc({ type: e.event.type, outcome });
    if (!o.live || outcome !== 'applied') return;
    const run = o.book.runs.get(e.runId);
    if (!run) return;
    try {
      await actions.saveProjection(run);
      await actions.act(o.book, run);
    } catch (err) {
      log.warn({ runId: run.runId, err: toSyncError(err).toJSON() }, 'run action failed; retried on the next tick');
    }
    books.gauges();
  }

  /** The event in `value`; undefined when it cannot be decoded (it is then in sync.dlq). */
  private async decode(partition: number, message: KafkaMessage, value: Buffer): Promise<CoordinatorEvent | undefined> {
    try {
      return await this.d.codec.decodeEvent(value);
    } catch (err) {
      const error = toSyncError(err, 'RECORD_INVALID');
      if (error.retriable) throw error;
      await sendToDlq(this.d.producer, 'coordinator', [{ letter: deadLetterOf(COORDINATOR_TOPIC, partition, message), error }], this.d.clock.nowMs());
      this.d.log.warn({ partition, offset: message.offset, code: error.code }, 'undecodable coordinator event sent to sync.dlq');
      return undefined;
    }
  }
}
