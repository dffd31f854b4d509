/**
 * How often a run's projection (the `runs` document the CLI and the status page read) is written (pure). A run of
 * hundreds of tables gets an event for every task, and the document holds every table's progress: written after
 * each event, the writes grow with the square of the tables. So while a run runs its projection is written at most
 * once per interval (the events in between are folded in memory and written with the next one); a change of status
 * (started, completed, failed) is written at once.
 */

/** The last write of a run's projection. */
export interface ProjectionWrite {
  atMs: number;
  status: string;
}

/** Most often a running run's projection is written. */
export const PROJECTION_INTERVAL_MS = 1_000;

/** True when the projection of a run in `status` is to be written at `nowMs`, after `last` (undefined: never written). */
export function projectionDue(last: ProjectionWrite | undefined, status: string, nowMs: number, intervalMs = PROJECTION_INTERVAL_MS): boolean {
  return last === undefined || status !== 'running' || last.status !== status || nowMs - last.atMs >= intervalMs;
}
