/**
 * The coordinator's state in MongoDB (database DYNSYNC_STATE_DB): `watermarks` (Invariant 2), `runs` (the
 * projection the CLI and status page read), `window_stats` (per-window counts that balance the next run) and
 * `run_requests` (pending requests and schedule bookkeeping per connection), `delta_links` (the change-tracking
 * delta link of each change-tracked table, stored with its table's watermark) and `command_backlog` (per coordinator
 * group, the end of each sync.commands partition when the group first read it: command-start.ts). Writes that must not go backwards
 * are guarded updates: the filter matches only an older document, and an upsert that then collides on `_id`
 * (E11000) means "already newer" and changes nothing.
 */
import type { TableReconcile } from './reconciler.ts';
import { MongoServerError, type Db } from 'mongodb';
import type { SyncKind } from '../contracts/control-messages.ts';
import { classifyStoreError } from '../shared/store-errors.ts';
import { SyncError } from '../shared/errors.ts';
import { retry } from '../shared/retry.ts';
import { NO_PENDING, type Pending, type RunRequest } from './core/pending.ts';
import type { LastFired } from './core/schedule.ts';
import type { RunState } from './core/run-state.ts';
import { tableProgress } from './core/run-views.ts';
import { watermarkId } from '../contracts/ids.ts';
import { deltaLinkReplaceableBy, watermarkReplaceableBy } from './core/watermark.ts';
import { STATE_COLLECTIONS, type ProducedOffset, type RunDoc, type WatermarkDoc } from '../contracts/run-document.ts';
import type { DeltaLinkDoc, RequestsDoc, TableState } from './state-documents.ts';
import type { WindowCount } from './core/windows.ts';

export type { TableState } from './state-documents.ts';

const isDuplicateKey = (err: unknown) => err instanceof MongoServerError && err.code === 11000;

/**
 * Runs `fn` with retries; MongoDB failures are classified like every service's (shared/store-errors.ts):
 * STORE_UNAVAILABLE (retried) or STORE_WRITE_FAILED, the message naming the state-store operation.
 */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  return retry(
    async () => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof SyncError) throw err;
        const e = classifyStoreError(err);
        throw new SyncError(e.code, `state store: ${what} failed: ${e.message}`, { cause: err, details: e.details });
      }
    },
    { retries: 5, minDelayMs: 200, maxDelayMs: 5_000 },
  );
}

/** A connection's pending run requests and schedule bookkeeping (collection `run_requests`). */
export interface ConnectionRequests {
  pending: Pending;
  lastFired: LastFired;
  /** Request ids seen lately (a repeated command or schedule slot is not queued twice). */
  recent: string[];
}

/** The coordinator's state store. */
export class StateStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }
  private get watermarks() {
    return this.db.collection<WatermarkDoc>(STATE_COLLECTIONS.watermarks);
  }
  private get runs() {
    return this.db.collection<RunDoc>(STATE_COLLECTIONS.runs);
  }
  private get stats() {
    return this.db.collection<{ _id: string; runId: string; windows: { from: Date; to: Date; count: number }[]; updatedAt: Date }>('window_stats');
  }
  private get requests() {
    return this.db.collection<RequestsDoc>(STATE_COLLECTIONS.runRequests);
  }
  private get deltaLinks() {
    return this.db.collection<DeltaLinkDoc>(STATE_COLLECTIONS.deltaLinks);
  }

  /** The stored delta link of a change-tracked table, or null. */
  async deltaLink(connection: string, table: string): Promise<string | null> {
    const doc = await call('read delta link', () => this.deltaLinks.findOne({ _id: watermarkId(connection, table) }));
    return doc?.link ?? null;
  }

  /**
   * What planning a run needs of each of `tables`, in three queries: the watermark (with the run that set it), the
   * stored delta link, and the previous runs' window counts of both kinds.
   */
  async tableStates(connection: string, tables: readonly string[]): Promise<Map<string, TableState>> {
    const ids = tables.map((t) => watermarkId(connection, t));
    const statIds = tables.flatMap((t) => [`${connection}/${t}/full`, `${connection}/${t}/incremental`]);
    const [marks, links, stats] = await Promise.all([
      call('read watermarks', () => this.watermarks.find({ _id: { $in: ids } }).toArray()),
      call('read delta links', () => this.deltaLinks.find({ _id: { $in: ids } }).toArray()),
      call('read window stats', () => this.stats.find({ _id: { $in: statIds } }).toArray()),
    ]);
    const byId = <D extends { _id: string }>(docs: D[]) => new Map(docs.map((d) => [d._id, d]));
    const [markOf, linkOf, statOf] = [byId(marks), byId(links), byId(stats)];
    const counts = (id: string): WindowCount[] => (statOf.get(id)?.windows ?? []).map((w) => ({ fromMs: w.from.getTime(), toMs: w.to.getTime(), count: w.count }));
    return new Map(
      tables.map((t) => {
        const mark = markOf.get(watermarkId(connection, t));
        const link = linkOf.get(watermarkId(connection, t));
        return [t, {
          watermark: mark ? { ms: mark.watermark.getTime(), runId: mark.runId } : null,
          link: link ? { link: link.link, runId: link.runId, clean: link.clean === true } : null,
          history: { full: counts(`${connection}/${t}/full`), incremental: counts(`${connection}/${t}/incremental`) },
        }];
      }),
    );
  }

  /**
   * Stores the delta link a completed table run obtained, unless a run with a later T0 already stored one (guarded
   * like the watermark, so a replayed decision never puts an older link back). Idempotent.
   */
  async commitDeltaLink(connection: string, table: string, link: string, runId: string, runStartMs: number, nowMs: number, clean = false): Promise<void> {
    const _id = watermarkId(connection, table);
    const runStart = new Date(runStartMs);
    await call('commit delta link', async () => {
      try {
        // Invariant 2: called only once every window and the delta task of the table are durable in Kafka.
        await this.deltaLinks.updateOne({ _id, ...deltaLinkReplaceableBy(runStart) }, { $set: { link, runId, runStart, clean, updatedAt: new Date(nowMs) } }, { upsert: true });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // a later run's link is stored already
      }
    });
  }

  /** Records on a run that `table` fell back to the full run `fallbackRunId` (its delta token expired). */
  async markDeltaFallback(runId: string, table: string, fallbackRunId: string, nowMs: number): Promise<void> {
    await call('mark delta fallback', () => this.runs.updateOne({ _id: runId }, { $set: { [`deltaFallbacks.${table}`]: fallbackRunId, updatedAt: new Date(nowMs) } }));
  }

  /** The committed watermarks of `tables` (epoch ms), in one query; tables without one are absent. */
  async watermarksOf(connection: string, tables: readonly string[]): Promise<Map<string, number>> {
    const docs = await call('read watermarks', () => this.watermarks.find({ _id: { $in: tables.map((t) => watermarkId(connection, t)) } }).toArray());
    const byId = new Map(docs.map((d) => [d._id, d.watermark.getTime()]));
    return new Map(tables.flatMap((t) => (byId.has(watermarkId(connection, t)) ? [[t, byId.get(watermarkId(connection, t))!] as const] : [])));
  }

  /** The committed watermark of a table (epoch ms), or null. */
  async watermark(connection: string, table: string): Promise<number | null> {
    const doc = await call('read watermark', () => this.watermarks.findOne({ _id: watermarkId(connection, table) }));
    return doc ? doc.watermark.getTime() : null;
  }

  /**
   * Commits `watermarkMs` for a table if it is later than the stored one; returns the stored value afterwards.
   * Idempotent: committing the same value again changes nothing.
   */
  async commitWatermark(connection: string, table: string, watermarkMs: number, runId: string, nowMs: number): Promise<{ watermarkMs: number; moved: boolean }> {
    const _id = watermarkId(connection, table);
    const watermark = new Date(watermarkMs);
    let moved = false;
    await call('commit watermark', async () => {
      try {
        // Invariant 2: guarded update, only a strictly later watermark replaces the stored one (never backwards).
        const r = await this.watermarks.updateOne(
          { _id, ...watermarkReplaceableBy(watermark) },
          { $set: { watermark, runId, updatedAt: new Date(nowMs) } },
          { upsert: true },
        );
        moved = r.modifiedCount + r.upsertedCount > 0;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // the stored watermark is already at or past this one
      }
    });
    return { watermarkMs: (await this.watermark(connection, table)) ?? watermarkMs, moved };
  }

  /** Per-window counts of the last complete run of `kind` for a table. */
  async windowStats(connection: string, table: string, kind: SyncKind): Promise<WindowCount[]> {
    const doc = await call('read window stats', () => this.stats.findOne({ _id: `${connection}/${table}/${kind}` }));
    return (doc?.windows ?? []).map((w) => ({ fromMs: w.from.getTime(), toMs: w.to.getTime(), count: w.count }));
  }

  /** Keeps the per-window counts of a completed table run. */
  async saveWindowStats(connection: string, table: string, kind: SyncKind, runId: string, windows: readonly WindowCount[], nowMs: number): Promise<void> {
    if (windows.length === 0) return;
    const doc = { runId, windows: windows.map((w) => ({ from: new Date(w.fromMs), to: new Date(w.toMs), count: w.count })), updatedAt: new Date(nowMs) };
    await call('save window stats', () => this.stats.replaceOne({ _id: `${connection}/${table}/${kind}` }, doc, { upsert: true }));
  }

  /** Writes the projection of a run (never turning a loaded run back into a completed one). */
  async saveRun(run: RunState, nowMs: number, extra: { produced?: ProducedOffset[] } = {}): Promise<void> {
    const tables: RunDoc['tables'] = {};
    for (const t of run.tables.values()) {
      const p = tableProgress(t);
      tables[t.table] = { windowsDone: p.windowsDone, windowsTotal: p.windowsTotal, records: p.records, from: new Date(p.fromMs), to: new Date(p.toMs), completedAt: p.completedAtMs === null ? null : new Date(p.completedAtMs), delta: p.delta };
    }
    const finished = run.finishedAtMs === null ? null : new Date(run.finishedAtMs);
    const set: Partial<RunDoc> = {
      connection: run.connection,
      kind: run.kind,
      status: run.status,
      requestedBy: run.requestedBy,
      runStart: new Date(run.runStartMs),
      startedAt: new Date(run.startedAtMs),
      completedAt: run.status === 'completed' ? finished : null,
      failedAt: run.status === 'failed' ? finished : null,
      error: run.failure,
      tables,
      updatedAt: new Date(nowMs),
      ...(extra.produced ? { produced: extra.produced } : {}),
    };
    await call('save run', async () => {
      try {
        await this.runs.updateOne(
          { _id: run.runId, status: { $ne: 'loaded' } },
          { $set: set, $setOnInsert: { loadedAt: null, reconcile: run.kind === 'full' ? 'pending' : 'skipped', tombstones: {}, ...(extra.produced ? {} : { produced: [] }) } },
          { upsert: true },
        );
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // already loaded: the projection is final
      }
    });
  }

  /**
   * Records a request that is not carried out (an expired command) as a failed run with `error`, so that
   * `dynsync runs` and the status page show it; a run of that id that exists already is left alone.
   */
  async saveUnstartedRequest(connection: string, r: RunRequest, error: { code: string; message: string }, nowMs: number): Promise<void> {
    const at = new Date(r.requestedAtMs);
    const now = new Date(nowMs);
    const doc: Omit<RunDoc, '_id'> = {
      connection, kind: r.kind, status: 'failed', requestedBy: r.requestedBy, runStart: at, startedAt: at, completedAt: null, failedAt: now, loadedAt: null,
      error, tables: {}, produced: [], reconcile: 'skipped', tombstones: {}, updatedAt: now,
    };
    await call('save unstarted request', () => this.runs.updateOne({ _id: r.requestId }, { $setOnInsert: doc }, { upsert: true }));
  }

  /**
   * Records where the commands that were waiting before `groupId` first read a partition end (a partition is pinned
   * once in a group's life: when it has no committed offset).
   */
  async saveCommandBacklog(groupId: string, pinned: readonly { partition: number; end: string }[], nowMs: number): Promise<void> {
    if (pinned.length === 0) return;
    const ends = Object.fromEntries(pinned.map((p) => [`ends.${p.partition}`, p.end]));
    await call('save command backlog', () => this.db.collection<{ _id: string }>('command_backlog').updateOne({ _id: groupId }, { $set: { ...ends, updatedAt: new Date(nowMs) } }, { upsert: true }));
  }

  /** Per sync.commands partition, the offset below which commands were waiting before `groupId` first read it. */
  async commandBacklog(groupId: string): Promise<Map<number, bigint>> {
    const doc = await call('read command backlog', () => this.db.collection<{ _id: string; ends?: Record<string, string> }>('command_backlog').findOne({ _id: groupId }));
    return new Map(Object.entries(doc?.ends ?? {}).map(([p, end]) => [Number(p), BigInt(end)]));
  }

  /** True when a run with this id exists (a request whose run started is not started again). */
  async runExists(runId: string): Promise<boolean> {
    return (await call('read run', () => this.runs.countDocuments({ _id: runId }, { limit: 1 }))) > 0;
  }

  /** Completed runs of these connections not loaded yet, and loaded full runs not reconciled yet. */
  async runsAwaitingLoad(connections: readonly string[]): Promise<RunDoc[]> {
    if (connections.length === 0) return [];
    return call('list runs', () =>
      this.runs.find({ connection: { $in: [...connections] }, $or: [{ status: 'completed' }, { status: 'loaded', reconcile: 'pending' }] }).limit(100).toArray(),
    );
  }

  /** Marks a run loaded. */
  async markLoaded(runId: string, nowMs: number): Promise<void> {
    await call('mark loaded', () => this.runs.updateOne({ _id: runId, status: 'completed' }, { $set: { status: 'loaded', loadedAt: new Date(nowMs), updatedAt: new Date(nowMs) } }));
  }

  /** Records the end of a full run's delete reconciliation (no results: skipped). */
  async markReconciled(runId: string, results: Record<string, TableReconcile> | null, nowMs: number): Promise<void> {
    const tables = Object.entries(results ?? {});
    const tombstones = Object.fromEntries(tables.map(([t, r]) => [t, r.tombstoned]));
    const reconcileIncomplete = Object.fromEntries(tables.flatMap(([t, r]) => (r.incomplete ? [[t, r.incomplete]] : [])));
    const outcome = results === null ? 'skipped' : Object.keys(reconcileIncomplete).length > 0 ? 'incomplete' : 'done';
    const now = new Date(nowMs);
    await call('mark reconciled', () => this.runs.updateOne({ _id: runId }, { $set: { reconcile: outcome, tombstones, reconcileIncomplete, reconciledAt: now, updatedAt: now } }));
  }

  /** The pending requests and schedule bookkeeping of a connection. */
  async requestsOf(connection: string): Promise<ConnectionRequests> {
    const doc = await call('read requests', () => this.requests.findOne({ _id: connection }));
    return { pending: doc?.pending ?? NO_PENDING, lastFired: doc?.lastFired ?? {}, recent: doc?.recent ?? [] };
  }

  /** Replaces the pending requests and schedule bookkeeping of a connection. */
  async saveRequests(connection: string, state: ConnectionRequests, nowMs: number): Promise<void> {
    const doc = { pending: state.pending, lastFired: state.lastFired, recent: state.recent.slice(-200), updatedAt: new Date(nowMs) };
    await call('save requests', () => this.requests.replaceOne({ _id: connection }, doc, { upsert: true }));
  }
}

