import { describe, expect, it } from 'vitest';
import type { ProducerRecord } from 'kafkajs';
import type { CoordinatorEvent, SyncTask } from '../contracts/control-messages.ts';
import { COORDINATOR_TOPIC, TASKS_TOPIC } from '../contracts/topic-names.ts';
import { ManualClock } from '../shared/clock.ts';
import type { ControlCodec } from '../shared/control-codec.ts';
import { taskEvents, type AnyOutcome } from './task-events.ts';

const task = { taskId: 't1', runId: 'r1', connection: 'c1', table: 'account', attempt: 0, depth: 0 } as SyncTask;
const child = (taskId: string) => ({ ...task, taskId, parentTaskId: 't1', depth: 1 }) as SyncTask;
const completed: AnyOutcome = { kind: 'completed', topic: 'tt', count: 3, deadLettered: 0, pages: 1, maxModifiedOn: null, offsets: [] };

/** The events and tasks sent, decoded back (the fake codec writes JSON). */
async function sent(outcome: AnyOutcome) {
  const sends: ProducerRecord[] = [];
  const json = async (v: unknown) => Buffer.from(JSON.stringify(v));
  const codec = { encodeEvent: json, encodeTask: json } as unknown as ControlCodec;
  const events = taskEvents({ producer: { send: async (r) => (sends.push(r), []) }, codec, clock: new ManualClock(0) });
  await events.report(task, outcome, 42);
  return sends.map((r) => ({
    topic: r.topic,
    acks: r.acks,
    messages: r.messages.map((m) => {
      const value = JSON.parse(String(m.value)) as CoordinatorEvent | SyncTask;
      return { key: m.key, what: 'event' in value ? value.event.type : value.taskId };
    }),
  }));
}

describe('task events', () => {
  it.each<[string, AnyOutcome, unknown]>([
    ['completed → TaskCompleted', completed, [{ topic: COORDINATOR_TOPIC, acks: -1, messages: [{ key: 'c1', what: 'TaskCompleted' }] }]],
    [
      'split → TaskSplit, then the children keyed by id',
      { kind: 'split', children: [child('a'), child('b')], reason: 'too many rows' },
      [
        { topic: COORDINATOR_TOPIC, acks: -1, messages: [{ key: 'c1', what: 'TaskSplit' }] },
        { topic: TASKS_TOPIC, acks: -1, messages: [{ key: 'a', what: 'a' }, { key: 'b', what: 'b' }] },
      ],
    ],
  ])('%s', async (_name, outcome, expected) => {
    expect(await sent(outcome)).toEqual(expected);
  });

  it.each<[string, AnyOutcome, string | null]>([
    ['a window carries no delta link', completed, null],
    ['a delta task carries its new link', { ...completed, deltaLink: 'https://org/link', initial: false }, 'https://org/link'],
    ['a window read through change tracking carries the link it ended with', { ...completed, deltaLink: 'https://org/first' }, 'https://org/first'],
    ['such a window that ended without one carries none', { ...completed, deltaLink: null }, null],
  ])('TaskCompleted: %s', async (_name, outcome, deltaLink) => {
    let envelope: CoordinatorEvent | undefined;
    const codec = { encodeEvent: async (e: CoordinatorEvent) => ((envelope = e), Buffer.alloc(0)) } as unknown as ControlCodec;
    await taskEvents({ producer: { send: async () => [] }, codec, clock: new ManualClock(1_000) }).report(task, outcome, 42);
    expect(envelope).toMatchObject({ connection: 'c1', runId: 'r1', at: new Date(1_000), event: { type: 'TaskCompleted', taskId: 't1', count: 3, durationMs: 42, deltaLink } });
  });
});
