/**
 * Change tracking: the initial `Prefer: odata.track-changes` call pages through every live row and ends with
 * `@odata.deltaLink`; a `$deltatoken` call returns rows changed since the token (latest state, by version) then
 * `$deletedEntity` tombstones. `$filter`/`$orderby`/`$expand`/`$top` are refused; tokens older than the
 * configured retention, or older than a schema change of the table, fail with 0x80044352.
 */
import { decodeDeltaToken, encodeDeltaToken, type DeltaToken } from '../core/delta-token.ts';
import { cookieGuid, decodePagingCookie, encodePagingCookie, pctEncode } from '../core/paging-cookie.ts';
import { annotationMatcher } from '../core/prefer.ts';
import { parseQueryOptions } from '../core/query-options.ts';
import { runPage } from '../store/query-executor.ts';
import type { OverlayEntry, TableStore } from '../store/table-store.ts';
import { MAX_PAGE, linkQuery, nextToken, preferenceApplied, resumeFromToken, rowChunks, selectedColumns, type DataRequest } from './collection-routes.ts';
import { ReplyError, type Reply } from './reply.ts';
import { rowWriter } from './row-writer.ts';

const EXPIRED = 'Version stamp associated with the client has expired. Please perform a full sync.';

function refuseOptions(params: URLSearchParams): void {
  for (const name of ['filter', 'orderby', 'expand', 'top']) {
    if (params.has(`$${name}`)) throw new ReplyError(400, '0x0', `The "$${name}" query parameter isn't supported when Change Tracking is enabled.`);
  }
}

/** Whether a request is a change-tracking request for this table. */
export function isTracking(r: DataRequest, store: TableStore): boolean {
  return store.model.def.changeTracking && (r.params.has('$deltatoken') || r.prefer.trackChanges);
}

function deltaLink(r: DataRequest, store: TableStore, token: DeltaToken): string {
  const select = r.params.get('$select');
  const qs = select !== null ? `$select=${encodeURIComponent(select).replace(/%2C/g, ',')}&` : '';
  return `${r.base}/${store.model.def.entitySetName}?${qs}$deltatoken=${pctEncode(encodeDeltaToken(token, r.catalog.versionOffset))}`;
}

/** Checks a delta token against retention and schema changes. */
export function checkToken(text: string, store: TableStore, nowMs: number, retentionDays: number, offset = 0n): DeltaToken {
  const token = decodeDeltaToken(text, offset);
  if (!token || token.issuedMs < nowMs - retentionDays * 86_400_000 || token.issuedMs < Math.floor(store.schemaChangedMs / 1000) * 1000) {
    throw new ReplyError(400, '0x80044352', EXPIRED);
  }
  return token;
}

/** Serves a change-tracking request (initial or delta). */
export function trackChanges(r: DataRequest, store: TableStore, retentionDays: number): Reply {
  refuseOptions(r.params);
  const q = parseQueryOptions(r.params);
  const cols = selectedColumns(store, q);
  const pageSize = Math.min(r.prefer.maxPageSize ?? MAX_PAGE, MAX_PAGE);
  const write = rowWriter(r.catalog, store, cols, annotationMatcher(r.prefer.includeAnnotations));
  const set = store.model.def.entitySetName;
  const select = q.select ? `(${q.select.join(',')})` : '';
  const chunks: string[] = [];
  const headers = { 'Content-Type': 'application/json; odata.metadata=minimal', ...preferenceApplied(r.prefer, ['odata.track-changes']) };
  const qs = linkQuery(r.params);
  const next = (token: string) => `${r.base}/${set}?${qs ? qs + '&' : ''}$skiptoken=${encodeURIComponent(token)}`;

  if (!q.deltatoken) {
    const resume = q.skiptoken ? resumeFromToken(store, [], q.skiptoken) : undefined;
    const snapshot = Number(resume?.extra.snapshot ?? r.catalog.currentVersion());
    const page = runPage(store, { filter: null, orderby: [], limit: pageSize, ...(resume ? { after: resume.key } : {}) });
    const head = `{"@odata.context":${JSON.stringify(`${r.base}/$metadata#${set}${select}`)},"value":[`;
    const first = page.indices[0];
    const last = page.indices.at(-1);
    const tail =
      page.more && first !== undefined && last !== undefined
        ? `],"@odata.nextLink":${JSON.stringify(next(nextToken(store, [], first, last, resume?.page ?? 1, true, { snapshot: String(snapshot) })))}}`
        : `],"@odata.deltaLink":${JSON.stringify(deltaLink(r, store, { version: snapshot, issuedMs: Math.floor(r.nowMs / 1000) * 1000 }))}}`;
    const rows = rowChunks(store, page.indices, write);
    const body = (function* () {
      yield head;
      yield* rows;
      yield tail;
    })();
    return { status: 200, headers, chunks: body, rows: page.indices.length };
  }

  const token = checkToken(q.deltatoken, store, r.nowMs, retentionDays, r.catalog.versionOffset);
  const cookie = q.skiptoken ? decodePagingCookie(q.skiptoken) : undefined;
  const snapshot = Number(cookie?.extra.snapshot ?? r.catalog.currentVersion());
  const afterPhase = Number(cookie?.extra.phase ?? -1);
  const afterVersion = Number(cookie?.extra.lastversion ?? -1);
  const rank = (e: OverlayEntry) => (e.deleted ? 1 : 0);
  const pending = store
    .changes(token.version, snapshot)
    .filter((e) => rank(e) > afterPhase || (rank(e) === afterPhase && e.version > afterVersion));
  const pageEntries = pending.slice(0, pageSize);
  chunks.push(`{"@odata.context":${JSON.stringify(`${r.base}/$metadata#${set}${select}/$delta`)},"value":[`);
  const deletedCtx = JSON.stringify(`${r.base}/$metadata#${set}/$deletedEntity`);
  chunks.push(pageEntries.map((e) => (e.deleted ? `{"@odata.context":${deletedCtx},"id":"${store.model.guid(e.index)}","reason":"deleted"}` : write(e.index))).join(','));
  const lastEntry = pageEntries.at(-1);
  if (pending.length > pageSize && lastEntry) {
    const pk = cookieGuid(store.model.guid(lastEntry.index));
    const tokenText = encodePagingCookie({
      pageNumber: (cookie?.pageNumber ?? 1) + 1,
      keys: [{ attr: store.model.def.primaryId, last: pk, first: pk }],
      tracking: true,
      extra: { snapshot: String(snapshot), phase: String(rank(lastEntry)), lastversion: String(lastEntry.version) },
    });
    chunks.push(`],"@odata.nextLink":${JSON.stringify(next(tokenText))}}`);
  } else {
    chunks.push(`],"@odata.deltaLink":${JSON.stringify(deltaLink(r, store, { version: snapshot, issuedMs: Math.floor(r.nowMs / 1000) * 1000 }))}}`);
  }
  return { status: 200, headers, chunks, rows: pageEntries.length };
}

/** Serves `GET /{set}/$count?$deltatoken=…`: the number of changes since the token. */
export function countChanges(r: DataRequest, store: TableStore, retentionDays: number): Reply {
  const token = checkToken(r.params.get('$deltatoken') ?? '', store, r.nowMs, retentionDays, r.catalog.versionOffset);
  return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, chunks: [String(store.changes(token.version, r.catalog.currentVersion()).length)] };
}
