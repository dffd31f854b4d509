/**
 * The splitting rule: before paging a window that spans at least two seconds, the extractor asks Dataverse for
 * a count (`$count=true&$top=1`, capped at 5,000 with `@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded`).
 * An empty window completes at once; a window with more rows than the configured maximum is split by time into
 * halves (published back to sync.tasks); anything else is paged. A one-second window is never probed: it cannot
 * be split, so it is paged to the end whatever its size (import bursts). Nor is a window the coordinator planned to
 * be read in one go (`expectedRows`: it counted or estimated at most 5,000 rows): it is paged at once, in pages large
 * enough to hold what it expects, so a small table costs one request. Pure.
 */

import { COUNT_CAP, type CountProbe } from '../../dataverse/query/row-counts.ts';

export { COUNT_CAP, LIMIT_EXCEEDED, readCountProbe, type CountProbe } from '../../dataverse/query/row-counts.ts';

/** What to do with a window. */
export type WindowPlan = { action: 'empty' } | { action: 'extract' } | { action: 'split'; reason: string };

/**
 * The plan for a window. `probe` is null when none was taken (the window is not splittable). `maxRows` is the
 * configured largest window (1..5000): more rows than that, or an exceeded cap, splits a splittable window.
 */
export function planWindow(probe: CountProbe | null, splittable: boolean, maxRows: number): WindowPlan {
  if (!probe || !splittable) return { action: 'extract' };
  if (probe.count === 0 && !probe.limitExceeded) return { action: 'empty' };
  if (probe.limitExceeded) return { action: 'split', reason: `more than ${COUNT_CAP} rows (count limit exceeded)` };
  if (probe.count > maxRows) return { action: 'split', reason: `${probe.count} rows > ${maxRows}` };
  return { action: 'extract' };
}

/** True when a task's window is to be read in one go, without a probe (the coordinator set `expectedRows`). */
export function readsInOneGo(expectedRows: number | null | undefined): boolean {
  return expectedRows !== null && expectedRows !== undefined && expectedRows >= 0;
}

/**
 * The page size of a window read in one go: large enough for the rows expected (plus a margin for rows added since
 * they were counted), at least the configured page size, at most Dataverse's 5,000.
 */
export function oneGoPageSize(expectedRows: number, pageSize: number): number {
  return Math.min(COUNT_CAP, Math.max(pageSize, Math.ceil(expectedRows * 1.1) + 10));
}
