/**
 * Run state and its fold (pure, deterministic): the coordinator's state is what folding the events of
 * `sync.coordinator` gives, so it is rebuilt by replaying the topic after a restart (Invariant 5). Folding is
 * idempotent: an event seen twice (our own events are applied at once, then read back) changes nothing the
 * second time. Task events may arrive before the TaskSplit that announces their task (another extractor
 * instance can be faster): they are buffered per table and applied when the task becomes known.
 *
 * A delta task (core/delta-task.ts) that fails because its delta token expired is `expired`: final, and complete
 * for the table (its windows still carry the changes); the table then falls back to a full run (run-decisions).
 *
 * `foldEvent` mutates and returns the book it is given (runs hold thousands of tasks; copying per event would be
 * quadratic). Nothing here does I/O or reads a clock: times come from the events.
 */
import type { CoordinatorEvent, EventBody, SyncKind } from '../../contracts/control-messages.ts';
import { DELTA_EXPIRED_CODE, isDeltaTaskId } from './delta-task.ts';
import { windowOfTaskId } from './task-id.ts';
import type { Window } from './windows.ts';

/** One failed attempt of a task. */
export interface TaskFailure {
  attempt: number;
  code: string;
  retriable: boolean;
  message: string;
}

/** A window task as the coordinator knows it. */
export interface TaskState {
  taskId: string;
  parentTaskId: string | null;
  depth: number;
  /** The window, when known (roots; children whose id names a window inside their parent's); else null. */
  window: Window | null;
  status: 'pending' | 'completed' | 'split' | 'failed' | 'expired';
  failures: TaskFailure[];
  children: string[];
  count: number;
  topic: string | null;
  offsets: { partition: number; offset: number }[];
  completedAtMs: number | null;
  /** Delta tasks: the new delta link their TaskCompleted reported (null otherwise). */
  deltaLink: string | null;
  /**
   * The latest `modifiedon` the task's TaskCompleted reported (epoch ms, null: none): of the records of a window; of
   * the rows a delta task saw changed (every row, for an initial scan), which decides whether its link is clean.
   * Absent: none.
   */
  maxModifiedOnMs?: number | null;
  /** Local bookkeeping (not from events): the attempt already re-published in this process. */
  retriedAttempt: number | null;
}

/** One table of a run. */
export interface TableRunState {
  table: string;
  fromMs: number;
  toMs: number;
  rootTaskIds: string[];
  tasks: Map<string, TaskState>;
  /** Events of tasks not announced yet, by task id. */
  orphans: Map<string, EventBody[]>;
  /** When the last window completed (event time), null while running. */
  completedAtMs: number | null;
  /** Local bookkeeping: the watermark commit of this table was acknowledged by the state DB in this process. */
  watermarkCommitted: boolean;
  /** The delta link the table's delta task consumes (from RunStarted; null: none or a new one is taken). */
  deltaLink: string | null;
  /** Local bookkeeping: the fallback full run of this table (expired delta token) was requested in this process. */
  fallbackRequested: boolean;
}

/** One run. */
export interface RunState {
  runId: string;
  connection: string;
  kind: SyncKind;
  runStartMs: number;
  requestedBy: string;
  startedAtMs: number;
  /** Offset of the RunStarted event in sync.coordinator (null until read back). */
  startOffset: string | null;
  status: 'running' | 'completed' | 'failed';
  finishedAtMs: number | null;
  failure: { code: string; message: string } | null;
  tables: Map<string, TableRunState>;
}

/** Every run known to this coordinator, by run id. */
export interface RunBook {
  runs: Map<string, RunState>;
}

/** What folding one event did. */
export type FoldOutcome = 'applied' | 'duplicate' | 'buffered' | 'ignored';

/** Most events buffered per table for tasks not announced yet (a bound against a misbehaving producer). */
export const MAX_ORPHANS_PER_TABLE = 10_000;

/** An empty book. */
export function emptyBook(): RunBook {
  return { runs: new Map() };
}

function newTask(taskId: string, parentTaskId: string | null, depth: number, window: Window | null): TaskState {
  return { taskId, parentTaskId, depth, window, status: 'pending', failures: [], children: [], count: 0, topic: null, offsets: [], completedAtMs: null, deltaLink: null, maxModifiedOnMs: null, retriedAttempt: null };
}

const within = (w: Window | null, outer: Window): boolean => w !== null && w.fromMs >= outer.fromMs && w.toMs <= outer.toMs;

/** The window a task covers: its own, else the nearest ancestor's, else the table range (a superset is safe). */
export function effectiveWindow(table: TableRunState, task: TaskState): Window {
  for (let t: TaskState | undefined = task; t; t = t.parentTaskId === null ? undefined : table.tasks.get(t.parentTaskId)) {
    if (t.window) return t.window;
  }
  return { fromMs: table.fromMs, toMs: table.toMs };
}

/** True when the task is completed (or an expired delta task), or split and every child is complete. */
export function isTaskComplete(table: TableRunState, taskId: string, depth = 0): boolean {
  const t = table.tasks.get(taskId);
  if (!t || depth > 64) return false;
  if (t.status === 'completed' || t.status === 'expired') return true;
  return t.status === 'split' && t.children.every((c) => isTaskComplete(table, c, depth + 1));
}

function checkTableComplete(table: TableRunState, atMs: number): void {
  if (table.completedAtMs === null && table.rootTaskIds.every((id) => isTaskComplete(table, id))) table.completedAtMs = atMs;
}

type TaskBody = Extract<EventBody, { type: 'TaskCompleted' | 'TaskSplit' | 'TaskFailed' }>;

function applyTaskEvent(table: TableRunState, body: TaskBody, atMs: number): FoldOutcome {
  const task = table.tasks.get(body.taskId);
  if (!task) {
    const buffered = [...table.orphans.values()].reduce((n, l) => n + l.length, 0);
    if (buffered >= MAX_ORPHANS_PER_TABLE) return 'ignored';
    table.orphans.set(body.taskId, [...(table.orphans.get(body.taskId) ?? []), body]);
    return 'buffered';
  }
  if (task.status === 'completed' || task.status === 'split' || task.status === 'expired') return 'duplicate';
  if (body.type === 'TaskCompleted') {
    Object.assign(task, { status: 'completed', count: body.count, topic: body.topic, offsets: body.offsets, completedAtMs: atMs, deltaLink: body.deltaLink ?? null, maxModifiedOnMs: body.maxModifiedOn?.getTime() ?? null });
  } else if (body.type === 'TaskFailed') {
    if (task.failures.some((f) => f.attempt === body.attempt)) return 'duplicate';
    task.failures.push({ attempt: body.attempt, code: body.code, retriable: body.retriable, message: body.message });
    task.status = body.code === DELTA_EXPIRED_CODE && isDeltaTaskId(task.taskId) ? 'expired' : 'failed';
  } else {
    const parentWindow = effectiveWindow(table, task);
    task.status = 'split';
    for (const childId of body.childTaskIds) {
      if (table.tasks.has(childId)) continue; // never re-parent a known task (no cycles)
      const parsed = windowOfTaskId(childId);
      table.tasks.set(childId, newTask(childId, task.taskId, task.depth + 1, within(parsed, parentWindow) ? parsed : null));
      task.children.push(childId);
      for (const orphan of table.orphans.get(childId) ?? []) applyTaskEvent(table, orphan as TaskBody, atMs);
      table.orphans.delete(childId);
    }
  }
  checkTableComplete(table, atMs);
  return 'applied';
}

/** Folds one event into `book` (mutating it); `offset` is its position in sync.coordinator when read from Kafka. */
export function foldEvent(book: RunBook, e: CoordinatorEvent, offset: string | null = null): FoldOutcome {
  const atMs = e.at.getTime();
  const body = e.event;
  const run = book.runs.get(e.runId);
  if (body.type === 'RunStarted') {
    if (run) {
      if (run.startOffset === null && offset !== null) run.startOffset = offset;
      return 'duplicate';
    }
    const tables = new Map<string, TableRunState>();
    for (const plan of body.tables) {
      const range = { fromMs: plan.from.getTime(), toMs: plan.to.getTime() };
      const table: TableRunState = { table: plan.table, ...range, rootTaskIds: [...plan.taskIds], tasks: new Map(), orphans: new Map(), completedAtMs: null, watermarkCommitted: false, deltaLink: plan.deltaLink ?? null, fallbackRequested: false };
      for (const id of plan.taskIds) {
        const w = windowOfTaskId(id);
        table.tasks.set(id, newTask(id, null, 0, within(w, range) ? w : null));
      }
      checkTableComplete(table, atMs);
      tables.set(plan.table, table);
    }
    book.runs.set(e.runId, {
      runId: e.runId,
      connection: e.connection,
      kind: body.kind,
      runStartMs: body.runStart.getTime(),
      requestedBy: body.requestedBy,
      startedAtMs: atMs,
      startOffset: offset,
      status: 'running',
      finishedAtMs: null,
      failure: null,
      tables,
    });
    return 'applied';
  }
  if (!run) return 'ignored'; // a run that started before the replay point, or an unknown one
  if (body.type === 'RunCompleted' || body.type === 'RunFailed') {
    if (run.status !== 'running') return 'duplicate';
    run.status = body.type === 'RunCompleted' ? 'completed' : 'failed';
    run.finishedAtMs = atMs;
    if (body.type === 'RunFailed') run.failure = { code: body.code, message: body.message };
    return 'applied';
  }
  if (run.status !== 'running') return 'ignored';
  const table = run.tables.get(body.table);
  if (!table) return 'ignored';
  return applyTaskEvent(table, body, atMs);
}
