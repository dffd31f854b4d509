/**
 * Entity set queries: `GET /{set}` with `$select/$filter/$orderby/$top/$count`, `Prefer: odata.maxpagesize`
 * (cap 5,000) and annotations, `@odata.nextLink` carrying a paging cookie honoured on the next call, `/{set}/$count`,
 * and `/{set}(id)`. Change tracking (initial `odata.track-changes` and `$deltatoken` calls) lives in delta-routes.ts.
 */
import { exactAsDouble } from '../core/exact-number.ts';
import { lessOffset } from '../core/filter-eval.ts';
import { filterProps } from '../core/filter-parser.ts';
import { cookieGuid, decodePagingCookie, encodePagingCookie } from '../core/paging-cookie.ts';
import { annotationMatcher, type Preferences } from '../core/prefer.ts';
import { parseQueryOptions, QueryOptionError, type QueryOptions } from '../core/query-options.ts';
import type { ColumnDef, Value } from '../core/schema.ts';
import { applyRowFault, rowFaultsFor, type RowFault } from '../core/row-fault.ts';
import { isoSeconds } from '../core/value-codec.ts';
import type { Catalog } from '../store/catalog.ts';
import { countMatches, resumeKeyOf, runPage, type OrderItem, type ResumeKey } from '../store/query-executor.ts';
import type { TableStore } from '../store/table-store.ts';
import { ReplyError, type Reply } from './reply.ts';
import { rowWriter, type RowWriter } from './row-writer.ts';

/** Inputs of a data API request. */
export interface DataRequest {
  readonly catalog: Catalog;
  /** `{org}/api/data/v9.2`. */
  readonly base: string;
  readonly params: URLSearchParams;
  readonly prefer: Preferences;
  readonly nowMs: number;
  /** Injected malformed rows (fault `rowFaults`); absent or empty: rows are served as they are. */
  readonly rowFaults?: readonly RowFault[];
}

/** `write`, with the injected row faults of `store` applied to the rows they select. */
function faulty(r: DataRequest, store: TableStore, write: RowWriter): RowWriter {
  const faults = rowFaultsFor(r.rowFaults, store.model.def.logicalName, store.model.def.entitySetName);
  if (faults.size === 0) return write;
  return (index, generated) => {
    const fault = faults.get(store.model.guid(index));
    const row = write(index, generated);
    return fault ? applyRowFault(row, fault) : row;
  };
}

/** Dataverse's page size cap and count cap. */
export const MAX_PAGE = 5_000;

function unknownProperty(store: TableStore, name: string): ReplyError {
  return new ReplyError(400, '0x0', `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${store.model.def.logicalName}'.`);
}

/** The columns to output: `$select` (plus the key, plus the currency for money), or every data column. */
export function selectedColumns(store: TableStore, q: QueryOptions): ColumnDef[] {
  const pk = store.property(store.model.def.primaryId);
  if (!q.select) return store.dataColumns();
  const cols = q.select.map((s) => store.property(s) ?? (() => { throw unknownProperty(store, s); })());
  const currency = store.property('_transactioncurrencyid_value');
  if (currency && cols.some((c) => c.kind === 'Money') && !cols.includes(currency)) cols.push(currency);
  if (pk && !cols.includes(pk)) cols.push(pk);
  return cols;
}

/** Validates the properties a filter and order read; returns the order items. */
export function validateQuery(store: TableStore, q: QueryOptions): OrderItem[] {
  if (q.filter) for (const p of filterProps(q.filter)) if (!store.property(p)) throw unknownProperty(store, p);
  return q.orderby.map((o) => ({ col: store.property(o.prop) ?? (() => { throw unknownProperty(store, o.prop); })(), desc: o.desc }));
}

/** Paging cookie text for a value. */
export function cookieValue(col: ColumnDef, v: Value): string {
  if (v === null) return '';
  if (col.kind === 'DateTime' && typeof v === 'number') return isoSeconds(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (col.kind === 'Uniqueidentifier' || col.kind === 'Lookup' || col.kind === 'Customer' || col.kind === 'Owner') return cookieGuid(String(v));
  return String(v);
}

function fromCookieValue(col: ColumnDef, text: string): Value {
  if (text === '') return null;
  switch (col.kind) {
    case 'DateTime':
      return col.behavior === 'DateOnly' ? text : Date.parse(text);
    case 'BigInt': {
      const n = Number(text);
      return exactAsDouble(text, n) ? n : text;
    }
    case 'Integer':
    case 'Double':
    case 'Picklist':
    case 'State':
    case 'Status':
      return Number(text);
    case 'Boolean':
      return text === '1';
    case 'Uniqueidentifier':
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      return text.replace(/^\{|\}$/g, '').toLowerCase();
    default:
      return text;
  }
}

/** Decodes `$skiptoken` into a resume key for `order` (plus the key column). */
export function resumeFromToken(store: TableStore, order: readonly OrderItem[], token: string): { key: ResumeKey; page: number; extra: Record<string, string> } {
  const cookie = decodePagingCookie(token);
  const pk = store.model.def.primaryId;
  const bad = () => new ReplyError(400, '0x80040203', 'Invalid $skiptoken: the paging cookie does not match this query.');
  if (!cookie || cookie.keys.length !== order.length + 1) throw bad();
  const last = cookie.keys[cookie.keys.length - 1];
  if (!last || last.attr !== pk) throw bad();
  const index = store.model.indexOf(last.last.replace(/^\{|\}$/g, ''));
  if (index === undefined) throw bad();
  const values = order.map((o, k) => {
    if (cookie.keys[k]?.attr !== o.col.logicalName) throw bad();
    return fromCookieValue(o.col, cookie.keys[k]?.last ?? '');
  });
  return { key: { values, index }, page: cookie.pageNumber, extra: { ...cookie.extra } };
}

/** The skiptoken for the page after one ending at `lastIndex`. */
export function nextToken(store: TableStore, order: readonly OrderItem[], firstIndex: number, lastIndex: number, page: number, tracking: boolean, extra: Record<string, string>): string {
  const first = resumeKeyOf(store, order, firstIndex);
  const last = resumeKeyOf(store, order, lastIndex);
  const keys = order.map((o, k) => ({ attr: o.col.logicalName, last: cookieValue(o.col, last.values[k] ?? null), first: cookieValue(o.col, first.values[k] ?? null) }));
  keys.push({ attr: store.model.def.primaryId, last: cookieGuid(store.model.guid(lastIndex)), first: cookieGuid(store.model.guid(firstIndex)) });
  return encodePagingCookie({ pageNumber: page + 1, keys, tracking, extra });
}

/** Re-encodes the request's query options (minus `$skiptoken`) for a nextLink. */
export function linkQuery(params: URLSearchParams, drop: readonly string[] = ['$skiptoken']): string {
  return [...params]
    .filter(([k]) => !drop.includes(k))
    .map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%24/g, '$')}`)
    .join('&');
}

/** The `Preference-Applied` header for the honoured preferences. */
export function preferenceApplied(prefer: Preferences, extra: string[] = []): Record<string, string> {
  const parts = [...extra];
  if (prefer.maxPageSize) parts.push(`odata.maxpagesize=${Math.min(prefer.maxPageSize, MAX_PAGE)}`);
  if (prefer.includeAnnotations !== undefined) parts.push(`odata.include-annotations="${prefer.includeAnnotations}"`);
  return parts.length ? { 'Preference-Applied': parts.join(',') } : {};
}

/** Rows per body chunk of a page: about 200 KB on the widest table, so a page never sits in memory whole. */
const ROWS_PER_CHUNK = 100;

/**
 * The rows as comma-separated JSON objects, in chunks of `ROWS_PER_CHUNK` rows rendered as the socket drains.
 * The page shows every row as it was when the request ran (as if rendered up front): rows with an overlay entry
 * (created or mutated through the control API) are rendered at once; the others are pure functions of their index,
 * rendered later from their generated values even if a mutation lands while the page is being sent.
 */
export function rowChunks(store: TableStore, indices: readonly number[], write: RowWriter): Iterable<string> {
  const mutated = new Map<number, string>();
  for (const i of indices) if (store.entry(i) !== undefined) mutated.set(i, write(i));
  return (function* () {
    for (let k = 0; k < indices.length; k += ROWS_PER_CHUNK) {
      const end = Math.min(k + ROWS_PER_CHUNK, indices.length);
      let part = '';
      for (let j = k; j < end; j++) {
        const i = indices[j]!;
        part += (j > 0 ? ',' : '') + (mutated.get(i) ?? write(i, true));
      }
      yield part;
    }
  })();
}

/** The query options of a request, with version-number literals in the simulator's internal space. */
function queryOptions(r: DataRequest): QueryOptions {
  const q = parseQueryOptions(r.params);
  return q.filter && r.catalog.versionOffset !== 0n ? { ...q, filter: lessOffset(q.filter, 'versionnumber', r.catalog.versionOffset) } : q;
}

/** Serves `GET /{set}`. */
export function queryCollection(r: DataRequest, store: TableStore): Reply {
  const q = queryOptions(r);
  if (q.expand.length > 0) throw new QueryOptionError('$expand on entity sets is not supported by the simulator.');
  const cols = selectedColumns(store, q);
  const order = validateQuery(store, q);
  const pageSize = Math.min(r.prefer.maxPageSize ?? MAX_PAGE, MAX_PAGE);
  const limit = r.prefer.maxPageSize === undefined && q.top !== undefined ? Math.min(q.top, MAX_PAGE) : pageSize;
  const resume = q.skiptoken ? resumeFromToken(store, order, q.skiptoken) : undefined;
  const page = runPage(store, { filter: q.filter ?? null, orderby: order, limit, ...(resume ? { after: resume.key } : {}) });
  const matcher = annotationMatcher(r.prefer.includeAnnotations);
  const write = faulty(r, store, rowWriter(r.catalog, store, cols, matcher));
  const set = store.model.def.entitySetName;
  let head = `{"@odata.context":${JSON.stringify(`${r.base}/$metadata#${set}${q.select ? `(${q.select.join(',')})` : ''}`)}`;
  if (matcher('Microsoft.Dynamics.CRM.totalrecordcount') || q.count) {
    const n = q.count ? countMatches(store, q.filter ?? null, MAX_PAGE) : -1;
    if (matcher('Microsoft.Dynamics.CRM.totalrecordcount')) head += `,"@Microsoft.Dynamics.CRM.totalrecordcount":${Math.min(n, MAX_PAGE)}`;
    if (matcher('Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded')) head += `,"@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded":${n > MAX_PAGE}`;
    if (matcher('Microsoft.Dynamics.CRM.globalmetadataversion')) head += `,"@Microsoft.Dynamics.CRM.globalmetadataversion":"${r.catalog.metadataVersion}"`;
    if (q.count) head += `,"@odata.count":${Math.min(n, MAX_PAGE)}`;
  }
  let tail = ']';
  const first = page.indices[0];
  const last = page.indices.at(-1);
  if (page.more && limit === pageSize && first !== undefined && last !== undefined) {
    const token = nextToken(store, order, first, last, resume?.page ?? 1, false, {});
    const qs = linkQuery(r.params);
    tail += `,"@odata.nextLink":${JSON.stringify(`${r.base}/${set}?${qs ? qs + '&' : ''}$skiptoken=${encodeURIComponent(token)}`)}`;
  }
  const rows = rowChunks(store, page.indices, write);
  const chunks = (function* () {
    yield head + ',"value":[';
    yield* rows;
    yield tail + '}';
  })();
  return { status: 200, headers: { 'Content-Type': 'application/json; odata.metadata=minimal', ...preferenceApplied(r.prefer) }, chunks, rows: page.indices.length };
}

/** Serves `GET /{set}/$count` (text/plain, capped at 5,000 like the Web API). */
export function countCollection(r: DataRequest, store: TableStore): Reply {
  const q = queryOptions(r);
  validateQuery(store, q);
  const n = Math.min(countMatches(store, q.filter ?? null, MAX_PAGE), MAX_PAGE);
  return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, chunks: [String(n)] };
}

/** Serves `GET /{set}(id)`. */
export function retrieveOne(r: DataRequest, store: TableStore, id: string): Reply {
  const q = parseQueryOptions(r.params);
  const cols = selectedColumns(store, q);
  const index = store.liveIndexOf(id);
  if (index === undefined) throw new ReplyError(404, '0x80040217', `${store.model.def.logicalName} With Id = ${id.toLowerCase()} Does Not Exist`);
  const body = rowWriter(r.catalog, store, cols, annotationMatcher(r.prefer.includeAnnotations))(index);
  const ctx = JSON.stringify(`${r.base}/$metadata#${store.model.def.entitySetName}${q.select ? `(${q.select.join(',')})` : ''}/$entity`);
  return { status: 200, headers: { 'Content-Type': 'application/json; odata.metadata=minimal', ...preferenceApplied(r.prefer) }, chunks: [`{"@odata.context":${ctx},${body.slice(1)}`] };
}
