/**
 * How many rows: the three ways Dataverse tells, as request paths and readers of their answers (pure; reference A4,
 * A5). All three are capped or approximate, and say so:
 *  - a count probe `<set>?$select=<pk>&$filter=…&$top=1&$count=true`: `@odata.count` of the filter, capped at 5,000
 *    with `@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded` (one row of the primary id comes with it);
 *  - the changes since a delta link, `<set>/$count?$deltatoken=…` (text, capped like `$count`);
 *  - `RetrieveTotalRecordCount(EntityNames=[…])`: every table's row count at once, from a snapshot up to 24 h old.
 */
import { SyncError } from '../../shared/errors.ts';

/** Dataverse's cap on `$count` (and on a page). */
export const COUNT_CAP = 5000;

/** The annotation saying the real count exceeds {@link COUNT_CAP}. */
export const LIMIT_EXCEEDED = '@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded';

/** What a count probe learnt. */
export interface CountProbe {
  /** `@odata.count`, at most {@link COUNT_CAP}. */
  count: number;
  /** True when the filter matches more rows than the cap (annotation, or a count at the cap without it). */
  limitExceeded: boolean;
}

/** The annotation to ask for with a count probe, so that a count at the cap is unambiguous. */
export const COUNT_PROBE_ANNOTATIONS = ['Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'];

/** The count probe of `filter` (not URL-encoded) on an entity set: the primary id only, one row, `$count=true`. */
export function countProbePath(entitySetName: string, primaryIdAttribute: string, filter: string): string {
  return `${entitySetName}?$select=${primaryIdAttribute}&$filter=${encodeURIComponent(filter)}&$top=1&$count=true`;
}

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
 * The request counting the changes since a delta link: `<set>/$count?$deltatoken=<token>` (relative to the Web API
 * root); null when the link has no `$deltatoken` or no entity set in its path.
 */
export function deltaCountPath(link: string): string | null {
  let url: URL;
  try {
    url = new URL(link, 'https://x.invalid/api/data/v9.2/');
  } catch {
    return null;
  }
  const token = url.searchParams.get('$deltatoken');
  const set = /\/api\/data\/v\d+\.\d+\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(url.pathname)?.[1];
  if (token === null || set === undefined) return null;
  return `${set}/$count?$deltatoken=${encodeURIComponent(token)}`;
}

/** The number a `/$count` request answered (text `12`, parsed as JSON: a number or its exact text). */
export function readCount(body: unknown, what: string): number {
  const n = typeof body === 'number' ? body : typeof body === 'string' && /^\d+$/.test(body.trim()) ? Number(body) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new SyncError('DATAVERSE_PAYLOAD_INVALID', `${what}: expected a row count, got ${JSON.stringify(body)?.slice(0, 100)}`);
  return n;
}

/** Logical names per RetrieveTotalRecordCount request (keeps the URL near 2,000 characters). */
export const TOTAL_COUNT_BATCH = 100;

/** `RetrieveTotalRecordCount(EntityNames=['a','b'])` for logical names (validated elsewhere: `[a-z0-9_]`). */
export function totalRecordCountPath(logicalNames: readonly string[]): string {
  return `RetrieveTotalRecordCount(EntityNames=[${logicalNames.map((n) => `'${n}'`).join(',')}])`;
}

/** The counts of a RetrieveTotalRecordCount answer, by logical name (names without a usable count are left out). */
export function readTotalRecordCount(body: unknown): Map<string, number> {
  const c = (body as { EntityRecordCountCollection?: { Keys?: unknown; Values?: unknown } } | null)?.EntityRecordCountCollection;
  if (!c || !Array.isArray(c.Keys) || !Array.isArray(c.Values)) throw new SyncError('DATAVERSE_PAYLOAD_INVALID', 'RetrieveTotalRecordCount: no EntityRecordCountCollection with Keys and Values');
  const out = new Map<string, number>();
  c.Keys.forEach((k, i) => {
    const v = c.Values as unknown[];
    const n = typeof v[i] === 'number' ? v[i] : typeof v[i] === 'string' ? Number(v[i]) : NaN;
    if (typeof k === 'string' && Number.isSafeInteger(n) && n >= 0) out.set(k, n);
  });
  return out;
}
