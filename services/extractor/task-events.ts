/**
 * The events a task's end publishes on sync.coordinator (key = connection, `acks: -1`). Completed → TaskCompleted
 * (a delta task's, and a window's that takes its table's delta link, carries the new link); split → TaskSplit, then the children on sync.tasks; an error →
 * TaskFailed (published by the runner, task-runner.ts). Every send is acknowledged by Kafka before it resolves, so
 * the task's offset, committed afterwards, never runs ahead of its event (Invariant 3).
 */
import { randomUUID } from 'node:crypto';
import type { CoordinatorEvent, EventBody, SyncTask } from '../contracts/control-messages.ts';
import { COORDINATOR_TOPIC, TASKS_TOPIC } from '../contracts/topic-names.ts';
import type { Clock } from '../shared/clock.ts';
import type { ControlCodec } from '../shared/control-codec.ts';
import type { MessageSender } from '../shared/healing-producer.ts';
import type { DeltaOutcome } from './delta-extractor.ts';
import type { TaskOutcome } from './window-extractor.ts';

/** What any task can end with. */
export type AnyOutcome = TaskOutcome | DeltaOutcome;
export const isDelta = (o: AnyOutcome): o is DeltaOutcome => 'initial' in o;

/** What publishing needs. */
export interface TaskEventsDeps {
  producer: MessageSender;
  codec: ControlCodec;
  clock: Clock;
}

/** Publishes the events of tasks. */
export interface TaskEvents {
  /** Publishes `event` of `task` on sync.coordinator. */
  publish(task: SyncTask, event: EventBody): Promise<void>;
  /** Publishes what `outcome` says: TaskCompleted, or TaskSplit and the children. */
  report(task: SyncTask, outcome: AnyOutcome, durationMs: number): Promise<void>;
}

/** A {@link TaskEvents} sending with `deps.producer`. */
export function taskEvents(deps: TaskEventsDeps): TaskEvents {
  const { producer, codec, clock } = deps;
  const publish = async (task: SyncTask, event: EventBody) => {
    const envelope: CoordinatorEvent = { eventId: randomUUID(), connection: task.connection, runId: task.runId, at: new Date(clock.nowMs()), event };
    await producer.send({ topic: COORDINATOR_TOPIC, acks: -1, messages: [{ key: task.connection, value: await codec.encodeEvent(envelope) }] });
  };
  const report = async (task: SyncTask, outcome: AnyOutcome, durationMs: number) => {
    if (outcome.kind === 'completed') {
      const { topic, count, maxModifiedOn, offsets } = outcome;
      const deltaLink = outcome.deltaLink ?? null;
      await publish(task, { type: 'TaskCompleted', taskId: task.taskId, table: task.table, count, maxModifiedOn, topic, offsets, durationMs, deltaLink });
      return;
    }
    // TaskSplit first: no event of a child can precede it. A crash before the children are on sync.tasks
    // redelivers the parent, which splits again into the same child ids (core/child-tasks.ts).
    await publish(task, { type: 'TaskSplit', taskId: task.taskId, table: task.table, childTaskIds: outcome.children.map((c) => c.taskId), reason: outcome.reason });
    const messages = await Promise.all(outcome.children.map(async (child) => ({ key: child.taskId, value: await codec.encodeTask(child) })));
    await producer.send({ topic: TASKS_TOPIC, acks: -1, messages });
  };
  return { publish, report };
}
