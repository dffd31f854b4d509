/**
 * What the owner of a connection does besides folding events: it turns due schedule slots into pending run requests
 * (other requests are recorded by run-requests.ts), starts the next pending run when its tables are free (one run per
 * connection and table), and after a run completes watches the loader's committed offsets to mark it loaded, then
 * reconciles deletes of a loaded FULL run.
 */
import type { TableReconcile } from './reconciler.ts';
import type { Admin } from 'kafkajs';
import type { Clock } from '../shared/clock.ts';
import { toSyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { Connection } from '../dataverse/connections/connection.ts';
import { isLoaded, type CommittedOffsets } from './core/loaded.ts';
import { addRequest, takeStartable } from './core/pending.ts';
import { scheduleRequestId } from './core/request-id.ts';
import type { RunBook } from './core/run-state.ts';
import { dueTriggers } from './core/schedule.ts';
import type { DataverseAccess } from './dataverse-access.ts';
import type { CoordinatorMetrics } from './metrics.ts';
import type { RunActions } from './run-actions.ts';
import type { ConnectionRequests, StateStore } from './state-store.ts';
import type { RunDoc } from '../contracts/run-document.ts';

/** Dependencies and settings. */
export interface ConnectionDutiesDeps {
  admin: Admin;
  store: StateStore;
  dataverse: DataverseAccess;
  actions: RunActions;
  metrics: CoordinatorMetrics;
  log: Logger;
  clock: Clock;
  loaderGroupId: string;
  scheduleEnabled: boolean;
  /** Reconciles the tables of a loaded full run; returns tombstones per table. Undefined: reconciliation off. */
  reconcile?: (connection: Connection, run: { runId: string; runStartMs: number }, tables: readonly string[]) => Promise<Record<string, TableReconcile>>;
}

/** The duties of connection owners. */
export class ConnectionDuties {
  private readonly d: ConnectionDutiesDeps;
  /** Per connection: no new start attempt before this time (after a failed start). */
  private readonly backoff = new Map<string, { untilMs: number; failures: number }>();
  constructor(deps: ConnectionDutiesDeps) {
    this.d = deps;
  }

  /** Starts the next pending run of `connection` if its tables are free. */
  async dispatchOne(connectionId: string, book: RunBook): Promise<void> {
    await this.dispatch(await this.d.dataverse.connection(connectionId), book);
  }

  /** Starts the next pending run of `connection` (its requests `known` when just read) if its tables are free. */
  private async dispatch(connection: Connection, book: RunBook, known?: ConnectionRequests): Promise<void> {
    const now = this.d.clock.nowMs();
    const wait = this.backoff.get(connection.id);
    if (wait && wait.untilMs > now) return;
    const st = known ?? (await this.d.store.requestsOf(connection.id));
    const busy = new Set<string>();
    for (const run of book.runs.values()) if (run.connection === connection.id && run.status === 'running') for (const t of run.tables.keys()) busy.add(t);
    const { start, pending } = takeStartable(st.pending, busy);
    if (!start) return;
    if (!book.runs.has(start.requestId) && !(await this.d.store.runExists(start.requestId))) {
      try {
        await this.d.actions.startRun(book, connection, start);
        this.backoff.delete(connection.id);
      } catch (err) {
        const failures = (wait?.failures ?? 0) + 1;
        const delay = Math.min(300_000, 5_000 * 2 ** (failures - 1));
        this.backoff.set(connection.id, { untilMs: now + delay, failures });
        this.d.log.warn({ connection: connection.id, runId: start.requestId, retryInMs: delay, err: toSyncError(err).toJSON() }, 'could not start run; it stays pending');
        return;
      }
    }
    await this.d.store.saveRequests(connection.id, { ...st, pending }, this.d.clock.nowMs());
  }

  /** Schedule evaluation and dispatch for one owned connection. */
  async tick(connection: Connection, book: RunBook): Promise<void> {
    try {
      // one read of the connection's requests per tick, for the schedule and the dispatch
      let st = await this.d.store.requestsOf(connection.id);
      if (this.d.scheduleEnabled) {
        const { due, lastFired } = dueTriggers(connection.schedule, st.lastFired, this.d.clock.nowMs());
        if (JSON.stringify(lastFired) !== JSON.stringify(st.lastFired)) {
          let pending = st.pending;
          const recent = [...st.recent];
          for (const { kind, fireMs } of due) {
            const requestId = scheduleRequestId(connection.id, kind, fireMs);
            if (recent.includes(requestId)) continue;
            pending = addRequest(pending, { requestId, kind, tables: 'all', requestedBy: `schedule:${kind}`, requestedAtMs: fireMs });
            recent.push(requestId);
            this.d.log.info({ connection: connection.id, kind, fireAt: new Date(fireMs).toISOString() }, 'scheduled run due');
          }
          st = { pending, lastFired, recent };
          await this.d.store.saveRequests(connection.id, st, this.d.clock.nowMs());
        }
      }
      await this.dispatch(connection, book, st);
    } catch (err) {
      this.d.log.warn({ connection: connection.id, err: toSyncError(err).toJSON() }, 'connection tick failed');
    }
  }

  /** Marks completed runs loaded once the loader passed their offsets, then reconciles loaded full runs. */
  async afterRuns(connections: readonly Connection[]): Promise<void> {
    const byId = new Map(connections.map((c) => [c.id, c]));
    for (const doc of await this.d.store.runsAwaitingLoad([...byId.keys()])) {
      try {
        if (doc.status === 'completed') await this.checkLoaded(doc);
        if (doc.status === 'loaded' && doc.reconcile === 'pending' && !this.d.reconcile) await this.d.store.markReconciled(doc._id, null, this.d.clock.nowMs());
        else if (doc.status === 'loaded' && doc.reconcile === 'pending' && this.d.reconcile) {
          const run = { runId: doc._id, runStartMs: doc.runStart.getTime() };
          const results = await this.d.reconcile(byId.get(doc.connection)!, run, Object.keys(doc.tables));
          await this.d.store.markReconciled(doc._id, results, this.d.clock.nowMs());
        }
      } catch (err) {
        this.d.log.warn({ runId: doc._id, err: toSyncError(err).toJSON() }, 'loaded check or reconciliation failed; retried on the next tick');
      }
    }
  }

  private async checkLoaded(doc: RunDoc): Promise<void> {
    const topics = [...new Set(doc.produced.map((p) => p.topic))];
    const committed = new Map<string, Map<number, number>>();
    if (topics.length > 0) {
      for (const t of await this.d.admin.fetchOffsets({ groupId: this.d.loaderGroupId, topics })) {
        committed.set(t.topic, new Map(t.partitions.map((p) => [p.partition, Number(p.offset)])));
      }
    }
    if (!isLoaded(doc.produced, committed as CommittedOffsets)) return;
    await this.d.store.markLoaded(doc._id, this.d.clock.nowMs());
    doc.status = 'loaded';
    this.d.metrics.runsFinished.inc({ kind: doc.kind, status: 'loaded' });
    this.d.log.info({ runId: doc._id, connection: doc.connection }, 'run loaded into MongoDB');
  }
}
