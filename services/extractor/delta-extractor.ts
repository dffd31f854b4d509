/**
 * Runs one delta task (a change-tracked table's deletes, services/coordinator/README.md "Deletes"):
 *  - with a link: GETs the stored `@odata.deltaLink` with `Prefer: odata.track-changes` and follows its pages to the
 *    new delta link; every `$deletedEntity` becomes a tombstone on the table topic (key = record id, null value, the
 *    standard record headers, versioned by the new link's token: core/delta-changes.ts). Changed rows are ignored:
 *    the run's `modifiedon` windows carry them with every column. Tombstones are produced once the new link is
 *    known, so a task ends with everything acknowledged by Kafka, or with nothing to report.
 *  - without a link (first run of the table, or a full run whose link expired): pages the initial change-tracking
 *    scan of the primary key only, produces nothing, and reports the link it ends with.
 *  - an expired token (Dataverse 0x80044352, DATAVERSE_DELTA_EXPIRED): a full run takes a new link at once (the run
 *    and its reconciliation cover the deletes); an incremental fails the task with that code, and the coordinator
 *    falls back to a full run of the table.
 * GET only (Invariant 1). The new link goes to the coordinator in TaskCompleted, which stores it when the table's
 * run is complete (never before its data is durable).
 */
import type { SyncTask } from '../shared/control-messages.ts';
import { SyncError, isSyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { DataverseClient } from '../dataverse/client/dataverse-client.ts';
import { tombstoneRecord, type TombstoneMessage } from '../shared/tombstone.ts';
import { deleteHeaders, deletedIds, initialDeltaPath, parseDeltaToken } from './core/delta-changes.ts';
import { WindowProgress } from './core/window-progress.ts';
import type { ConnectionPool } from './connection-pool.ts';
import type { ExtractorMetrics } from './metrics.ts';
import type { RecordSink } from './record-sink.ts';
import type { TableContext, TableContexts } from './table-contexts.ts';
import type { TaskOutcome } from './window-extractor.ts';

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
  /** `odata.maxpagesize`. */
  pageSize: number;
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
    const ctx = await this.deps.contexts.get(task, client, signal);
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

  private async initial(task: SyncTask, client: DataverseClient, ctx: TableContext, signal: AbortSignal): Promise<DeltaOutcome> {
    let pages = 0;
    let deltaLink: string | undefined;
    for await (const page of client.pages(initialDeltaPath(ctx.table.entitySetName, ctx.table.primaryIdAttribute), { maxPageSize: this.deps.pageSize, trackChanges: true, signal })) {
      pages++;
      this.deps.metrics.pages.inc({ table: task.table });
      deltaLink = page.deltaLink ?? deltaLink;
    }
    return { ...this.completed(ctx, new WindowProgress(), pages, requireLink(deltaLink, task)), initial: true };
  }

  private async consume(task: SyncTask, client: DataverseClient, ctx: TableContext, link: string, signal: AbortSignal): Promise<DeltaOutcome> {
    const deleted = new Set<string>();
    let unusable = 0;
    let pages = 0;
    let deltaLink: string | undefined;
    for await (const page of client.pages(link, { maxPageSize: this.deps.pageSize, trackChanges: true, signal })) {
      pages++;
      this.deps.metrics.pages.inc({ table: task.table });
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
    return { ...this.completed(ctx, progress, pages, next), initial: false };
  }

  /** Produces tombstones (acks from all in-sync replicas), recording the end offsets. */
  private produce(ctx: TableContext, messages: readonly TombstoneMessage[], progress: WindowProgress): Promise<void> {
    return this.deps.sink.send(ctx.topic, ctx.partitions, messages, progress);
  }

  private completed(ctx: TableContext, progress: WindowProgress, pages: number, deltaLink: string): Omit<DeltaOutcome, 'initial'> {
    return { kind: 'completed', topic: ctx.topic, count: progress.count, deadLettered: 0, pages, maxModifiedOn: null, offsets: progress.offsets(), deltaLink };
  }
}

function requireLink(link: string | undefined, task: SyncTask): string {
  if (link === undefined) {
    throw new SyncError('DATAVERSE_PAYLOAD_INVALID', `change tracking of ${task.table} ended without @odata.deltaLink (is change tracking enabled for the table?)`, { details: { table: task.table } });
  }
  return link;
}
