/**
 * The control messages of sync.tasks and sync.coordinator: their Avro schemas (schemas/*.avsc) and TypeScript types.
 * Times are Date objects (timestamp-millis). Coordinator events are a tagged union: `{ type: 'TaskCompleted', ... }`.
 * Their codec through the schema registry is services/shared/control-codec.ts.
 */
import { readFileSync } from 'node:fs';

const schemaFile = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/** The Avro schema of a task (schemas/sync-task.avsc). */
export const SYNC_TASK_SCHEMA = schemaFile('sync-task.avsc');
/** The Avro schema of a coordinator event (schemas/coordinator-event.avsc). */
export const COORDINATOR_EVENT_SCHEMA = schemaFile('coordinator-event.avsc');

/** Full refresh or incremental. */
export type SyncKind = 'full' | 'incremental';

/** What a delta task does (change-tracked tables): consume `link`, or take a new link when it is null. */
export interface DeltaSpec {
  link: string | null;
}

/** One window task, or one delta task when `delta` is set (sync.tasks, key = taskId). */
export interface SyncTask {
  taskId: string;
  runId: string;
  connection: string;
  table: string;
  kind: SyncKind;
  runStart: Date;
  from: Date;
  to: Date;
  attempt: number;
  depth: number;
  parentTaskId: string | null;
  /** Delta tasks only (absent or null for window tasks). */
  delta?: DeltaSpec | null;
  /**
   * The one-go window of a change-tracked table without a delta link: read through change tracking (no `$filter`),
   * reporting the delta link it ends with in TaskCompleted. Absent or null: a plain window.
   */
  takeDeltaLink?: boolean | null;
  /**
   * Windows planned to be read in one go: the rows the coordinator expects (≤ 5,000); the extractor then skips the
   * count probe and reads large pages. Absent or null: probe first, split when too big.
   */
  expectedRows?: number | null;
}

/** The per-table plan announced when a run starts. */
export interface TablePlan {
  table: string;
  from: Date;
  to: Date;
  taskIds: string[];
  /** The delta link the table's delta task consumes (absent or null: none, or no delta task). */
  deltaLink?: string | null;
}

/** Event bodies, tagged by `type` (the Avro record name). */
export type EventBody =
  | { type: 'RunStarted'; kind: SyncKind; runStart: Date; requestedBy: string; tables: TablePlan[] }
  | {
      type: 'TaskCompleted';
      taskId: string;
      table: string;
      count: number;
      maxModifiedOn: Date | null;
      topic: string;
      offsets: { partition: number; offset: number }[];
      durationMs: number;
      /** Delta tasks and windows with `takeDeltaLink`: the new delta link (absent or null otherwise). */
      deltaLink?: string | null;
    }
  | { type: 'TaskSplit'; taskId: string; table: string; childTaskIds: string[]; reason: string }
  | { type: 'TaskFailed'; taskId: string; table: string; attempt: number; code: string; retriable: boolean; message: string }
  | { type: 'RunCompleted'; tables: { table: string; count: number; durationMs: number; watermark: Date }[] }
  | { type: 'RunFailed'; code: string; message: string };

/** One event on sync.coordinator (key = connection). */
export interface CoordinatorEvent {
  eventId: string;
  connection: string;
  runId: string;
  at: Date;
  event: EventBody;
}
