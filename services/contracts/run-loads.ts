/**
 * What the loader did with each run's records, per table: the `run_loads` collection of the state DB, written by the
 * loader (one `$inc` per run and table of each chunk, before the chunk's offsets are committed) and read by
 * `dynsync runs` / `status` and the status page (services/contracts/run-counts.ts). A chunk loaded again after a crash is counted again: the counts are exact for runs without a loader
 * restart, and can only over-count otherwise. Pure.
 */

/** The collection in the state DB. */
export const RUN_LOADS_COLLECTION = 'run_loads';

/**
 * Per record: written (new, newer, or other content), deleted (a tombstone written), unchanged (nothing new), older
 * (a replay, or superseded in its chunk), dead (sync.dlq).
 */
export interface LoadCounts {
  written: number;
  deleted: number;
  unchanged: number;
  older: number;
  dead: number;
}

/** One document: a run's counts for one table. */
export interface RunLoadDoc extends LoadCounts {
  /** `<runId>/<table>` ({@link runLoadId}). */
  _id: string;
  runId: string;
  connection: string;
  table: string;
  updatedAt: Date;
}

/** The id of a run's counts for a table. */
export const runLoadId = (runId: string, table: string): string => `${runId}/${table}`;

/** Zero counts. */
export const noLoads = (): LoadCounts => ({ written: 0, deleted: 0, unchanged: 0, older: 0, dead: 0 });

/** Adds `b` into `a` and returns `a`. */
export function addLoads(a: LoadCounts, b: Partial<LoadCounts>): LoadCounts {
  a.written += b.written ?? 0;
  a.deleted += b.deleted ?? 0;
  a.unchanged += b.unchanged ?? 0;
  a.older += b.older ?? 0;
  a.dead += b.dead ?? 0;
  return a;
}
