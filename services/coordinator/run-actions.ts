/**
 * Side effects of runs: starting a planned run (RunStarted and its tasks in one Kafka transaction, so a crash
 * never leaves a run without tasks or tasks without a run) and carrying out the decisions of core/run-decisions
 * (retries, watermark and delta-link commits, delta fallbacks, RunCompleted, RunFailed). Our own events are folded
 * at once and folded again, harmlessly, when read back from sync.coordinator.
 */
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import type { HealingProducer, MessageSender } from '../shared/healing-producer.ts';
import type { Clock } from '../shared/clock.ts';
import type { CoordinatorEvent, EventBody } from '../contracts/control-messages.ts';
import type { ControlCodec } from '../shared/control-codec.ts';
import type { Logger } from '../shared/log.ts';
import type { Connection } from '../dataverse/connections/connection.ts';
import { fallbackRequestId } from './core/delta-task.ts';
import { decide, type DecisionOptions } from './core/run-decisions.ts';
import type { RunRequest } from './core/pending.ts';
import { planRun, type PlanOptions } from './core/run-plan.ts';
import { knownRows } from './core/table-sizing.ts';
import { claimsRecords, producedProblems } from './core/produced-check.ts';
import { foldEvent, type RunBook, type RunState, type TableRunState } from './core/run-state.ts';
import { producedOffsets, tableResults, windowCounts } from './core/run-views.ts';
import { projectionDue, type ProjectionWrite } from './core/projection-pace.ts';
import type { DataverseAccess } from './dataverse-access.ts';
import { planInputs, type PlannerOptions } from './run-planner.ts';
import type { CoordinatorMetrics } from './metrics.ts';
import type { StateStore } from './state-store.ts';
import { tableTopic, COORDINATOR_TOPIC, TASKS_TOPIC } from '../contracts/topic-names.ts';
import { type ProducedOffset } from '../contracts/run-document.ts';
import type { RunRequests } from './run-requests.ts';

/** Dependencies of the run actions. */
export interface RunActionsDeps {
  producer: MessageSender;
  /** A transactional producer (run starts only). */
  txProducer: HealingProducer;
  codec: ControlCodec;
  store: StateStore;
  dataverse: DataverseAccess;
  metrics: CoordinatorMetrics;
  log: Logger;
  clock: Clock;
  /** Planning settings, and how old a delta link may get before a run refreshes it (run-planner.ts). */
  plan: PlanOptions & Pick<PlannerOptions, 'deltaRefreshMs'>;
  decisions: DecisionOptions;
  /** Capture deletes of change-tracked tables with delta links (a delta task per table and run). Default true. */
  deltaDeletes?: boolean;
  /** Records a run request as pending (the fallback full run of a table whose delta token expired). */
  requests?: Pick<RunRequests, 'request'>;
  /**
   * The end offset of each partition of a table topic (null: no such topic), to check what completed tasks claim
   * before a watermark moves (core/produced-check.ts). Without it the check is skipped (unit tests).
   */
  topicEnds?: (topic: string) => Promise<ReadonlyMap<number, number> | null>;
  /**
   * Declares the table topics of a run before its tasks are published, for all its tables at once: creates the missing
   * ones with partitions for the rows each is expected to hold (shared/topics.ts `tablePartitions`), waits for their
   * leaders, and reports existing ones weaker than configured (once per process). The extractor then uses them as they
   * are; without it (unit tests) the extractor declares each topic itself.
   */
  createTopics?: (topics: readonly NewTableTopic[]) => Promise<void>;
}

/** A table topic a run needs, and the rows its table is known to hold (null: unknown). */
export interface NewTableTopic {
  topic: string;
  rows: number | null;
}

/** The end offset (high watermark) of each partition of `topic`, for {@link RunActionsDeps.topicEnds}. */
export async function topicEndOffsets(admin: Admin, topic: string): Promise<ReadonlyMap<number, number> | null> {
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  } catch (err) {
    if ((err as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return null;
    throw err;
  }
}

/** Starts runs and carries out run decisions. */
export class RunActions {
  private readonly d: RunActionsDeps;
  /** When each running run's projection was last written, and the runs folded since (core/projection-pace.ts). */
  private readonly written = new Map<string, ProjectionWrite>();
  private readonly dirty = new Set<string>();
  constructor(deps: RunActionsDeps) {
    this.d = deps;
  }

  /**
   * Writes the projection of `run` (the runs collection) when it is due: at once when its status changed, else at
   * most once per interval while it runs; a skipped write is made by a later call (act() on the next tick).
   */
  async saveProjection(run: RunState, extra: { produced?: ProducedOffset[] } = {}): Promise<void> {
    const nowMs = this.d.clock.nowMs();
    if (!projectionDue(this.written.get(run.runId), run.status, nowMs) && extra.produced === undefined) {
      this.dirty.add(run.runId);
      return;
    }
    await this.d.store.saveRun(run, nowMs, extra);
    this.dirty.delete(run.runId);
    if (run.status === 'running') this.written.set(run.runId, { atMs: nowMs, status: run.status });
    else this.written.delete(run.runId);
  }

  /** What `table`'s completed tasks claim and Kafka does not hold (empty when the check is off or all is there). */
  private async unproduced(run: RunState, table: TableRunState): Promise<string[]> {
    if (!this.d.topicEnds || !claimsRecords(table)) return [];
    const topic = tableTopic(run.connection, table.table);
    return producedProblems(table, topic, await this.d.topicEnds(topic));
  }

  private event(connection: string, runId: string, event: EventBody): CoordinatorEvent {
    return { eventId: randomUUID(), connection, runId, at: new Date(this.d.clock.nowMs()), event };
  }

  /** Publishes one of our events (acks from all replicas) and folds it into `book`. */
  async publish(book: RunBook, connection: string, runId: string, body: EventBody): Promise<void> {
    const e = this.event(connection, runId, body);
    await this.d.producer.send({ topic: COORDINATOR_TOPIC, acks: -1, messages: [{ key: connection, value: await this.d.codec.encodeEvent(e) }] });
    foldEvent(book, e);
  }

  /**
   * Plans and starts the run of `request` for `connection`; returns null when no table is left to sync (the
   * request is then dropped with a warning).
   */
  async startRun(book: RunBook, connection: Connection, request: RunRequest): Promise<RunState | null> {
    const { dataverse, store, log } = this.d;
    const summaries = await dataverse.tables(connection);
    const available = summaries.map((t) => t.logicalName);
    const tracked = new Set(summaries.filter((t) => t.changeTrackingEnabled && this.d.deltaDeletes !== false).map((t) => t.logicalName));
    const selected = connection.tables === 'all' ? available : connection.tables.filter((t) => available.includes(t));
    const wanted = request.tables === 'all' ? selected : selected.filter((t) => request.tables.includes(t));
    const missing = (request.tables === 'all' ? [] : request.tables).filter((t) => !wanted.includes(t));
    if (missing.length > 0) log.warn({ connection: connection.id, runId: request.requestId, missing }, 'requested tables are not selected for this connection or do not exist; skipped');
    if (wanted.length === 0) {
      log.warn({ connection: connection.id, runId: request.requestId }, 'run request has no table to sync; dropped');
      return null;
    }
    const serverTimeMs = await dataverse.serverTimeMs(connection);
    // what is known of each table's rows: sizes the plan (run-planner.ts, core/table-sizing.ts)
    const tables = await planInputs({ store, dataverse, log, opts: this.d.plan }, {
      runId: request.requestId, kind: request.kind, connection, serverTimeMs, tracked, tables: summaries.filter((t) => wanted.includes(t.logicalName)),
    });
    const plan = planRun({ runId: request.requestId, connection: connection.id, kind: request.kind, requestedBy: request.requestedBy, serverTimeMs, tables }, this.d.plan);
    const planned = new Set(plan.tasks.map((t) => t.table));
    await this.d.createTopics?.(tables.filter((t) => planned.has(t.table)).map((t) => ({ topic: tableTopic(connection.id, t.table), rows: knownRows(t.size) })));
    const started = this.event(connection.id, request.requestId, { type: 'RunStarted', kind: request.kind, runStart: new Date(plan.runStartMs), requestedBy: request.requestedBy, tables: plan.tables });
    const taskMessages = await Promise.all(plan.tasks.map(async (t) => ({ key: t.taskId, value: await this.d.codec.encodeTask(t) })));
    const startedValue = await this.d.codec.encodeEvent(started);
    await this.d.txProducer.transaction(async (tx) => {
      await tx.send({ topic: COORDINATOR_TOPIC, acks: -1, messages: [{ key: connection.id, value: startedValue }] });
      for (let i = 0; i < taskMessages.length; i += 1000) await tx.send({ topic: TASKS_TOPIC, acks: -1, messages: taskMessages.slice(i, i + 1000) });
    });
    foldEvent(book, started);
    const run = book.runs.get(request.requestId)!;
    this.d.metrics.runsStarted.inc({ kind: request.kind });
    this.d.metrics.tasksPublished.inc({ reason: 'plan' }, plan.tasks.length);
    log.info({ connection: connection.id, runId: run.runId, kind: run.kind, runStart: new Date(plan.runStartMs).toISOString(), tables: wanted.length, tasks: plan.tasks.length, requestedBy: request.requestedBy }, 'run started');
    await this.saveProjection(run);
    return run;
  }

  /** Carries out what the run needs now (until nothing is left to do); saves its projection when it changed. */
  async act(book: RunBook, run: RunState): Promise<void> {
    const { store, log, metrics } = this.d;
    for (let round = 0; round < 4 && run.status === 'running'; round++) {
      const actions = decide(run, this.d.decisions, this.d.clock.nowMs());
      if (actions.length === 0) {
        if (this.dirty.has(run.runId)) await this.saveProjection(run);
        return;
      }
      for (const a of actions) {
        if (a.type === 'retry-task') {
          await this.d.producer.send({ topic: TASKS_TOPIC, acks: -1, messages: [{ key: a.task.taskId, value: await this.d.codec.encodeTask(a.task) }] });
          run.tables.get(a.task.table)!.tasks.get(a.task.taskId)!.retriedAttempt = a.task.attempt;
          metrics.tasksPublished.inc({ reason: 'retry' });
          log.warn({ runId: run.runId, table: a.task.table, taskId: a.task.taskId, attempt: a.task.attempt }, 'task failed; re-published');
        } else if (a.type === 'commit-watermark') {
          const table = run.tables.get(a.table)!;
          // Invariant 2 against forged events: the records the completed tasks report must be in the table's topic
          const unproduced = await this.unproduced(run, table);
          if (unproduced.length > 0) {
            const more = unproduced.length > 3 ? ` (and ${unproduced.length - 3} more)` : '';
            const message = `table ${a.table}: ${unproduced.slice(0, 3).join('; ')}${more}. A task event does not match what Kafka holds (forged on sync.coordinator, or the topic was recreated): the watermark stays`;
            await this.publish(book, run.connection, run.runId, { type: 'RunFailed', code: 'TASK_EVENT_INVALID', message });
            metrics.runsFinished.inc({ kind: run.kind, status: 'failed' });
            log.error({ runId: run.runId, connection: run.connection, table: a.table, code: 'TASK_EVENT_INVALID' }, `run failed: ${message}`);
            break;
          }
          if (a.deltaLink !== null) await store.commitDeltaLink(run.connection, a.table, a.deltaLink, run.runId, run.runStartMs, this.d.clock.nowMs(), a.deltaClean);
          const r = await store.commitWatermark(run.connection, a.table, a.watermarkMs, run.runId, this.d.clock.nowMs());
          table.watermarkCommitted = true;
          metrics.watermarks.inc({ moved: String(r.moved) });
          await store.saveWindowStats(run.connection, a.table, run.kind, run.runId, windowCounts(table), this.d.clock.nowMs());
          log.info({ runId: run.runId, table: a.table, watermark: new Date(r.watermarkMs).toISOString(), moved: r.moved }, 'table complete; watermark committed');
        } else if (a.type === 'fallback-full') {
          const requestId = fallbackRequestId(run.runId, a.table);
          if (this.d.requests) {
            await this.d.requests.request(run.connection, { requestId, kind: 'full', tables: [a.table], requestedBy: `delta-expired:${run.runId}`, requestedAtMs: this.d.clock.nowMs() });
            await store.markDeltaFallback(run.runId, a.table, requestId, this.d.clock.nowMs());
          }
          run.tables.get(a.table)!.fallbackRequested = true;
          log.warn({ runId: run.runId, connection: run.connection, table: a.table, fallbackRunId: requestId, reason: a.reason }, 'delta token expired: the table falls back to a full run (its windows of this run still count)');
        } else if (a.type === 'complete-run') {
          const marks = await store.watermarksOf(run.connection, [...run.tables.keys()]);
          await this.publish(book, run.connection, run.runId, { type: 'RunCompleted', tables: tableResults(run, (t) => marks.get(t) ?? run.runStartMs) });
          metrics.runsFinished.inc({ kind: run.kind, status: 'completed' });
          log.info({ runId: run.runId, connection: run.connection, durationMs: (run.finishedAtMs ?? 0) - run.startedAtMs }, 'run completed');
        } else {
          await this.publish(book, run.connection, run.runId, { type: 'RunFailed', code: a.code, message: a.message });
          metrics.runsFinished.inc({ kind: run.kind, status: 'failed' });
          log.error({ runId: run.runId, connection: run.connection, code: a.code }, `run failed: ${a.message}`);
        }
      }
      await this.saveProjection(run, book.runs.get(run.runId)?.status === 'completed' ? { produced: producedOffsets(run) } : {});
    }
  }
}
