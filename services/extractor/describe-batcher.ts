/**
 * Describes the tables of one group (a connection's run) together: the descriptions asked for within one macrotask
 * tick, or while a description of the group is in flight, go into one `describeTables` call (RetrieveMetadataChanges,
 * up to 50 tables per GET) as soon as the group has none in flight; a group collecting `maxTables` goes at once. Each
 * caller gets its own table or its own error (a table missing from the response is `DATAVERSE_NOT_FOUND` for that
 * table alone; a failed call is the error of each of its callers). A caller whose signal aborts is rejected at once
 * and leaves its batch; a batch whose callers have all aborted is aborted. Nothing is cached here.
 */
import type { DataverseClient } from '../dataverse/client/dataverse-client.ts';
import { definitionOf, describeTables } from '../dataverse/discovery/discover.ts';
import type { TableDescription } from '../dataverse/model/metadata-changes.ts';
import type { TableDefinition, TableSummary } from '../dataverse/model/table-definition.ts';

/** What the batcher calls: `describeTables` (discovery/discover.ts) or a stand-in of the same shape. */
export type DescribeTables = (client: DataverseClient, summaries: readonly TableSummary[], signal?: AbortSignal) => Promise<TableDescription[]>;

/** Options of a {@link DescribeBatcher}. */
export interface DescribeBatcherOptions {
  /** Most tables per call (default 50). */
  maxTables?: number;
  /** Runs a function after the current macrotask (default `setImmediate`). */
  defer?: (fn: () => void) => void;
}

interface Waiter {
  client: DataverseClient;
  summary: TableSummary;
  resolve: (table: TableDefinition) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  /** Removes the waiter from the group or its batch when its signal aborts. */
  onAbort?: () => void;
  /** Set while its batch is in flight: called when the waiter leaves it. */
  leaveBatch?: () => void;
}

interface Group {
  pending: Waiter[];
  inFlight: number;
  scheduled: boolean;
}

/** Batches table descriptions per group key. */
export class DescribeBatcher {
  private readonly groups = new Map<string, Group>();
  private readonly describeTables: DescribeTables;
  private readonly maxTables: number;
  private readonly defer: (fn: () => void) => void;

  constructor(describe: DescribeTables = describeTables, options: DescribeBatcherOptions = {}) {
    this.describeTables = describe;
    this.maxTables = options.maxTables ?? 50;
    this.defer = options.defer ?? ((fn) => void setImmediate(fn));
  }

  /** The definition of `summary`, described together with the other tables of group `key` asked for meanwhile. */
  describe(key: string, client: DataverseClient, summary: TableSummary, signal?: AbortSignal): Promise<TableDefinition> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<TableDefinition>((resolve, reject) => {
      const group = this.group(key);
      const waiter: Waiter = { client, summary, resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const at = group.pending.indexOf(waiter);
          if (at >= 0) group.pending.splice(at, 1);
          waiter.leaveBatch?.();
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      group.pending.push(waiter);
      if (group.pending.length >= this.maxTables) this.flush(key, group);
      else this.schedule(key, group);
    });
  }

  private group(key: string): Group {
    let group = this.groups.get(key);
    if (!group) {
      group = { pending: [], inFlight: 0, scheduled: false };
      this.groups.set(key, group);
    }
    return group;
  }

  /** Flushes the group after this macrotask, unless a flush is due already or a call of the group is in flight. */
  private schedule(key: string, group: Group): void {
    if (group.scheduled || group.inFlight > 0) return;
    group.scheduled = true;
    this.defer(() => {
      group.scheduled = false;
      this.flush(key, group);
    });
  }

  private flush(key: string, group: Group): void {
    const batch = group.pending.splice(0, this.maxTables);
    if (batch.length === 0) {
      this.forgetIfIdle(key, group);
      return;
    }
    group.inFlight++;
    void this.run(batch).finally(() => {
      group.inFlight--;
      if (group.pending.length > 0) this.schedule(key, group);
      else this.forgetIfIdle(key, group);
    });
  }

  /** One call for `batch`; settles each waiter with its own table or error. */
  private async run(batch: Waiter[]): Promise<void> {
    const controller = new AbortController();
    const live = new Set(batch);
    for (const w of batch) {
      w.leaveBatch = () => {
        live.delete(w);
        if (live.size === 0) controller.abort(w.signal?.reason);
      };
    }
    try {
      const results = await this.describeTables(batch[0]!.client, batch.map((w) => w.summary), controller.signal);
      batch.forEach((w, i) => {
        const description = results[i];
        if (!description) this.settle(w, () => w.reject(new Error(`describeTables gave no description of ${w.summary.logicalName}`)));
        else this.settle(w, () => w.resolve(definitionOf(description)));
      });
    } catch (err) {
      for (const w of batch) this.settle(w, () => w.reject(err));
    }
  }

  /** Runs `settle` for a waiter (a thrown error rejects it) and detaches its abort handling. */
  private settle(w: Waiter, settle: () => void): void {
    if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
    w.leaveBatch = undefined;
    try {
      settle();
    } catch (err) {
      w.reject(err);
    }
  }

  private forgetIfIdle(key: string, group: Group): void {
    if (group.pending.length === 0 && group.inFlight === 0 && !group.scheduled && this.groups.get(key) === group) this.groups.delete(key);
  }
}
