/**
 * Runs one task to its end and records that end. While a window runs, a timer heartbeats (every third of the session
 * timeout) so a long window keeps the group membership. Delta tasks (`task.delta` set, change-tracked tables) go to
 * `runDelta` (delta-extractor.ts); their TaskCompleted carries the new delta link, and an expired token is reported
 * as TaskFailed DATAVERSE_DELTA_EXPIRED like any error.
 *
 * After a task: completed → TaskCompleted; split → TaskSplit, then the children on sync.tasks (task-events.ts);
 * error → TaskFailed with the classified code and retriable flag (the coordinator decides on retries); then the
 * task's offset is committed (task-commits.ts). A task whose end could not be published is not committed.
 *
 * A task whose connection is not in this deployment's state DB (CONNECTION_NOT_FOUND and `knowsConnection` says
 * so) is committed and skipped like a task of a connection outside EXTRACTOR_CONNECTIONS, not failed: another
 * deployment (or test) sharing the Kafka cluster owns it, as the coordinator ignores events of unknown connections.
 *
 * On stop, the windows still running are aborted and left without commit (redelivered).
 */
import type { SyncTask } from '../contracts/control-messages.ts';
import type { Clock } from '../shared/clock.ts';
import { keepBeating } from '../shared/consumer-blocks.ts';
import { isSyncError, toSyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { DeltaOutcome } from './delta-extractor.ts';
import type { ExtractorMetrics } from './metrics.ts';
import type { TaskCommits, TaskPosition } from './task-commits.ts';
import { isDelta, type AnyOutcome, type TaskEvents } from './task-events.ts';
import type { TaskOutcome } from './window-extractor.ts';

/** What running tasks needs. */
export interface TaskRunnerDeps {
  run: (task: SyncTask, signal: AbortSignal) => Promise<TaskOutcome>;
  /** Runs a delta task (delta-extractor.ts). */
  runDelta: (task: SyncTask, signal: AbortSignal) => Promise<DeltaOutcome>;
  /** False when connection `id` is not stored in this deployment's state DB (its tasks are then skipped). */
  knowsConnection?: (id: string) => Promise<boolean>;
  events: TaskEvents;
  commits: Pick<TaskCommits, 'commit'>;
  metrics: ExtractorMetrics;
  log: Logger;
  clock: Clock;
  sessionTimeoutMs: number;
}

/** Runs tasks. */
export interface TaskRunner {
  /** Runs one task to its end; false when its end could not be recorded (it must be redelivered). */
  run(task: SyncTask, at: TaskPosition, heartbeat: () => Promise<void>): Promise<boolean>;
  /** Aborts every running task (it ends abandoned, uncommitted). */
  abortAll(): void;
}

/** One task while it runs. */
interface RunningTask {
  task: SyncTask;
  at: TaskPosition;
  signal: AbortSignal;
  log: Logger;
  started: number;
}

/** A {@link TaskRunner}. */
export function taskRunner(deps: TaskRunnerDeps): TaskRunner {
  const inFlight = new Set<AbortController>();
  return {
    run: (task, at, heartbeat) => runTask(deps, inFlight, task, at, heartbeat),
    abortAll() {
      for (const c of inFlight) c.abort(new Error('extractor stopping'));
    },
  };
}

async function runTask(deps: TaskRunnerDeps, inFlight: Set<AbortController>, task: SyncTask, at: TaskPosition, heartbeat: () => Promise<void>): Promise<boolean> {
  const { metrics, clock } = deps;
  const log = deps.log.child({ runId: task.runId, taskId: task.taskId, connection: task.connection, table: task.table });
  const controller = new AbortController();
  inFlight.add(controller);
  metrics.inFlight.inc();
  const stopBeating = keepBeating(heartbeat, Math.floor(deps.sessionTimeoutMs / 3));
  const started = clock.nowMs();
  let label = 'failed';
  try {
    label = await runAndRecord(deps, { task, at, signal: controller.signal, log, started });
    return true;
  } catch (err) {
    // its event or the split's children could not be published (or the connection lookup failed): no commit
    // (Invariant 3), the task runs again
    label = 'failed';
    log.warn({ err: toSyncError(err).toJSON() }, 'could not record the end of a task; it will be redelivered');
    return false;
  } finally {
    stopBeating();
    inFlight.delete(controller);
    metrics.inFlight.dec();
    metrics.tasks.inc({ outcome: label });
    metrics.windowSeconds.observe({ outcome: label }, (clock.nowMs() - started) / 1000);
  }
}

/** Runs the task, publishes its end and commits it; resolves with the outcome's label, rejects when its end was not recorded. */
async function runAndRecord(deps: TaskRunnerDeps, r: RunningTask): Promise<string> {
  const { task, signal } = r;
  let outcome: AnyOutcome | undefined;
  try {
    outcome = task.delta ? await deps.runDelta(task, signal) : await deps.run(task, signal);
  } catch (err) {
    return recordError(deps, r, err);
  }
  const durationMs = deps.clock.nowMs() - r.started;
  await deps.events.report(task, outcome, durationMs);
  logOutcome(r, outcome, durationMs);
  await deps.commits.commit(r.at);
  return outcome.kind;
}

/** A task that threw: abandoned on shutdown, skipped (connection unknown here), or failed (TaskFailed). */
async function recordError(deps: TaskRunnerDeps, r: RunningTask, err: unknown): Promise<string> {
  const { task, log } = r;
  if (r.signal.aborted) {
    log.info({ from: task.from, to: task.to }, 'window abandoned on shutdown; it will be redelivered');
    return 'abandoned'; // not committed: the next owner of the partition gets it
  }
  const e = toSyncError(err);
  if (isSyncError(e, 'CONNECTION_NOT_FOUND') && deps.knowsConnection && !(await deps.knowsConnection(task.connection))) {
    log.info('task of a connection this deployment does not have: skipped');
    await deps.commits.commit(r.at);
    return 'skipped';
  }
  log.warn({ err: e.toJSON(), attempt: task.attempt }, `window failed: ${e.message}`);
  await deps.events.publish(task, { type: 'TaskFailed', taskId: task.taskId, table: task.table, attempt: task.attempt, code: e.code, retriable: e.retriable, message: e.message.slice(0, 2000) });
  await deps.commits.commit(r.at);
  return 'failed';
}

function logOutcome({ task, log }: RunningTask, outcome: AnyOutcome, durationMs: number): void {
  if (outcome.kind === 'completed') {
    if (isDelta(outcome)) log.info({ deletes: outcome.count, pages: outcome.pages, initial: outcome.initial, durationMs }, 'delta task completed');
    else log.info({ count: outcome.count, deadLettered: outcome.deadLettered, pages: outcome.pages, durationMs, depth: task.depth }, 'window completed');
  } else {
    log.info({ from: task.from, to: task.to, depth: task.depth, reason: outcome.reason }, 'window split');
  }
}
