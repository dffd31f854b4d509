/**
 * The request headers of every Dataverse Web API call (reference A4): JSON, OData 4.0, the bearer token and the
 * `Prefer` preferences. Pure: the same inputs always give the same headers, so every page of a scan (first page
 * and each `@odata.nextLink`) is requested with identical preferences.
 */
import { SyncError } from '../../shared/errors.ts';

/** The largest page Dataverse honours (`Prefer: odata.maxpagesize`); larger values are silently capped by it. */
export const MAX_PAGE_SIZE = 5000;

/** OData preferences of a request; re-sent unchanged on every page of a scan. */
export interface ODataPreferences {
  /** `odata.maxpagesize`, 1..5000. Omitted: the server default (5000). */
  maxPageSize?: number;
  /**
   * `odata.include-annotations`: `'*'`, one annotation name, or a list (prefix wildcards like
   * `Microsoft.Dynamics.CRM.*` allowed). Omitted or empty: no annotations.
   */
  annotations?: string | readonly string[];
  /** `odata.track-changes`: ask for a delta link (change-tracking tables only). */
  trackChanges?: boolean;
}

const ANNOTATION = /^(\*|[A-Za-z0-9_.]+(\.\*|\*)?)$/;

/**
 * The `Prefer` header value for `prefs`, or undefined when nothing is preferred. Throws CONFIG_INVALID for a page
 * size outside 1..5000 or an annotation name that would break the header syntax.
 */
export function buildPreferHeader(prefs: ODataPreferences = {}): string | undefined {
  const parts: string[] = [];
  if (prefs.trackChanges) parts.push('odata.track-changes');
  if (prefs.maxPageSize !== undefined) {
    const n = prefs.maxPageSize;
    if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
      throw new SyncError('CONFIG_INVALID', `odata.maxpagesize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${n}`);
    }
    parts.push(`odata.maxpagesize=${n}`);
  }
  const list = typeof prefs.annotations === 'string' ? [prefs.annotations] : [...(prefs.annotations ?? [])];
  if (list.length > 0) {
    for (const a of list) {
      if (!ANNOTATION.test(a)) throw new SyncError('CONFIG_INVALID', `invalid OData annotation name: ${JSON.stringify(a)}`);
    }
    parts.push(`odata.include-annotations="${list.join(',')}"`);
  }
  return parts.length > 0 ? parts.join(',') : undefined;
}

/**
 * Every header of a Dataverse GET: `Accept: application/json`, `OData-MaxVersion`/`OData-Version: 4.0`,
 * `Authorization: Bearer <token>` and `Prefer` when `prefs` ask for anything. Header names are lower-case.
 */
export function buildODataHeaders(token: string, prefs: ODataPreferences = {}): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'odata-maxversion': '4.0',
    'odata-version': '4.0',
    authorization: `Bearer ${token}`,
  };
  const prefer = buildPreferHeader(prefs);
  if (prefer !== undefined) headers.prefer = prefer;
  return headers;
}
