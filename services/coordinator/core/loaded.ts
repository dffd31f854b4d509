import { type ProducedOffset } from '../../contracts/run-document.ts';
/**
 * "Loaded" (pure): a run is loaded when the loader group's committed offset of every partition the run produced
 * to is at or past the run's end offset there (committed offset = next offset to read).
 */

/** Committed offsets of the loader group: `topic` → partition → offset (−1 or absent: nothing committed). */
export type CommittedOffsets = ReadonlyMap<string, ReadonlyMap<number, number>>;

/** The partitions not loaded yet (empty = loaded). */
export function notLoaded(produced: readonly ProducedOffset[], committed: CommittedOffsets): ProducedOffset[] {
  return produced.filter((p) => (committed.get(p.topic)?.get(p.partition) ?? -1) < p.offset);
}

/** True when everything the run produced is loaded (a run that produced nothing is loaded). */
export function isLoaded(produced: readonly ProducedOffset[], committed: CommittedOffsets): boolean {
  return notLoaded(produced, committed).length === 0;
}
