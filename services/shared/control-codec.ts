/**
 * The codec of the control messages (contracts/control-messages.ts) through the schema registry: Confluent wire
 * format, subjects `<topic>-value`, BACKWARD compatibility.
 */
import type { Registry } from './registry.ts';
import { SyncError } from './errors.ts';
import { COORDINATOR_EVENT_SCHEMA, SYNC_TASK_SCHEMA, type CoordinatorEvent, type EventBody, type SyncTask } from '../contracts/control-messages.ts';
import { COORDINATOR_TOPIC, TASKS_TOPIC } from '../contracts/topic-names.ts';

const NS = 'dynsync.control.';

/** Optional fields added later (Avro `["null", …]` with default null) are sent as null when absent. */
function withOptionalNulls(event: EventBody): EventBody {
  if (event.type === 'TaskCompleted') return { ...event, deltaLink: event.deltaLink ?? null };
  if (event.type === 'RunStarted') return { ...event, tables: event.tables.map((t) => ({ ...t, deltaLink: t.deltaLink ?? null })) };
  return event;
}

/** Encodes and decodes control messages. */
export interface ControlCodec {
  encodeTask(task: SyncTask): Promise<Buffer>;
  decodeTask(value: Buffer): Promise<SyncTask>;
  encodeEvent(event: CoordinatorEvent): Promise<Buffer>;
  decodeEvent(value: Buffer): Promise<CoordinatorEvent>;
}

/** Registers both control schemas (idempotent) and returns their codec. `registry` must use our logical types. */
export async function createControlCodec(registry: Registry): Promise<ControlCodec> {
  const taskId = await registry.register(`${TASKS_TOPIC}-value`, SYNC_TASK_SCHEMA);
  const eventId = await registry.register(`${COORDINATOR_TOPIC}-value`, COORDINATOR_EVENT_SCHEMA);
  return {
    encodeTask: (task) => registry.encode(taskId, { ...task, delta: task.delta ?? null, takeDeltaLink: task.takeDeltaLink ?? null, expectedRows: task.expectedRows ?? null }),
    decodeTask: async (value) => (await registry.decode(value)) as SyncTask,
    encodeEvent: ({ event, ...rest }) => {
      const { type, ...body } = withOptionalNulls(event);
      return registry.encode(eventId, { ...rest, event: { [`${NS}${type}`]: body } });
    },
    async decodeEvent(value) {
      const raw = (await registry.decode(value)) as Omit<CoordinatorEvent, 'event'> & { event: Record<string, unknown> };
      const [name, body] = Object.entries(raw.event)[0] ?? [];
      if (!name || !name.startsWith(NS)) throw new SyncError('RECORD_INVALID', `coordinator event has an unknown body ${String(name)}`);
      return { ...raw, event: { type: name.slice(NS.length), ...(body as object) } as EventBody };
    },
  };
}
