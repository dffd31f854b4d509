/**
 * The splitting rule: before paging a window that spans at least two seconds, the extractor asks Dataverse for
 * a count (`$count=true&$top=1`, capped at 5,000 with `@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded`).
 * An empty window completes at once; a window with more rows than the configured maximum is split by time into
 * halves (published back to sync.tasks); anything else is paged. A one-second window is never probed: it cannot
 * be split, so it is paged to the end whatever its size (import bursts). Pure.
 */

/** Dataverse's cap on `$count` (and on a page). */
export const COUNT_CAP = 5000;

/** The annotation saying the real count exceeds {@link COUNT_CAP}. */
export const LIMIT_EXCEEDED = '@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded';

/** What a count probe learnt. */
export interface CountProbe {
  /** `@odata.count`, at most {@link COUNT_CAP}. */
  count: number;
  /** True when the window holds more rows than the cap (annotation, or a count at the cap without it). */
  limitExceeded: boolean;
}

/** What to do with a window. */
export type WindowPlan = { action: 'empty' } | { action: 'extract' } | { action: 'split'; reason: string };

/**
 * Reads a probe page: `@odata.count` and the limit-exceeded annotation. A missing count is treated as "too many"
 * only through the annotation; a count at the cap without the annotation is treated as exceeded (conservative).
 */
export function readCountProbe(page: { count: number | undefined; annotations: Record<string, unknown>; rows: readonly unknown[] }): CountProbe {
  const annotated = page.annotations[LIMIT_EXCEEDED];
  const count = page.count ?? page.rows.length;
  const limitExceeded = annotated === true || annotated === 'true' || (annotated === undefined && count >= COUNT_CAP);
  return { count, limitExceeded };
}

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
