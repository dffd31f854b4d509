/**
 * The coordinator's read-only status page: `GET /` (server-rendered HTML that then polls), `GET /api/status`
 * (the same view as JSON). It listens on 127.0.0.1 by default, answers only GET and HEAD, accepts only the Host
 * headers of its allow-list (loopback names by default, whatever address it is bound to: DNS rebinding), optionally
 * requires a bearer token or basic authentication (status-access.ts), and sends a Content-Security-Policy that
 * allows nothing but the page's own inline style and script (by hash). Views are built at most once a second
 * however many viewers poll, and the run record counts are sampled in the background for the throughput chart.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Clock } from '../../shared/clock.ts';
import { toSyncError } from '../../shared/errors.ts';
import { listen } from '../../shared/lifecycle.ts';
import type { Logger } from '../../shared/log.ts';
import { escapeHtml, renderStatusPage } from './core/html.ts';
import { PAGE_SCRIPT, PAGE_STYLE } from './core/page-assets.ts';
import { ThroughputHistory } from './core/throughput.ts';
import { buildStatusView, progressReadings } from './core/view-model.ts';
import type { StatusView } from './core/view-types.ts';
import { StatusReader, type StatusReaderDeps } from './status-reader.ts';
import { LOOPBACK_ONLY, authorized, hostAllowed, type StatusAccess } from './status-access.ts';
import type { RunRecord } from '../../contracts/run-document.ts';
import { observe, type History } from '../../shared/run-progress.ts';

/** Options of the status server. */
export interface StatusServerOptions extends StatusReaderDeps {
  clock: Clock;
  log: Logger;
  /** 0 = any free port. */
  port: number;
  /** The variable that sets `port`, named when it cannot be bound (default `COORDINATOR_STATUS_PORT`). */
  portVariable?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Allowed Host names and credentials (default: loopback names, no authentication). */
  access?: StatusAccess;
  /** Background sampling of run record counts for the chart (default 5000 ms; 0 = only when polled). */
  sampleEveryMs?: number;
  /** A view younger than this is served again (default 1000 ms). */
  cacheMs?: number;
}

/** A running status server. */
export interface StatusServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const CSP = [
  "default-src 'none'",
  `script-src ${hash(PAGE_SCRIPT)}`,
  `style-src ${hash(PAGE_STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

const countsOf = (runs: readonly RunRecord[]) => new Map(runs.map((r) => [r.runId, r.tables.reduce((s, t) => s + (t.records ?? 0), 0)]));

/** Starts the status server; rejects if the port cannot be bound. */
export async function startStatusServer(opts: StatusServerOptions): Promise<StatusServer> {
  const { clock, log } = opts;
  const host = opts.host ?? '127.0.0.1';
  const reader = new StatusReader(opts);
  const history = new ThroughputHistory();
  let progress: History = new Map();
  const cacheMs = opts.cacheMs ?? 1_000;
  let cached: { atMs: number; view: StatusView } | null = null;
  let building: Promise<StatusView> | null = null;

  const build = async (): Promise<StatusView> => {
    const state = await reader.state();
    const kafka = await reader.kafka(state.connections.map((c) => c.id));
    const nowMs = clock.nowMs();
    history.record(nowMs, countsOf(state.runs));
    progress = observe(progress, progressReadings(state.runs), nowMs);
    return buildStatusView({ nowMs, ...state, kafka, throughput: history.series(), progressHistory: progress });
  };
  const view = async (): Promise<StatusView> => {
    if (cached && clock.nowMs() - cached.atMs < cacheMs) return cached.view;
    building ??= build()
      .then((v) => {
        cached = { atMs: v.generatedAtMs, view: v };
        return v;
      })
      .finally(() => {
        building = null;
      });
    return building;
  };

  const access = opts.access ?? LOOPBACK_ONLY;

  const send = (res: ServerResponse, status: number, type: string, body: string, head: boolean) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(head ? undefined : body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://status.invalid').pathname;
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    if (!hostAllowed(req.headers.host, access.allowedHosts)) return send(res, 421, 'text/plain; charset=utf-8', 'unexpected Host header (COORDINATOR_STATUS_ALLOWED_HOSTS)\n', head);
    if (!authorized(req.headers.authorization, access)) {
      res.writeHead(401, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...(access.challenge ? { 'www-authenticate': access.challenge } : {}) });
      return void res.end(head ? undefined : 'authentication required\n');
    }
    if (path === '/favicon.ico') return void res.writeHead(204, SECURITY_HEADERS).end();
    if (path !== '/' && path !== '/api/status') return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
    let v: StatusView;
    try {
      v = await view();
    } catch (err) {
      const message = toSyncError(err).message;
      log.warn({ err: toSyncError(err).toJSON() }, 'status page: reading the state failed');
      return path === '/'
        ? send(res, 503, 'text/html; charset=utf-8', `<!doctype html><title>dynsync status</title><p>State database unavailable: ${escapeHtml(message)}</p>`, head)
        : send(res, 503, 'application/json', JSON.stringify({ error: message }), head);
    }
    return path === '/' ? send(res, 200, 'text/html; charset=utf-8', renderStatusPage(v), head) : send(res, 200, 'application/json', JSON.stringify(v), head);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      log.error({ err: toSyncError(err).toJSON() }, 'status page: request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const port = await listen(server, opts.port, host, opts.portVariable ?? 'COORDINATOR_STATUS_PORT');

  const sampleEveryMs = opts.sampleEveryMs ?? 5_000;
  const timer =
    sampleEveryMs > 0
      ? setInterval(() => {
          reader
            .runs()
            .then((runs) => history.record(clock.nowMs(), countsOf(runs)))
            .catch((err) => log.debug({ err: toSyncError(err).toJSON() }, 'status page: sampling failed'));
        }, sampleEveryMs)
      : undefined;
  timer?.unref();

  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    async close() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Starts the status page for a service that must keep running without it: a port that cannot be bound is
 * logged as a warning and gives a no-op handle (the page is a view; the sync does not depend on it).
 */
export async function startStatusPageOrWarn(opts: StatusServerOptions): Promise<Pick<StatusServer, 'close'>> {
  try {
    const s = await startStatusServer(opts);
    const access = opts.access ?? LOOPBACK_ONLY;
    opts.log.info({ statusPort: s.port, access: access.summary }, `status page on ${s.url} (${access.summary})`);
    const host = opts.host ?? '127.0.0.1';
    if (access.credentials.length === 0 && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
      opts.log.warn({ host }, `status page bound to ${host} without authentication: anyone who reaches that address and sends an allowed Host header reads it; set COORDINATOR_STATUS_TOKEN or COORDINATOR_STATUS_USERNAME/PASSWORD, or keep it behind an authenticating proxy (status/README.md)`);
    }
    return s;
  } catch (err) {
    const e = toSyncError(err);
    opts.log.warn({ err: e.toJSON(), port: opts.port }, `status page not started (${e.message}); the coordinator runs without it`);
    return { close: async () => {} };
  }
}
