/**
 * Delta tasks (pure): a run of a change-tracked table carries one task besides its windows that reads the table's
 * changes through change tracking and tombstones deleted records (services/extractor/delta-extractor.ts). Its id is
 * `<runId>/<table>/delta`, which names no window, so the fold and the retries recognise it by id alone. A table
 * without a delta link whose range is one window read in one go has no delta task: that window reads it through
 * change tracking and reports the link (`takeDeltaLink`, id `<window id>+delta`), one read instead of two.
 */

/** The error code of an expired delta token (Dataverse 0x80044352); the table falls back to a full run. */
export const DELTA_EXPIRED_CODE = 'DATAVERSE_DELTA_EXPIRED';

const SUFFIX = '/delta';

/** The id of the delta task of `table` in run `runId`. */
export function deltaTaskId(runId: string, table: string): string {
  return `${runId}/${table}${SUFFIX}`;
}

/** True for the id of a delta task. */
export function isDeltaTaskId(taskId: string): boolean {
  return taskId.endsWith(SUFFIX);
}

const LINKED = '+delta';

/**
 * The id of the one-go window of a change-tracked table that takes the table's delta link (SyncTask
 * `takeDeltaLink`): the window's root id plus `+delta`, so its retries keep reading through change tracking.
 */
export function linkedWindowTaskId(windowTaskId: string): string {
  return `${windowTaskId}${LINKED}`;
}

/** True for the id of a window that takes its table's delta link. */
export function takesDeltaLink(taskId: string): boolean {
  return taskId.endsWith(LINKED);
}

/** The window id part of a task id (without the `+delta` of a window that takes its table's delta link). */
export function windowPartOf(taskId: string): string {
  return takesDeltaLink(taskId) ? taskId.slice(0, -LINKED.length) : taskId;
}

/** The request id (and so the run id) of the full run a table falls back to when the delta token of `runId` expired. */
export function fallbackRequestId(runId: string, table: string): string {
  return `${runId}-deltafallback-${table}`;
}
