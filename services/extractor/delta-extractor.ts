/**
 * Runs one delta task (a change-tracked table's deletes, services/coordinator/README.md "Deletes"):
 *  - with a link: GETs the stored `@odata.deltaLink` with `Prefer: odata.track-changes` and follows its pages to the
 *    new delta link; every `$deletedEntity` becomes a tombstone on the table topic (key = record id, null value, the
 *    standard record headers, versioned by the new link's token: core/delta-changes.ts). Changed rows are ignored:
 *    the run's `modifiedon` windows carry them with every column. Tombstones are produced once the new link is
 *    known, so a task ends with everything acknowledged by Kafka, or with nothing to report.
 *  - without a link (first run of the table, or a full run whose link expired): pages the initial change-tracking
 *    scan of the primary key and `modifiedon` only, produces nothing, and reports the link it ends with.
 *  - either way, TaskCompleted's `maxModifiedOn` is the latest `modifiedon` of the rows it saw changed (every row
 *    of an initial scan), from which the coordinator tells whether the new link is clean (its table-sizing rules).
 * Delta pages are 5,000 rows (they hold ids and times only).
 *  - an expired token (Dataverse 0x80044352, DATAVERSE_DELTA_EXPIRED): a full run takes a new link at once (the run
 *    and its reconciliation cover the deletes); an incremental fails the task with that code, and the coordinator
 *    falls back to a full run of the table.
 * GET only (Invariant 1). The new link goes to the coordinator in TaskCompleted, which stores it when the table's
 * run is complete (never before its data is durable).
 */
import type { SyncTask } from '../contracts/control-messages.ts';
import { SyncError, isSyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { DataverseClient } from '../dataverse/client/dataverse-client.ts';
import { tombstoneRecord, type TombstoneMessage } from '../contracts/tombstone.ts';
import { changedTimes, deleteHeaders, deletedIds, deltaMaxModifiedOn, initialDeltaPath, parseDeltaToken, type ChangedTimes } from './core/delta-changes.ts';
import { COUNT_CAP } from './core/split-rule.ts';
import { WindowProgress } from './core/window-progress.ts';
import type { ConnectionPool } from './connection-pool.ts';
import type { ExtractorMetrics } from './metrics.ts';
import type { RecordSink } from './record-sink.ts';
import type { DeltaContext, TableContexts } from './table-contexts.ts';
import type { TaskOutcome } from './window-extractor.ts';

/** Delta pages hold the primary key and `modifiedon` only: Dataverse's largest page, so a table of 5,000 rows is one request. */
const DELTA_PAGE_SIZE = COUNT_CAP;

/** How a delta task ended: a completed outcome plus the new delta link. */
export type DeltaOutcome = Extract<TaskOutcome, { kind: 'completed' }> & {
  deltaLink: string;
  /** True when no link was consumed (initial scan), including a full run whose link had expired. */
  initial: boolean;
};

/** Dependencies of {@link DeltaExtractor}. */
export interface DeltaExtractorDeps {
  pool: ConnectionPool;
  contexts: TableContexts;
  /** Produces the tombstones. */
  sink: Pick<RecordSink, 'send'>;
  metrics: ExtractorMetrics;
  log: Logger;
}

/** Extracts delta tasks. */
export class DeltaExtractor {
  private readonly deps: DeltaExtractorDeps;
  constructor(deps: DeltaExtractorDeps) {
    this.deps = deps;
  }

  /** Runs `task` (a task with `delta` set) to its outcome; rejects with the classified error. */
  async run(task: SyncTask, signal: AbortSignal): Promise<DeltaOutcome> {
    const { client } = await this.deps.pool.get(task.connection);
    const ctx = await this.deps.contexts.deltaContext(task, client, signal);
    const link = task.delta?.link ?? null;
    if (link !== null) {
      try {
        return await this.consume(task, client, ctx, link, signal);
      } catch (err) {
        if (!isSyncError(err, 'DATAVERSE_DELTA_EXPIRED') || task.kind !== 'full') throw err;
        this.deps.log.warn({ runId: task.runId, taskId: task.taskId, table: task.table }, 'delta token expired during a full run: taking a new delta link (the full run reconciles deletes)');
      }
    }
    return this.initial(task, client, ctx, signal);
  }

  private async initial(task: SyncTask, client: DataverseClient, ctx: DeltaContext, signal: AbortSignal): Promise<DeltaOutcome> {
    let pages = 0;
    let deltaLink: string | undefined;
    const times: ChangedTimes = { maxMs: null, unknown: 0 };
    for await (const page of client.pages(initialDeltaPath(ctx.table.entitySetName, ctx.table.primaryIdAttribute), { maxPageSize: DELTA_PAGE_SIZE, trackChanges: true, signal })) {
      pages++;
      this.deps.metrics.pages.inc({ table: task.table });
      changedTimes(page.rows, times);
      deltaLink = page.deltaLink ?? deltaLink;
    }
    const link = requireLink(deltaLink, task);
    return { ...this.completed(ctx, new WindowProgress(), pages, link, deltaMaxModifiedOn(times, link, task.runStart.getTime())), initial: true };
  }

  private async consume(task: SyncTask, client: DataverseClient, ctx: DeltaContext, link: string, signal: AbortSignal): Promise<DeltaOutcome> {
    const deleted = new Set<string>();
    let unusable = 0;
    let pages = 0;
    let deltaLink: string | undefined;
    const times: ChangedTimes = { maxMs: null, unknown: 0 };
    for await (const page of client.pages(link, { maxPageSize: DELTA_PAGE_SIZE, trackChanges: true, signal })) {
      pages++;
      this.deps.metrics.pages.inc({ table: task.table });
      changedTimes(page.rows, times);
      const found = deletedIds(page.rows, ctx.table.primaryIdAttribute);
      for (const id of found.ids) deleted.add(id);
      unusable += found.unusable;
      deltaLink = page.deltaLink ?? deltaLink;
    }
    const next = requireLink(deltaLink, task);
    if (unusable > 0) this.deps.log.warn({ taskId: task.taskId, table: task.table, unusable }, 'deleted entries without a usable record id were skipped');
    const progress = new WindowProgress();
    if (deleted.size > 0) {
      const token = parseDeltaToken(next);
      if (!token) {
        // without the token's version a tombstone could lose to a replayed older upsert: let a full run reconcile
        throw new SyncError('DATAVERSE_DELTA_EXPIRED', `the delta link of ${task.table} has a token this version cannot read; the table needs a full run`, { details: { table: task.table } });
      }
      const headers = deleteHeaders(task, token);
      await this.produce(ctx, [...deleted].map((id) => tombstoneRecord(id, headers)), progress);
      this.deps.log.info({ runId: task.runId, taskId: task.taskId, table: task.table, deletes: deleted.size }, 'deletes captured through the delta link');
    }
    return { ...this.completed(ctx, progress, pages, next, deltaMaxModifiedOn(times, next, task.runStart.getTime())), initial: false };
  }

  /** Produces tombstones (acks from all in-sync replicas), recording the end offsets. */
  private produce(ctx: DeltaContext, messages: readonly TombstoneMessage[], progress: WindowProgress): Promise<void> {
    return this.deps.sink.send(ctx.topic, ctx.partitions, messages, progress);
  }

  private completed(ctx: DeltaContext, progress: WindowProgress, pages: number, deltaLink: string, maxModifiedOnMs: number | null): Omit<DeltaOutcome, 'initial'> {
    const maxModifiedOn = maxModifiedOnMs === null ? null : new Date(maxModifiedOnMs);
    return { kind: 'completed', topic: ctx.topic, count: progress.count, deadLettered: 0, pages, maxModifiedOn, offsets: progress.offsets(), deltaLink };
  }
}

function requireLink(link: string | undefined, task: SyncTask): string {
  if (link === undefined) {
    throw new SyncError('DATAVERSE_PAYLOAD_INVALID', `change tracking of ${task.table} ended without @odata.deltaLink (is change tracking enabled for the table?)`, { details: { table: task.table } });
  }
  return link;
}
