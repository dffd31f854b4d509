/**
 * `startSimulator(options)`: one HTTPS server on 127.0.0.1 serving the Entra ID tenant, the Dataverse Web API
 * (`/api/data/v9.x/`) and, when enabled, the control API (`/_control/`). Used by `main.ts`, tests, benchmarks
 * and the demo.
 */
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../shared/clock.ts';
import { createLogger, type Logger } from '../shared/log.ts';
import { seededRandom } from './core/hash.ts';
import { metadataId } from './core/metadata-docs.ts';
import { TABLES } from './core/tables-all.ts';
import { generatedTables } from './core/tables-generated.ts';
import { DEFAULT_LIMITS, ThrottleWindow, type ThrottleLimits } from './core/throttle-window.ts';
import { handleEntra } from './entra/entra-routes.ts';
import { TokenService } from './entra/token-service.ts';
import { handleControl } from './http/control-routes.ts';
import { handleData, safeDecode } from './http/data-pipeline.ts';
import { RecordCountSnapshot } from './http/data-routes.ts';
import { sendJson } from './http/respond.ts';
import { RuntimeState } from './http/runtime-state.ts';
import { Catalog } from './store/catalog.ts';
import { SimClock } from './store/sim-clock.ts';
import { loadTlsMaterial } from './tls-material.ts';

/** Options of {@link startSimulator}; every field is optional. */
export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Seed of the generated data and of the demo app registration (default 1). */
  readonly seed?: number;
  /** Base rows of account, contact, opportunity, new_widget and new_importlog (default 1000). */
  readonly rows?: number;
  /** Per-table base row counts by logical name, overriding `rows` (e.g. `{ new_widget: 20000 }`). */
  readonly tableRows?: Readonly<Record<string, number>>;
  /**
   * Adds this many generated custom tables `new_gen001…` (core/tables-generated.ts: varied columns, a few without
   * change tracking, 0 to `generatedMaxRows` rows each, deterministic per seed). Default 0.
   */
  readonly generatedTables?: number;
  /** Largest row count of a generated table (default 2000). */
  readonly generatedMaxRows?: number;
  /** Time of the newest base row (default: today 00:00 UTC of the simulated clock). */
  readonly anchor?: Date | string | number;
  /** Serves `/_control/…` (default false). */
  readonly control?: boolean;
  /** Access token lifetime in seconds (default 3599). */
  readonly tokenLifetimeSeconds?: number;
  /** Refresh tokens expire after this many days of inactivity (default 90). */
  readonly refreshInactivityDays?: number;
  /** Where the certificate and signing key live (default ~/.cache/dynsync/simulator). */
  readonly stateDir?: string;
  /** Service protection limits (defaults: 6000 requests, 1,200,000 ms, 52 concurrent, 300 s). */
  readonly limits?: Partial<ThrottleLimits>;
  /** `x-ms-dop-hint` value (default 8). */
  readonly dopHint?: number;
  /** Change-tracking retention in days before delta tokens expire (default 7). */
  readonly deltaRetentionDays?: number;
  /** Base clock (default the machine clock); the control API shifts on top of it. */
  readonly clock?: Clock;
  /** Log level (default "info"; tests pass "silent"). */
  readonly logLevel?: string;
  /**
   * Extra DNS names of the organisation (`contoso.crm.dynamics.com`): added to the certificate and accepted as org
   * URLs (`https://<name>[:port]`, as token resource and audience and as the Host of data requests, whose links
   * then use that name). A client reaches the simulator under such a name through a hosts-file entry.
   */
  readonly hostnames?: readonly string[];
  /**
   * Added to every version number on the wire (`versionnumber`, `@odata.etag`, delta tokens; filters on
   * `versionnumber` are read back): an organisation whose rowversions are beyond 2^53. Default 0.
   */
  readonly versionOffset?: bigint | number | string;
}

/** A running simulator. */
export interface SimulatorHandle {
  /** Org URL, e.g. https://127.0.0.1:PORT (the resource; `aud` of tokens). */
  readonly orgUrl: string;
  /** The org URLs of the `hostnames` (`https://contoso.crm.dynamics.com:PORT`, no port when it is 443). */
  readonly aliasUrls: readonly string[];
  /** Entra authority with the tenant, e.g. https://127.0.0.1:PORT/<tenant-id>. */
  readonly authority: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** PEM file of the self-signed certificate to trust (NODE_EXTRA_CA_CERTS or `ca`). */
  readonly caCertPath: string;
  /** `${orgUrl}/_control` when enabled. */
  readonly controlUrl: string | undefined;
  readonly port: number;
  /** The simulated clock (for in-process tests). */
  readonly clock: SimClock;
  /** Stops the server and drops connections. */
  close(): Promise<void>;
}

/** Default state directory. */
export function defaultStateDir(): string {
  return join(homedir(), '.cache', 'dynsync', 'simulator');
}

/** Starts a simulator. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const seed = options.seed ?? 1;
  const clock = new SimClock(options.clock ?? systemClock);
  const log: Logger = createLogger('simulator', options.logLevel ?? 'info', process.stderr);
  const hostnames = [...new Set((options.hostnames ?? []).map((h) => h.toLowerCase()))];
  const tls = await loadTlsMaterial(options.stateDir ?? defaultStateDir(), clock.nowMs(), hostnames);
  const anchorMs = options.anchor !== undefined ? new Date(options.anchor).getTime() : Math.floor(clock.nowMs() / 86_400_000) * 86_400_000;
  const versionOffset = BigInt(options.versionOffset ?? 0);
  if (versionOffset < 0n || versionOffset > 9_000_000_000_000_000_000n) throw new RangeError(`versionOffset ${versionOffset} is outside 0..9000000000000000000`);
  const tables = [...TABLES, ...generatedTables(seed, options.generatedTables ?? 0, options.generatedMaxRows)];
  const catalog = new Catalog({ seed, rows: options.rows ?? 1_000, anchorMs, clock, versionOffset, tables, ...(options.tableRows ? { tableRows: options.tableRows } : {}) });
  const runtime = new RuntimeState(options.dopHint ?? 8);
  const throttle = new ThrottleWindow({ ...DEFAULT_LIMITS, ...options.limits });
  const random = seededRandom(seed ^ 0xfa017);
  let handler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const server = createServer({ key: tls.key, cert: tls.cert, keepAlive: true }, (req, res) => {
    if (!handler) {
      res.writeHead(503).end();
      return;
    }
    handler(req, res).catch((err: unknown) => {
      log.error({ err }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: { code: '0x80040216', message: 'An unexpected error occurred.' } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const orgUrl = `https://127.0.0.1:${port}`;
  const aliasUrls = hostnames.map((h) => `https://${h}${port === 443 ? '' : `:${port}`}`);
  /** The org URL a request addressed (its Host, when it is one of the org's names), for links and challenges. */
  const requestOrg = (req: IncomingMessage) => {
    const host = String(req.headers.host ?? '').toLowerCase();
    return aliasUrls.find((u) => u === `https://${host}` || u === `https://${host.replace(/:443$/, '')}`) ?? orgUrl;
  };
  const id = (name: string) => metadataId(`seed:${seed}:${name}`);
  const tokens = new TokenService(
    {
      loginBase: orgUrl,
      tenantId: id('tenant'),
      clientId: id('client'),
      clientSecret: `sim8Q~${id('secret').replace(/-/g, '')}`,
      orgUrl,
      orgAliases: aliasUrls,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
      refreshLifetimeSeconds: (options.refreshInactivityDays ?? 90) * 86_400,
      appObjectId: id('app-sp'),
      userObjectId: id('user'),
      userName: 'Demo User',
      userUpn: 'demo.user@contoso.test',
    },
    tls.signingKey,
    clock,
  );
  const dataDeps = {
    catalog,
    tokens,
    throttle,
    runtime,
    random,
    counts: new RecordCountSnapshot(),
    settings: { deltaRetentionDays: options.deltaRetentionDays ?? 7, organizationId: id('org'), businessUnitId: id('bu') },
  };
  handler = async (req, res) => {
    runtime.stats.requests++;
    const url = new URL(req.url ?? '/', orgUrl);
    if (url.pathname === '/_control' || url.pathname.startsWith('/_control/')) {
      if (options.control) return handleControl(req, res, url, { catalog, tokens, throttle, runtime });
      return sendJson(res, 404, { error: 'control API disabled (start with --control)' });
    }
    const data = /^\/api\/data\/v9\.[0-2](?:\/(.*))?$/.exec(url.pathname);
    if (data) return handleData(req, res, url, safeDecode(data[1] ?? ''), requestOrg(req), dataDeps);
    runtime.stats.entraRequests++;
    const onToken = (grant: string, ok: boolean) => {
      const k = `${grant}:${ok ? 'ok' : 'error'}`;
      runtime.stats.tokenGrants[k] = (runtime.stats.tokenGrants[k] ?? 0) + 1;
    };
    if (await handleEntra(req, res, url, { tokens, nowMs: () => clock.nowMs(), onToken })) return;
    sendJson(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
  };
  log.info({ orgUrl, aliasUrls, rows: options.rows ?? 1_000, seed, control: options.control ?? false, tables: tables.length }, 'simulator listening');
  return {
    orgUrl,
    aliasUrls,
    authority: `${orgUrl}/${tokens.cfg.tenantId}`,
    tenantId: tokens.cfg.tenantId,
    clientId: tokens.cfg.clientId,
    clientSecret: tokens.cfg.clientSecret,
    caCertPath: tls.certPath,
    controlUrl: options.control ? `${orgUrl}/_control` : undefined,
    port,
    clock,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
