/**
 * The control API (`/_control/…`, enabled by a flag): mutate data (create, update, delete, backdate, bulk
 * create at one second), change the schema, shift the clock, inject faults, change limits, revoke tokens,
 * stream the ground truth of a table as NDJSON, and report stats and refused non-GET requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KIND_INFO, type ColumnDef, type ColumnKind, type Value } from '../core/schema.ts';
import type { ThrottleLimits, ThrottleWindow } from '../core/throttle-window.ts';
import { exactNumberReviver } from '../core/exact-number.ts';
import { fromJson, isoSeconds } from '../core/value-codec.ts';
import type { TokenService } from '../entra/token-service.ts';
import type { Catalog } from '../store/catalog.ts';
import type { TableStore } from '../store/table-store.ts';
import { readBody, sendJson } from './respond.ts';
import { rowWriter } from './row-writer.ts';
import { noFaults, RuntimeState, type Faults } from './runtime-state.ts';

/** Dependencies of the control routes. */
export interface ControlDeps {
  readonly catalog: Catalog;
  readonly tokens: TokenService;
  readonly throttle: ThrottleWindow;
  readonly runtime: RuntimeState;
}

class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function table(d: ControlDeps, name: string): TableStore {
  const t = d.catalog.table(name) ?? d.catalog.entitySet(name);
  if (!t) throw new ControlError(404, `unknown table '${name}'`);
  return t;
}

function values(t: TableStore, input: unknown): Map<string, Value> {
  const out = new Map<string, Value>();
  if (input === undefined) return out;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ControlError(400, 'values must be an object');
  for (const [k, v] of Object.entries(input)) {
    const col = t.property(k) ?? t.columns.find((c) => c.logicalName === k);
    if (!col || col.system) throw new ControlError(400, `unknown or read-only column '${k}'`);
    try {
      out.set(col.logicalName, fromJson(col, v));
    } catch (err) {
      throw new ControlError(400, (err as Error).message);
    }
  }
  return out;
}

function liveIndex(t: TableStore, id: string): number {
  const i = t.liveIndexOf(id);
  if (i === undefined) throw new ControlError(404, `${t.model.def.logicalName} ${id} does not exist`);
  return i;
}

function rowJson(d: ControlDeps, t: TableStore, index: number): unknown {
  return JSON.parse(rowWriter(d.catalog, t, t.dataColumns(), () => false)(index));
}

function timeArg(v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  const ms = typeof v === 'number' ? v : Date.parse(String(v));
  if (Number.isNaN(ms)) throw new ControlError(400, `invalid time ${JSON.stringify(v)}`);
  return Math.floor(ms / 1000) * 1000;
}

/** Streams the live rows of `t` (only the rows holding values at the limits when `extremesOnly`). */
async function streamTruth(res: ServerResponse, d: ControlDeps, t: TableStore, extremesOnly: boolean): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8' });
  const write = rowWriter(d.catalog, t, t.dataColumns(), () => false);
  let buf: string[] = [];
  for (let i = 0; i < t.indexEnd; i++) {
    if (!t.isLive(i) || (extremesOnly && t.model.extremeOrdinal(i) < 0)) continue;
    // U+2028/U+2029 escaped: line readers (node:readline) would otherwise end a line inside a string
    buf.push(write(i).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`));
    if (buf.length === 1000) {
      if (!res.write(buf.join('\n') + '\n')) await new Promise((r) => res.once('drain', r));
      buf = [];
    }
  }
  res.end(buf.length ? buf.join('\n') + '\n' : '');
}

function stats(d: ControlDeps): unknown {
  const mem = process.memoryUsage();
  return {
    tables: Object.fromEntries(d.catalog.tables().map((t) => [t.model.def.logicalName, { entitySetName: t.model.def.entitySetName, rows: t.liveCount, baseRows: t.model.baseRows, overlay: t.overlaySize, changeTracking: t.model.def.changeTracking }])),
    requests: d.runtime.stats,
    nonGetRequests: d.runtime.nonGetCount,
    memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
    clock: { now: isoSeconds(d.catalog.clock.nowMs()), offsetMs: d.catalog.clock.offset() },
    version: d.catalog.currentVersion(),
    metadataVersion: d.catalog.metadataVersion,
  };
}

async function route(req: IncomingMessage, res: ServerResponse, url: URL, d: ControlDeps): Promise<unknown> {
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/^\/_control/, '').replace(/\/+$/, '');
  // numbers a double cannot hold (money, BigInt beyond 2^53) arrive as their exact text
  const body: Record<string, unknown> = method === 'GET' || method === 'DELETE' ? {} : JSON.parse((await readBody(req)) || '{}', exactNumberReviver);
  const now = d.catalog.clock.nowSeconds();
  const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
  const key = `${method} /${seg.map((s, i) => (i === 1 && seg[0] === 'tables') || (i === 3 && seg[2] === 'rows') || (i === 3 && seg[2] === 'columns') ? ':' : s).join('/')}`;
  switch (key) {
    case 'GET /stats':
      return stats(d);
    case 'POST /stats/reset':
      d.runtime.stats = RuntimeState.emptyStats();
      return stats(d);
    case 'GET /non-get':
      return { count: d.runtime.nonGetCount, byMethod: d.runtime.nonGetByMethod, recent: d.runtime.nonGet };
    case 'GET /clock':
      return { now: isoSeconds(d.catalog.clock.nowMs()), nowMs: d.catalog.clock.nowMs(), offsetMs: d.catalog.clock.offset() };
    case 'POST /clock':
      if (body.set !== undefined) d.catalog.clock.set(timeArg(body.set, 0));
      d.catalog.clock.shift(Number(body.shiftMs ?? 0) + Number(body.shiftSeconds ?? 0) * 1000 + Number(body.shiftDays ?? 0) * 86_400_000);
      return { now: isoSeconds(d.catalog.clock.nowMs()), nowMs: d.catalog.clock.nowMs(), offsetMs: d.catalog.clock.offset() };
    case 'GET /faults':
      return d.runtime.faults;
    case 'POST /faults':
      d.runtime.faults = { ...d.runtime.faults, ...(body as Partial<Faults>) };
      return d.runtime.faults;
    case 'DELETE /faults':
      d.runtime.faults = noFaults();
      return d.runtime.faults;
    case 'GET /limits':
      return { ...d.throttle.limits, dopHint: d.runtime.dopHint };
    case 'POST /limits': {
      const { dopHint, ...limits } = body as Partial<ThrottleLimits> & { dopHint?: number };
      d.throttle.setLimits({ ...d.throttle.limits, ...limits });
      if (dopHint !== undefined) d.runtime.dopHint = dopHint;
      return { ...d.throttle.limits, dopHint: d.runtime.dopHint };
    }
    case 'POST /revoke':
      return { accessTokens: body.accessTokens ? d.tokens.revokeAccessTokens() : 0, refreshTokens: body.refreshTokens ? d.tokens.revokeRefreshTokens() : 0 };
    case 'GET /tables':
      return (stats(d) as { tables: unknown }).tables;
    case 'GET /tables/:/truth':
      await streamTruth(res, d, table(d, seg[1] ?? ''), url.searchParams.get('rows') === 'extremes');
      return undefined;
    case 'POST /tables/:/rows': {
      const t = table(d, seg[1] ?? '');
      const i = t.create(values(t, body.values), timeArg(body.modifiedon, now));
      return rowJson(d, t, i);
    }
    case 'POST /tables/:/bulk': {
      const t = table(d, seg[1] ?? '');
      const count = Number(body.count ?? 0);
      if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new ControlError(400, 'count must be 1..1000000');
      const at = timeArg(body.modifiedon, now);
      const v = values(t, body.values);
      const ids: string[] = [];
      for (let k = 0; k < count; k++) ids.push(t.model.guid(t.create(v, at)));
      return { count, modifiedon: isoSeconds(at), firstId: ids[0], lastId: ids.at(-1), ids: count <= 1000 ? ids : undefined };
    }
    case 'GET /tables/:/rows/:': {
      const t = table(d, seg[1] ?? '');
      return rowJson(d, t, liveIndex(t, seg[3] ?? ''));
    }
    case 'PATCH /tables/:/rows/:': {
      const t = table(d, seg[1] ?? '');
      const i = liveIndex(t, seg[3] ?? '');
      t.update(i, values(t, body.values), timeArg(body.modifiedon, now));
      return rowJson(d, t, i);
    }
    case 'DELETE /tables/:/rows/:': {
      const t = table(d, seg[1] ?? '');
      t.remove(liveIndex(t, seg[3] ?? ''), now);
      return { deleted: seg[3] };
    }
    case 'POST /tables/:/rows/:/backdate': {
      const t = table(d, seg[1] ?? '');
      const i = liveIndex(t, seg[3] ?? '');
      t.backdate(i, timeArg(body.modifiedon, NaN), now);
      return rowJson(d, t, i);
    }
    case 'POST /tables/:/columns': {
      const t = table(d, seg[1] ?? '');
      const kind = String(body.kind ?? '') as ColumnKind;
      const name = String(body.logicalName ?? '');
      if (!(kind in KIND_INFO) || !/^[a-z_][a-z0-9_]*$/.test(name)) throw new ControlError(400, 'logicalName (lower-case) and a valid kind are required');
      const col: ColumnDef = { logicalName: name, kind, displayName: String(body.displayName ?? name), custom: true, ...(body.precision !== undefined ? { precision: Number(body.precision) } : {}), ...(body.behavior ? { behavior: body.behavior as 'UserLocal' } : {}), ...(body.options ? { options: body.options as ColumnDef['options'] } : {}), ...(body.targets ? { targets: body.targets as string[] } : {}), ...(body.maxLength ? { maxLength: Number(body.maxLength) } : {}) };
      try {
        t.addColumn(col, now);
      } catch (err) {
        throw new ControlError(409, (err as Error).message);
      }
      d.catalog.schemaChanged(t);
      return { added: name, metadataVersion: d.catalog.metadataVersion };
    }
    case 'DELETE /tables/:/columns/:': {
      const t = table(d, seg[1] ?? '');
      if (!t.removeColumn(seg[3] ?? '', now)) throw new ControlError(404, `no removable column '${seg[3]}'`);
      d.catalog.schemaChanged(t);
      return { removed: seg[3], metadataVersion: d.catalog.metadataVersion };
    }
    default:
      throw new ControlError(404, `no control endpoint ${method} ${url.pathname}`);
  }
}

/** Handles `/_control/…`. */
export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, d: ControlDeps): Promise<void> {
  d.runtime.stats.controlRequests++;
  try {
    const result = await route(req, res, url, d);
    if (result !== undefined) sendJson(res, 200, result);
  } catch (err) {
    if (err instanceof ControlError) sendJson(res, err.status, { error: err.message });
    else if (err instanceof SyntaxError) sendJson(res, 400, { error: `invalid JSON: ${err.message}` });
    else throw err;
  }
}
