/**
 * The coordinator's periodic tick (COORDINATOR_TICK_MS), on the partitions that have caught up: the duties of the
 * connections they own (schedule, pending runs, loaded runs, connection-duties.ts), the actions of their running
 * runs (retries, timeouts, completion, run-actions.ts), then the commit of each partition's replay point
 * (partition-books.ts). It also reads this deployment's connections again (known-connections.ts).
 */
import type { Logger } from '../shared/log.ts';
import { toSyncError } from '../shared/errors.ts';
import { keyPartition } from '../shared/key-partition.ts';
import type { ConnectionDuties } from './connection-duties.ts';
import type { KnownConnections } from './known-connections.ts';
import type { OwnedPartition, PartitionBooks } from './partition-books.ts';
import type { RunActions } from './run-actions.ts';

/** What the tick needs. */
export interface CoordinatorTickDeps {
  books: PartitionBooks;
  known: KnownConnections;
  duties: ConnectionDuties;
  actions: RunActions;
  log: Logger;
  /** Partitions of sync.coordinator (and sync.commands). */
  partitions: number;
  /** False while the service stops, or until the group has joined again after a crash: the tick then does nothing. */
  active: () => boolean;
}

/** The periodic work of the owned partitions. */
export class CoordinatorTick {
  private readonly d: CoordinatorTickDeps;
  constructor(deps: CoordinatorTickDeps) {
    this.d = deps;
  }

  /** One tick. */
  async run(): Promise<void> {
    const { books, active } = this.d;
    if (!active()) return;
    const live = books.live();
    if (live.size > 0) await this.actOn(live);
    await books.commitReplayPoints(live);
    books.gauges();
  }

  /** The duties of the connections the `live` partitions own and the actions of their running runs. */
  private async actOn(live: ReadonlyMap<number, OwnedPartition>): Promise<void> {
    const { known, duties, actions, log, partitions } = this.d;
    const all = await known.refresh();
    // a connection belongs to the owner of the partition of sync.coordinator its key lands on
    const mine = all.filter((c) => live.has(keyPartition(c.id, partitions)));
    for (const c of mine) await duties.tick(c, live.get(keyPartition(c.id, partitions))!.book);
    for (const o of live.values()) {
      for (const run of o.book.runs.values()) if (run.status === 'running') await actions.act(o.book, run).catch((err) => log.warn({ runId: run.runId, err: toSyncError(err).toJSON() }, 'run action failed'));
    }
    await duties.afterRuns(mine);
  }
}
