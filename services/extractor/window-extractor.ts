/**
 * Runs one window task: opens the connection (shared client), gets the table's run context, probes the window's
 * size (unless the coordinator sized it to be read in one go: `expectedRows`, then pages of up to 5,000 rows), then
 * either completes an empty window, splits a large one (core/split-rule.ts), or pages through it to the end: each row is mapped straight to the Avro wire representation, written in the Confluent wire format by the
 * table context's WireRecordWriter (no registry call per record) and produced (key = record id, the record
 * headers). The next page is requested before the current one is mapped (core/read-ahead.ts), and up to
 * `pagesAhead` pages are being produced while later ones are mapped. A row that cannot be mapped goes to sync.dlq
 * with its raw JSON and the reason, and the window continues (Invariant 6). Resolves only once every record is
 * acknowledged by Kafka; any error rejects (the caller reports TaskFailed); an abort rejects with the signal's
 * reason and leaves nothing to report (the task is redelivered, Invariant 5).
 * A window with `takeDeltaLink` (the whole range of a change-tracked table, sized to be read in one go) is read
 * through change tracking instead of its `$filter`: the same rows and records, plus the delta link the read ends with
 * (narrowed to the key and `modifiedon`), reported in TaskCompleted (a read that ends without one completes without
 * it: the table takes a link later).
 */
import { setImmediate } from 'node:timers/promises';
import type { MessageSender } from '../shared/healing-producer.ts';
import type { SyncTask } from '../contracts/control-messages.ts';
import type { Clock } from '../shared/clock.ts';
import { sendToDlq, type DeadLetter } from '../shared/dlq.ts';
import { isSyncError, type SyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import { toPage, type LazyRows } from '../dataverse/client/paginate.ts';
import type { DataverseClient } from '../dataverse/client/dataverse-client.ts';
import { recordKey } from '../dataverse/mapping/row-mapper.ts';
import { keyPartition } from '../shared/key-partition.ts';
import { taskHeaders, type TaskHeaders } from './core/task-headers.ts';
import { childTasks } from './core/child-tasks.ts';
import { rowVersion } from './core/row-version.ts';
import { readAhead } from './core/read-ahead.ts';
import { oneGoPageSize, planWindow, readCountProbe, readsInOneGo } from './core/split-rule.ts';
import { countProbeQuery, trackedTableQuery, windowQuery, type WindowQuery } from './core/window-query.ts';
import { narrowDeltaLink } from './core/delta-changes.ts';
import { WindowProgress, type PartitionOffset } from './core/window-progress.ts';
import { isEmptyWindow, isSplittable, normaliseWindow, splitWindow, type Window } from './core/window.ts';
import type { ConnectionPool } from './connection-pool.ts';
import type { ExtractorMetrics } from './metrics.ts';
import type { OutgoingRecord, RecordSink } from './record-sink.ts';
import type { TableContext, TableContexts } from './table-contexts.ts';

/** Rows mapped and encoded between two turns of the event loop. */
const YIELD_EVERY_ROWS = 500;

/** How a task ended. */
export type TaskOutcome =
  | { kind: 'completed'; topic: string; count: number; deadLettered: number; pages: number; maxModifiedOn: Date | null; offsets: PartitionOffset[]; deltaLink?: string | null }
  | { kind: 'split'; children: SyncTask[]; reason: string };

/** Dependencies of {@link WindowExtractor}. */
export interface WindowExtractorDeps {
  pool: ConnectionPool;
  contexts: TableContexts;
  sink: RecordSink;
  /** The producer of dead letters. */
  producer: MessageSender;
  metrics: ExtractorMetrics;
  log: Logger;
  clock: Clock;
  /** Largest splittable window, in rows (1..5000). */
  splitRows: number;
  /** `odata.maxpagesize`. */
  pageSize: number;
  /** Pages produced but not yet acknowledged before the next page waits. Default 2. */
  pagesAhead?: number;
}

/** Extracts window tasks. */
export class WindowExtractor {
  private readonly deps: WindowExtractorDeps;
  constructor(deps: WindowExtractorDeps) {
    this.deps = deps;
  }

  /** Runs `task` to its outcome (see the module comment). */
  async run(task: SyncTask, signal: AbortSignal): Promise<TaskOutcome> {
    const { pool, contexts, splitRows } = this.deps;
    const { client } = await pool.get(task.connection);
    const ctx = await contexts.get(task, client, signal);
    const w = normaliseWindow(task.from, task.to);
    if (task.takeDeltaLink === true && ctx.table.changeTrackingEnabled) return this.extractTracked(task, client, ctx, w, signal);
    if (isEmptyWindow(w)) return emptyOutcome(ctx.topic);
    // a window the coordinator sized to be read in one go is not probed (core/split-rule.ts `readsInOneGo`)
    const oneGo = readsInOneGo(task.expectedRows);
    const splittable = isSplittable(w) && !oneGo;
    const probe = splittable ? await this.probe(client, ctx, w, signal) : null;
    const plan = planWindow(probe, splittable, splitRows);
    if (plan.action === 'empty') return emptyOutcome(ctx.topic);
    if (plan.action === 'split') return { kind: 'split', children: childTasks(task, splitWindow(task.from, task.to)!), reason: plan.reason };
    const read = { query: windowQuery(ctx.table, w), pageSize: this.pageSizeOf(task), trackChanges: false };
    return this.extract(task, client, ctx, read, signal);
  }

  /** The window's table read through change tracking, ending with its delta link (see the module comment). */
  private async extractTracked(task: SyncTask, client: DataverseClient, ctx: TableContext, w: Window, signal: AbortSignal): Promise<TaskOutcome> {
    const outcome = await this.extract(task, client, ctx, { query: trackedTableQuery(ctx.table), pageSize: this.pageSizeOf(task), trackChanges: true }, signal);
    if (outcome.kind !== 'completed') return outcome;
    if (!outcome.deltaLink) {
      this.deps.log.warn({ runId: task.runId, taskId: task.taskId, table: task.table, from: w.fromMs, to: w.toMs }, 'the change-tracking read ended without @odata.deltaLink: the table takes its delta link in a later run');
      return outcome;
    }
    // stored as a link of the key and modifiedon, as a delta task's (core/delta-changes.ts narrowDeltaLink)
    return { ...outcome, deltaLink: narrowDeltaLink(outcome.deltaLink, ctx.table.primaryIdAttribute) };
  }

  /** Pages large enough for the rows of a window read in one go (`expectedRows`), else the configured page size. */
  private pageSizeOf(task: SyncTask): number {
    return readsInOneGo(task.expectedRows) ? oneGoPageSize(task.expectedRows!, this.deps.pageSize) : this.deps.pageSize;
  }

  private async probe(client: DataverseClient, ctx: TableContext, w: Window, signal: AbortSignal) {
    const q = countProbeQuery(ctx.table, w);
    return readCountProbe(toPage(await client.getJson(q.path, { annotations: q.annotations, signal }), 0, q.path));
  }

  private async extract(task: SyncTask, client: DataverseClient, ctx: TableContext, read: PageRead, signal: AbortSignal): Promise<TaskOutcome> {
    const { metrics, sink } = this.deps;
    const progress = new WindowProgress();
    const q = read.query;
    const pending: Promise<void>[] = [];
    const ahead = this.deps.pagesAhead ?? 2;
    const headers = taskHeaders({ runId: task.runId, taskId: task.taskId, syncKind: task.kind, runStartMs: task.runStart.getTime() });
    let pages = 0;
    let deltaLink: string | undefined;
    try {
      // the next page is requested before this one is mapped: Dataverse serves it while we work
      for await (const page of readAhead(client.lazyPages(q.path, { maxPageSize: read.pageSize, annotations: ctx.annotations, trackChanges: read.trackChanges, signal }))) {
        pages++;
        deltaLink = page.deltaLink ?? deltaLink;
        metrics.pages.inc({ table: task.table });
        const records = await this.toRecords(task, ctx, page.rows, headers, progress);
        if (records.length > 0) {
          const sent = sink.send(ctx.topic, ctx.partitions, records, progress);
          sent.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
          pending.push(sent);
        }
        while (pending.length > ahead) await pending.shift();
      }
      await Promise.all(pending);
    } catch (err) {
      await Promise.allSettled(pending); // nothing keeps running after the task ends
      throw err;
    }
    metrics.records.inc({ table: task.table }, progress.count);
    return {
      kind: 'completed',
      topic: ctx.topic,
      count: progress.count,
      deadLettered: progress.deadLettered,
      pages,
      maxModifiedOn: progress.maxModifiedOnMs === null ? null : new Date(progress.maxModifiedOnMs),
      offsets: progress.offsets(),
      ...(read.trackChanges ? { deltaLink: deltaLink ?? null } : {}),
    };
  }

  /** Maps and encodes a page; unmappable rows are sent to the DLQ (acknowledged before returning). */
  private async toRecords(task: SyncTask, ctx: TableContext, rows: LazyRows, headers: TaskHeaders, progress: WindowProgress): Promise<OutgoingRecord[]> {
    const records: OutgoingRecord[] = [];
    const dead: { letter: DeadLetter; error: SyncError }[] = [];
    const batch = ctx.writer.batch(); // the page's values share its chunks, freed once the page is produced
    for (let i = 0; i < rows.length; i++) {
      // A page is ~0.5 s of CPU: let sockets be read between slices (the next pages of other windows keep
      // streaming in, produce acks and heartbeats are handled) instead of stalling every exchange behind it.
      if (i > 0 && i % YIELD_EVERY_ROWS === 0) await setImmediate();
      // parsed here, one row at a time: its objects die young (see DataverseClient.lazyPages)
      const row = rows.at(i) as Record<string, unknown>;
      try {
        const version = rowVersion(row, ctx.table.logicalName);
        progress.sawModifiedOn(version.modifiedOnMs);
        const record = ctx.mapper(row); // checks the primary id first, as recordKey does
        const key = record[ctx.keyField] as string;
        records.push({ key, value: batch.write(record), headers: headers(version), partition: keyPartition(key, ctx.partitions) });
      } catch (err) {
        if (!isSyncError(err, 'RECORD_INVALID')) throw err;
        dead.push({ letter: this.letter(task, ctx, row), error: err });
      }
    }
    if (dead.length > 0) {
      await sendToDlq(this.deps.producer, 'extractor', dead, this.deps.clock.nowMs());
      progress.deadLettered += dead.length;
      this.deps.metrics.deadLettered.inc({ table: task.table }, dead.length);
      this.deps.log.warn({ table: task.table, taskId: task.taskId, rows: dead.length, reason: dead[0]!.error.message }, 'rows sent to the DLQ');
    }
    return records;
  }

  private letter(task: SyncTask, ctx: TableContext, row: Record<string, unknown>): DeadLetter {
    let key: Buffer | null = null;
    try {
      key = Buffer.from(recordKey(ctx.table, row));
    } catch {
      key = null;
    }
    return {
      topic: ctx.topic,
      partition: -1,
      offset: '-1',
      key,
      value: Buffer.from(JSON.stringify(row)),
      headers: { 'run-id': task.runId, 'task-id': task.taskId, 'sync-kind': task.kind, 'source-table': task.table },
    };
  }
}

/** How a window's pages are read. */
interface PageRead {
  query: WindowQuery;
  pageSize: number;
  /** Read through change tracking (`Prefer: odata.track-changes`); the outcome then carries the delta link. */
  trackChanges: boolean;
}

function emptyOutcome(topic: string): TaskOutcome {
  return { kind: 'completed', topic, count: 0, deadLettered: 0, pages: 0, maxModifiedOn: null, offsets: [] };
}
