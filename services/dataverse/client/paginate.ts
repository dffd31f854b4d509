/**
 * OData paging (reference A4): follow `@odata.nextLink` verbatim until it is absent, one page at a time. Pure
 * control flow over an injected `fetchPage`, so it is unit-tested without a network; the client passes a fetch
 * that re-sends the same Prefer headers on every page.
 */
import { SyncError } from '../../shared/errors.ts';

/** One row of a Dataverse collection, with values as the exact-number JSON parser produced them. */
export type DataverseRow = Record<string, unknown>;

/** One page of a collection. */
export interface DataversePage {
  /** The page's rows (`value`), in server order. */
  rows: DataverseRow[];
  /** 0 for the first page. */
  index: number;
  /** The URL of the next page, exactly as the server sent it; undefined on the last page. */
  nextLink: string | undefined;
  /** `@odata.deltaLink` (change tracking), normally on the last page only. */
  deltaLink: string | undefined;
  /** `@odata.count` when `$count=true` was asked (capped at 5000 by Dataverse). */
  count: number | undefined;
  /** Every other top-level `@…` annotation of the body (e.g. `@Microsoft.Dynamics.CRM.totalrecordcount`). */
  annotations: Record<string, unknown>;
}

/**
 * The rows of a page, each parsed only when asked for (a collection body cut by `splitCollection`). `at(i)` throws
 * DATAVERSE_UNAVAILABLE (a transport fault, like any invalid body) when row `i` is not JSON.
 */
export interface LazyRows {
  readonly length: number;
  at(i: number): unknown;
}

/** A page whose rows are parsed one at a time ({@link LazyRows}). */
export interface LazyPage extends Omit<DataversePage, 'rows'> {
  rows: LazyRows;
}

/** Fetches and parses one page body; the client's implementation retries, throttles and classifies errors. */
export type FetchPage = (url: string) => Promise<unknown>;

/**
 * Yields the page at `firstUrl`, then each `@odata.nextLink` page, passing the link to `fetchPage` unchanged. The
 * next page is requested only when the consumer asks for it, so at most one page is in memory. A body that is not
 * a collection, or a nextLink that points at the page just read, is DATAVERSE_PAYLOAD_INVALID (it would loop).
 */
export function paginate(firstUrl: string, fetchPage: FetchPage): AsyncGenerator<DataversePage, void, undefined> {
  return paginateWith(firstUrl, async (url, index) => toPage(await fetchPage(url), index, url));
}

/** {@link paginate} over pages read by `fetchPage` (which checks the body and makes the page, e.g. a {@link LazyPage}). */
export async function* paginateWith<P extends { nextLink: string | undefined }>(firstUrl: string, fetchPage: (url: string, index: number) => Promise<P>): AsyncGenerator<P, void, undefined> {
  let url: string | undefined = firstUrl;
  const seen = new Set<string>();
  for (let index = 0; url !== undefined; index++) {
    seen.add(url);
    const page = await fetchPage(url, index);
    if (page.nextLink !== undefined && seen.has(page.nextLink)) {
      throw new SyncError('DATAVERSE_PAYLOAD_INVALID', `Dataverse returned a nextLink that repeats an earlier page of ${pathOf(url)}`, {
        details: { path: pathOf(url), page: index },
      });
    }
    url = page.nextLink;
    yield page;
  }
}

/**
 * Reads a collection body. `{}` (the documented "empty" delta response) is a page with no rows; a body with a
 * non-array `value` or non-string links is DATAVERSE_PAYLOAD_INVALID.
 */
export function toPage(body: unknown, index: number, url: string): DataversePage {
  return toPageWith(body, index, url, (value) => {
    if (!Array.isArray(value)) throw invalid(url, index, '"value" is not an array');
    return value as DataverseRow[];
  });
}

/**
 * The lazy page of a body cut into `envelope` (the body with `value` emptied, see `splitCollection`) and `rows`. A
 * `value` in the envelope that is not the emptied array (a body whose `value` is not an array, or holds a second
 * `value`) is DATAVERSE_PAYLOAD_INVALID.
 */
export function toLazyPage(envelope: unknown, rows: LazyRows, index: number, url: string): LazyPage {
  return toPageWith(envelope, index, url, (value) => {
    if (!Array.isArray(value) || value.length > 0) throw invalid(url, index, '"value" is not an array');
    return rows;
  });
}

function toPageWith<R>(body: unknown, index: number, url: string, rowsOf: (value: unknown) => R): Omit<DataversePage, 'rows'> & { rows: R | [] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid(url, index, 'the body is not a JSON object');
  const annotations: Record<string, unknown> = {};
  let rows: R | [] = [];
  let nextLink: string | undefined;
  let deltaLink: string | undefined;
  let count: number | undefined;
  for (const [key, value] of Object.entries(body)) {
    if (key === 'value') {
      rows = rowsOf(value);
    } else if (key === '@odata.nextLink' || key === '@odata.deltaLink') {
      if (typeof value !== 'string') throw invalid(url, index, `${key} is not a string`);
      if (key === '@odata.nextLink') nextLink = value;
      else deltaLink = value;
    } else if (key === '@odata.count') {
      count = Number(value);
    } else if (key.startsWith('@')) {
      annotations[key] = value;
    }
  }
  return { rows, index, nextLink, deltaLink, count, annotations };
}

function invalid(url: string, index: number, why: string): SyncError {
  return new SyncError('DATAVERSE_PAYLOAD_INVALID', `unexpected collection body from Dataverse for ${pathOf(url)}: ${why}`, {
    details: { path: pathOf(url), page: index },
  });
}

/** The path of a URL (no origin, no query), for messages. */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
