/**
 * Where an owned partition of `sync.coordinator` is rebuilt from and which offset its owner commits (pure,
 * Invariant 5): the group's committed offset is kept at the RunStarted of the oldest running run, or at the end of
 * what was folded when none runs, since everything before it belongs to finished runs (partition-books.ts).
 */
import type { RunBook } from './run-state.ts';

/** Where a rebuild starts and what is committed already. */
export interface RebuildStart {
  /** The first offset to fold. */
  start: bigint;
  /** The group's committed offset; null when it has none. */
  committed: bigint | null;
}

/**
 * The start of a partition's rebuild: the group's committed offset (`'-1'` when it has none, as Kafka reports it),
 * else the oldest offset the partition retains (`low`; 0 when unknown).
 */
export function rebuildStart(committed: string, low: string | undefined): RebuildStart {
  return { start: BigInt(committed === '-1' ? (low ?? '0') : committed), committed: committed === '-1' ? null : BigInt(committed) };
}

/** The replay point: the RunStarted of the oldest running run, else the end of what was folded (`nextOffset`). */
export function replayPoint(book: RunBook, nextOffset: bigint): bigint {
  let point = nextOffset;
  for (const r of book.runs.values()) if (r.status === 'running' && r.startOffset !== null && BigInt(r.startOffset) < point) point = BigInt(r.startOffset);
  return point;
}
