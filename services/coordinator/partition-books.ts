/**
 * The partitions of `sync.coordinator` this instance owns, each with the run book folded from it.
 *
 * Rebuild: on every (re)assignment the state of the owned partitions is dropped and rebuilt by folding
 * sync.coordinator from the group's committed offset, which the owner keeps at the RunStarted of its oldest
 * running run (or at the end when none runs): everything before it belongs to finished runs (core/replay-point.ts).
 * Until a partition has caught up with its end, it only folds; then it acts (retries, watermarks, completion), so a
 * coordinator killed mid-run resumes the run without repeating decisions taken on a partial history.
 */
import type { Admin, Consumer } from 'kafkajs';
import type { Clock } from '../shared/clock.ts';
import { toSyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import { COORDINATOR_TOPIC } from '../contracts/topic-names.ts';
import { rebuildStart, replayPoint } from './core/replay-point.ts';
import { emptyBook, type RunBook } from './core/run-state.ts';
import type { CoordinatorMetrics } from './metrics.ts';
import type { RunActions } from './run-actions.ts';
import type { StateStore } from './state-store.ts';

/** One owned partition of sync.coordinator. */
export interface OwnedPartition {
  book: RunBook;
  live: boolean;
  /** Next offset to fold. */
  nextOffset: bigint;
  committed: bigint | null;
}

/** What the books need. */
export interface PartitionBooksDeps {
  admin: Admin;
  /** The group's consumer: commits the replay points. */
  consumer: Pick<Consumer, 'commitOffsets'>;
  store: StateStore;
  actions: RunActions;
  metrics: CoordinatorMetrics;
  log: Logger;
  clock: Clock;
  groupId: string;
}

/** The owned partitions and their books. */
export class PartitionBooks {
  private readonly d: PartitionBooksDeps;
  private readonly owned = new Map<number, OwnedPartition>();
  constructor(deps: PartitionBooksDeps) {
    this.d = deps;
  }

  /** Partition `p`, when owned. */
  get(p: number): OwnedPartition | undefined {
    return this.owned.get(p);
  }

  /** Every owned partition has caught up with its end: the coordinator acts on all of them (it is ready). */
  allLive(): boolean {
    return [...this.owned.values()].every((o) => o.live);
  }

  /** The owned partitions that have caught up with their end (they act). */
  live(): Map<number, OwnedPartition> {
    return new Map([...this.owned].filter(([, o]) => o.live));
  }

  /** Drops the books and starts folding the partitions of `assignment` again (a group join). */
  async rebuild(assignment: Record<string, number[]>): Promise<void> {
    const { admin, groupId } = this.d;
    this.owned.clear(); // kafkajs resumes every assigned partition at its committed offset: rebuild from there
    const mine = assignment[COORDINATOR_TOPIC] ?? [];
    const [committed, ends] = await Promise.all([admin.fetchOffsets({ groupId, topics: [COORDINATOR_TOPIC] }), admin.fetchTopicOffsets(COORDINATOR_TOPIC)]);
    const committedOf = (p: number) => committed[0]?.partitions.find((x) => x.partition === p)?.offset ?? '-1';
    for (const p of mine) {
      const end = ends.find((e) => e.partition === p);
      const { start, committed: c } = rebuildStart(committedOf(p), end?.low);
      this.owned.set(p, { book: emptyBook(), live: false, nextOffset: start, committed: c });
      if (start >= BigInt(end?.high ?? '0')) await this.goLive(p);
    }
    this.d.log.info({ partitions: mine }, 'coordinator owns partitions; rebuilding their state');
    this.gauges();
  }

  /** Partition `p` has caught up: its runs are stored and acted on, and from now on it acts on every event. */
  async goLive(p: number): Promise<void> {
    const { store, actions, log, clock } = this.d;
    const o = this.owned.get(p);
    if (!o || o.live) return;
    o.live = true;
    this.gauges();
    const running = [...o.book.runs.values()].filter((r) => r.status === 'running');
    log.info({ partition: p, runs: o.book.runs.size, running: running.length }, 'partition state rebuilt; acting');
    for (const run of o.book.runs.values()) {
      await store.saveRun(run, clock.nowMs());
      if (run.status === 'running') await actions.act(o.book, run).catch((err) => log.warn({ runId: run.runId, err: toSyncError(err).toJSON() }, 'run action failed; retried on the next tick'));
    }
  }

  /** Commits the replay point of each partition of `live` where it moved. */
  async commitReplayPoints(live: ReadonlyMap<number, OwnedPartition>): Promise<void> {
    for (const [p, o] of live) {
      // the replay point: the RunStarted of the oldest running run, else the end of what was folded
      const point = replayPoint(o.book, o.nextOffset);
      if (point !== o.committed) {
        await this.d.consumer.commitOffsets([{ topic: COORDINATOR_TOPIC, partition: p, offset: point.toString() }]);
        o.committed = point;
      }
    }
  }

  /** Sets the owned-partitions and active-runs gauges. */
  gauges(): void {
    const { metrics } = this.d;
    const live = [...this.owned.values()].filter((o) => o.live).length;
    metrics.ownedPartitions.set({ state: 'live' }, live);
    metrics.ownedPartitions.set({ state: 'replaying' }, this.owned.size - live);
    metrics.activeRuns.set([...this.owned.values()].reduce((n, o) => n + [...o.book.runs.values()].filter((r) => r.status === 'running').length, 0));
  }
}
