/**
 * Plays the extractor for coordinator tests: consumes sync.tasks (only the given connection's tasks), lets the test
 * decide per task what to answer, and produces TaskCompleted / TaskSplit / TaskFailed with the control codec.
 * Also records sync.coordinator events of the connection.
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { CoordinatorEvent, EventBody, SyncTask } from '../../services/contracts/control-messages.ts';
import type { ControlCodec } from '../../services/shared/control-codec.ts';
import { uniqueName } from '../support/servers.ts';
import type { HealingProducer } from '../../services/shared/healing-producer.ts';
import { COORDINATOR_TOPIC, TASKS_TOPIC, tableTopic } from '../../services/contracts/topic-names.ts';

/** What the fake extractor answers to a task. */
export type Answer = { kind: 'complete'; count?: number; offsets?: { partition: number; offset: number }[]; topic?: string } | { kind: 'fail'; retriable: boolean } | { kind: 'split' } | { kind: 'hold' };

/** A running fake extractor. */
export interface FakeExtractor {
  readonly tasks: SyncTask[];
  readonly events: CoordinatorEvent[];
  /** Answers a task now (for held tasks). */
  answer(task: SyncTask, a: Answer): Promise<void>;
  /** The policy for tasks as they arrive. */
  policy: (task: SyncTask) => Answer;
  stop(): Promise<void>;
}

/** Starts consuming sync.tasks and sync.coordinator for `connection`. */
export async function startFakeExtractor(kafka: Kafka, producer: HealingProducer, codec: ControlCodec, connection: string): Promise<FakeExtractor> {
  const tasks: SyncTask[] = [];
  const events: CoordinatorEvent[] = [];
  const send = (runId: string, event: EventBody) =>
    codec
      .encodeEvent({ eventId: uniqueName('ev'), connection, runId, at: new Date(), event })
      .then((value) => producer.send({ topic: COORDINATOR_TOPIC, acks: -1, messages: [{ key: connection, value }] }));
  const fx: FakeExtractor = {
    tasks,
    events,
    policy: () => ({ kind: 'complete' }),
    async answer(task, a) {
      if (a.kind === 'hold') return;
      if (a.kind === 'complete') {
        await send(task.runId, { type: 'TaskCompleted', taskId: task.taskId, table: task.table, count: a.count ?? 1, maxModifiedOn: null, topic: a.topic ?? tableTopic(connection, task.table), offsets: a.offsets ?? [], durationMs: 5 });
      } else if (a.kind === 'fail') {
        await send(task.runId, { type: 'TaskFailed', taskId: task.taskId, table: task.table, attempt: task.attempt, code: a.retriable ? 'DATAVERSE_UNAVAILABLE' : 'DATAVERSE_BAD_REQUEST', retriable: a.retriable, message: 'simulated failure' });
      } else {
        // like the extractor: children are complete before the split is announced (the fold must buffer them)
        const children = [`${task.taskId}/a`, `${task.taskId}/b`];
        for (const c of children) await send(task.runId, { type: 'TaskCompleted', taskId: c, table: task.table, count: 2, maxModifiedOn: null, topic: tableTopic(connection, task.table), offsets: [], durationMs: 5 });
        await send(task.runId, { type: 'TaskSplit', taskId: task.taskId, table: task.table, childTaskIds: children, reason: 'too big' });
      }
    },
    async stop() {
      await Promise.all(consumers.map((c) => c.disconnect()));
    },
  };
  const consumers: Consumer[] = [];
  const tc = kafka.consumer({ groupId: uniqueName('fake-extractor') });
  await tc.connect();
  await tc.subscribe({ topic: TASKS_TOPIC, fromBeginning: true });
  await tc.run({
    eachMessage: async ({ message }) => {
      const task = await codec.decodeTask(message.value!);
      if (task.connection !== connection) return;
      tasks.push(task);
      await fx.answer(task, fx.policy(task));
    },
  });
  const ec = kafka.consumer({ groupId: uniqueName('fake-watch') });
  await ec.connect();
  await ec.subscribe({ topic: COORDINATOR_TOPIC, fromBeginning: true });
  await ec.run({
    eachMessage: async ({ message }) => {
      if (message.key?.toString() !== connection) return;
      events.push(await codec.decodeEvent(message.value!));
    },
  });
  consumers.push(tc, ec);
  return fx;
}
