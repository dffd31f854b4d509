/**
 * The data API request pipeline: non-GET refusal (counted), bearer-token check (401 with the Dataverse
 * `WWW-Authenticate` challenge), injected faults, service protection limits (429 + Retry-After), routing, and
 * writing the reply with the Dataverse header set.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { batchResponseBody, parseBatch, type BatchOperation, type BatchPart } from '../core/batch.ts';
import type { TableDef } from '../core/schema.ts';
import { parsePrefer } from '../core/prefer.ts';
import { requestKind } from '../core/request-kind.ts';
import { formatRemainingSeconds, type ThrottleWindow } from '../core/throttle-window.ts';
import type { TokenService } from '../entra/token-service.ts';
import type { Catalog } from '../store/catalog.ts';
import type { DataRequest } from './collection-routes.ts';
import { routeData, type DataSettings, type RecordCountSnapshot } from './data-routes.ts';
import { errorReply, type Reply } from './reply.ts';
import { dataHeaders, readBytes } from './respond.ts';
import type { RuntimeState } from './runtime-state.ts';

/** Everything the pipeline needs. */
export interface DataPipelineDeps {
  readonly catalog: Catalog;
  readonly tokens: TokenService;
  readonly throttle: ThrottleWindow;
  readonly runtime: RuntimeState;
  readonly settings: DataSettings;
  readonly counts: RecordCountSnapshot;
  /** Seeded randomness for fault injection. */
  readonly random: () => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `res` can take more data (or is closed). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes lazily produced chunks, waiting for the socket to drain, so a page never sits in memory whole. */
async function stream(res: ServerResponse, chunks: Iterable<string>): Promise<void> {
  for (const c of chunks) {
    if (res.destroyed) return; // the client went away: stop rendering rows
    if (!res.write(c)) await drained(res);
  }
  if (!res.destroyed) res.end();
}

function write(res: ServerResponse, reply: Reply, headers: Record<string, string>, truncate: false | 'reset' | 'short'): void {
  const all = { ...headers, ...reply.headers };
  if (truncate) {
    const body = [...reply.chunks].join('');
    const half = body.slice(0, Math.floor(body.length / 2));
    if (truncate === 'short') {
      res.writeHead(reply.status, { ...all, 'Content-Length': Buffer.byteLength(half) });
      res.end(half);
      return;
    }
    res.writeHead(reply.status, { ...all, 'Content-Length': Buffer.byteLength(body) });
    res.write(half);
    setImmediate(() => res.destroy());
    return;
  }
  if (Array.isArray(reply.chunks) && reply.chunks.length <= 1) {
    const body = Buffer.from((reply.chunks as readonly string[])[0] ?? '', 'utf8');
    res.writeHead(reply.status, { ...all, 'Content-Length': body.length });
    res.end(body);
    return;
  }
  res.writeHead(reply.status, all);
  stream(res, reply.chunks).catch(() => res.destroy());
}

/** The 403 of a write (Dataverse's answer to a read-only application user). */
function refusedWrite(catalog: Catalog, method: string, table: TableDef | undefined, name = table?.logicalName ?? ''): Reply {
  const privilege = method === 'POST' ? 'prvCreate' : method === 'DELETE' ? 'prvDelete' : 'prvWrite';
  const caller = catalog.table('systemuser')?.model.guid(0);
  return errorReply(403, '0x80040220', `Principal user (Id=${caller}, type=8, roleCount=1, privilegeCount=412, accessMode=4), is missing ${privilege}${table ? table.displayName.replace(/\s/g, '') : ''} privilege on OTC=${table?.objectTypeCode ?? 0} for entity '${table ? table.logicalName : name}'. context.Caller=${caller}`);
}

/** Largest `$batch` body read. */
const MAX_BATCH_BYTES = 16 << 20;

/** Runs the GET operations of a batch (one route call each) into one multipart reply. */
function runBatch(ops: readonly BatchOperation[], orgUrl: string, base: string, route: (r: Pick<DataRequest, 'base' | 'params' | 'prefer'>, path: string) => Reply): Reply {
  let rows = 0;
  const parts: BatchPart[] = ops.map((op) => {
    const target = new URL(op.target, `${base}/`);
    const m = /^\/api\/data\/(v9\.[0-2])(?:\/(.*))?$/.exec(target.pathname);
    const reply = m
      ? route({ base: `${orgUrl}/api/data/${m[1]}`, params: target.searchParams, prefer: parsePrefer(op.headers.get('prefer') ?? undefined) }, safeDecode(m[2] ?? ''))
      : errorReply(404, '0x8006088a', `Resource not found for the segment '${target.pathname}'.`);
    rows += reply.rows ?? 0;
    return { status: reply.status, statusText: STATUS_CODES[reply.status] ?? '', headers: { ...reply.headers, 'OData-Version': '4.0' }, body: [...reply.chunks].join('') };
  });
  const boundary = `batchresponse_${randomUUID()}`;
  return { status: 200, headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}` }, chunks: [batchResponseBody(boundary, parts)], rows };
}

/** `decodeURIComponent`, or the text as it is when it is not valid percent-encoding. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Handles a request under `/api/data/v9.x/`; `rest` is the path after the version segment. */
export async function handleData(req: IncomingMessage, res: ServerResponse, url: URL, rest: string, orgUrl: string, d: DataPipelineDeps): Promise<void> {
  const started = performance.now();
  const { runtime, catalog } = d;
  runtime.stats.dataRequests++;
  const kind = requestKind(req.method ?? 'GET', rest, url.searchParams, parsePrefer(req.headers.prefer).trackChanges);
  runtime.stats.byKind[kind] = (runtime.stats.byKind[kind] ?? 0) + 1;
  const now = catalog.clock.nowMs();
  const reqId = randomUUID();
  const headers: Record<string, string> = { ...dataHeaders(now, reqId), 'x-ms-dop-hint': String(runtime.dopHint) };
  const base = `${orgUrl}/api/data/${url.pathname.split('/')[3] ?? 'v9.2'}`;
  const finish = (reply: Reply, truncate: false | 'reset' | 'short' = false) => {
    runtime.status(reply.status);
    write(res, reply, headers, truncate);
  };
  const method = req.method ?? 'GET';
  let batch: readonly BatchOperation[] | undefined;
  if (method === 'POST' && rest === '$batch') {
    // a batch of GET requests is a read; anything else in it (or a change set) is refused and counted as a write
    const parsed = parseBatch(await readBytes(req, MAX_BATCH_BYTES).catch(() => new Uint8Array()), req.headers['content-type']);
    const writes = parsed.ok ? parsed.operations.filter((op) => op.method !== 'GET' || op.changeSet !== undefined) : [];
    if (!parsed.ok || writes.length > 0 || parsed.changeSets > 0) {
      if (writes.length === 0) runtime.recordNonGet(method, url.pathname, now);
      for (const op of writes) runtime.recordNonGet(op.method, `${url.pathname} ${op.method} ${op.target}`, now);
      if (!parsed.ok) return finish(errorReply(400, '0x0', parsed.message));
      const target = writes[0]?.target ?? '';
      const table = catalog.entitySet(new URL(target, `${base}/`).pathname.replace(/^\/api\/data\/v9\.\d\//, '').split(/[/(]/)[0] ?? '')?.model.def;
      return finish(refusedWrite(catalog, writes[0]?.method ?? 'POST', table));
    }
    batch = parsed.operations;
  } else if (method !== 'GET' && method !== 'HEAD') {
    runtime.recordNonGet(method, url.pathname, now);
    req.resume();
    if (/^WhoAmI(\(\))?$/.test(rest) || rest === '') {
      return finish(errorReply(404, '', `No HTTP resource was found that matches the request URI '${base}/${rest}'.`));
    }
    const table = catalog.entitySet(rest.split(/[/(]/)[0] ?? '')?.model.def;
    return finish(refusedWrite(catalog, method, table, rest.split(/[/(]/)[0]));
  }
  const auth = await d.tokens.verify(req.headers.authorization);
  if (!auth.ok) {
    runtime.stats.unauthorized++;
    headers['WWW-Authenticate'] = `Bearer authorization_uri=${d.tokens.cfg.loginBase}/${d.tokens.cfg.tenantId}/oauth2/authorize, resource_id=${orgUrl}/`;
    runtime.status(401);
    res.writeHead(401, { ...headers, 'Content-Length': 0 });
    res.end();
    return;
  }
  const user = auth.principal.oid;
  const admission = d.throttle.admit(user, catalog.clock.nowMs());
  if (!admission.ok) {
    runtime.stats.throttled++;
    headers['Retry-After'] = String(admission.retryAfterSeconds);
    return finish(errorReply(429, admission.code, admission.message));
  }
  headers['x-ms-ratelimit-burst-remaining-xrm-requests'] = String(admission.remainingRequests);
  headers['x-ms-ratelimit-time-remaining-xrm-requests'] = formatRemainingSeconds(admission.remainingExecutionMs);
  let done = false;
  const release = () => {
    if (done) return;
    done = true;
    d.throttle.finish(user, catalog.clock.nowMs(), performance.now() - started);
  };
  res.once('close', release);
  const f = runtime.faults;
  if (f.latencyMs > 0) await sleep(f.latencyMs);
  if (f.throttleRatio > 0 && d.random() < f.throttleRatio) {
    runtime.stats.throttled++;
    runtime.stats.injectedFaults++;
    headers['Retry-After'] = String(f.throttleRetryAfterSeconds);
    release();
    return finish(errorReply(429, '0x80072322', `Number of requests exceeded the limit of ${d.throttle.limits.requests} over time window of ${d.throttle.limits.windowSeconds} seconds.`));
  }
  if (f.errorRatio > 0 && d.random() < f.errorRatio) {
    runtime.stats.injectedFaults++;
    release();
    return finish(errorReply(f.errorStatus, '0x80040216', 'An unexpected error occurred.'));
  }
  try {
    const reply = batch
      ? runBatch(batch, orgUrl, base, (r, path) => routeData({ ...r, catalog, nowMs: catalog.clock.nowMs(), rowFaults: f.rowFaults }, path, auth.principal, d.settings, d.counts))
      : routeData({ catalog, base, params: url.searchParams, prefer: parsePrefer(req.headers.prefer), nowMs: catalog.clock.nowMs(), rowFaults: f.rowFaults }, rest, auth.principal, d.settings, d.counts);
    runtime.stats.rowsServed += reply.rows ?? 0;
    let truncate = f.truncateRatio > 0 && reply.status === 200 && d.random() < f.truncateRatio;
    if (!truncate && f.truncateNext > 0 && reply.status === 200) {
      f.truncateNext--;
      truncate = true;
    }
    if (truncate) runtime.stats.injectedFaults++;
    finish(reply, truncate ? f.truncateMode : false);
  } finally {
    res.once('finish', release);
  }
}
