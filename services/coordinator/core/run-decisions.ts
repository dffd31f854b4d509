/**
 * What to do next for a run (pure): re-publish failed tasks within the retry budget, fail the run when a task
 * cannot finish or the run is past its deadline, commit the watermark of each table whose windows are all
 * complete, and complete the run once every table's watermark is committed (architecture.md §5).
 *
 * Retry budget: a task may be tried `maxAttempts` times in all (attempts 0 … maxAttempts − 1). A failure that is
 * not retriable, or the last allowed attempt failing, fails the run; its tables that were not complete keep
 * their watermark.
 *
 * Delta tasks: a retry carries the link the run planned; the new link a completed delta task reported goes with
 * the table's watermark commit (stored only once every window and the delta task are durable, Invariant 2); an
 * expired delta token asks for a full run of that table (`fallback-full`), which reconciles the deletes the
 * expired token can no longer tell. The new link is stored with whether it is clean (core/table-sizing.ts
 * `linkClean`): then the next incremental needs no window for the table while the link reports no change.
 */
import type { SyncTask } from '../../contracts/control-messages.ts';
import { isDeltaTaskId, takesDeltaLink } from './delta-task.ts';
import { effectiveWindow, type RunState, type TableRunState, type TaskState } from './run-state.ts';
import { linkClean } from './table-sizing.ts';

/** Decision settings. */
export interface DecisionOptions {
  /** Tries per task in all, ≥ 1. */
  maxAttempts: number;
  /** A run still running this long after it started is failed. */
  runTimeoutMs: number;
  /** The incremental overlap (COORDINATOR_OVERLAP_MS): a new delta link is clean when its rows predate T0 − overlap. */
  overlapMs: number;
}

/** One thing the coordinator must do. */
export type RunAction =
  | { type: 'retry-task'; task: SyncTask }
  | { type: 'commit-watermark'; table: string; watermarkMs: number; deltaLink: string | null; deltaClean: boolean }
  | { type: 'fallback-full'; table: string; reason: string }
  | { type: 'complete-run' }
  | { type: 'fail-run'; code: string; message: string };

/** The SyncTask that re-runs `task` as attempt `attempt` (its window, or the nearest known enclosing one). */
export function retryTask(run: RunState, table: TableRunState, task: TaskState, attempt: number): SyncTask {
  const w = effectiveWindow(table, task);
  return {
    taskId: task.taskId,
    runId: run.runId,
    connection: run.connection,
    table: table.table,
    kind: run.kind,
    runStart: new Date(run.runStartMs),
    from: new Date(w.fromMs),
    to: new Date(w.toMs),
    attempt,
    depth: task.depth,
    parentTaskId: task.parentTaskId,
    ...(isDeltaTaskId(task.taskId) ? { delta: { link: table.deltaLink } } : {}),
    ...(takesDeltaLink(task.taskId) ? { takeDeltaLink: true } : {}),
  };
}

/** The delta task of a table in a run, if it has one. */
export function deltaTaskOf(table: TableRunState): TaskState | undefined {
  for (const id of table.rootTaskIds) if (isDeltaTaskId(id)) return table.tasks.get(id);
  return undefined;
}

/** The task that takes the table's new delta link: its delta task, or the window that reads it through change tracking. */
export function linkTaskOf(table: TableRunState): TaskState | undefined {
  for (const id of table.rootTaskIds) if (isDeltaTaskId(id) || takesDeltaLink(id)) return table.tasks.get(id);
  return undefined;
}

/** True when a task that failed on `failure.attempt` may be tried again. */
export function canRetry(failure: { attempt: number; retriable: boolean }, maxAttempts: number): boolean {
  return failure.retriable && failure.attempt + 1 < maxAttempts;
}

/**
 * The actions a running run needs now, in order. Retries that this process already published
 * (`retriedAttempt`) and watermarks already committed are not repeated; after a restart they are (harmless: a
 * task replay is idempotent, the watermark update is guarded).
 */
export function decide(run: RunState, opts: DecisionOptions, nowMs: number): RunAction[] {
  if (run.status !== 'running') return [];
  const actions: RunAction[] = [];
  for (const table of run.tables.values()) {
    for (const task of table.tasks.values()) {
      if (task.status !== 'failed') continue;
      const last = task.failures[task.failures.length - 1]!;
      if (!canRetry(last, opts.maxAttempts)) {
        const why = last.retriable ? `after ${last.attempt + 1} attempts` : '(not retriable)';
        return [{ type: 'fail-run', code: last.code, message: `task ${task.taskId} of table ${table.table} failed ${why}: ${last.message}` }];
      }
      if (task.retriedAttempt !== last.attempt + 1) actions.push({ type: 'retry-task', task: retryTask(run, table, task, last.attempt + 1) });
    }
  }
  if (nowMs - run.startedAtMs > opts.runTimeoutMs) {
    return [{ type: 'fail-run', code: 'RUN_TIMEOUT', message: `run ${run.runId} did not finish within ${Math.round(opts.runTimeoutMs / 60_000)} minutes` }];
  }
  for (const table of run.tables.values()) {
    const delta = deltaTaskOf(table);
    if (delta?.status === 'expired' && !table.fallbackRequested) {
      actions.push({ type: 'fallback-full', table: table.table, reason: delta.failures.at(-1)?.message ?? 'delta token expired' });
    }
  }
  let allCommitted = true;
  for (const table of run.tables.values()) {
    if (table.completedAtMs === null) allCommitted = false;
    else if (!table.watermarkCommitted) {
      // Invariant 2: a table's watermark (and its new delta link) moves only when every window (and every split
      // child) and its delta task are complete, i.e. the extractor reported each after Kafka acknowledged its records.
      const delta = linkTaskOf(table);
      const deltaLink = delta?.status === 'completed' ? delta.deltaLink : null;
      const deltaClean = deltaLink !== null && linkClean(delta!.maxModifiedOnMs ?? null, table.deltaLink, run.runStartMs, opts.overlapMs);
      actions.push({ type: 'commit-watermark', table: table.table, watermarkMs: run.runStartMs, deltaLink, deltaClean });
      allCommitted = false;
    }
  }
  if (allCommitted) actions.push({ type: 'complete-run' });
  return actions;
}
