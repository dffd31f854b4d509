/**
 * The read-only Dataverse Web API client of one connection. It can only send GET: the public API has no method
 * parameter and the single undici call site ({@link DataverseClient} `send`) hard-codes it (Invariant 1).
 *
 * Every request goes through the connection's pause gate (429s pause all requests), its adaptive semaphore
 * (ceiling from `x-ms-dop-hint`), the shared retry module (one page request at a time, never a whole scan) and the
 * one error table (error-classifier.ts). A 401 invalidates the token and is retried once with a fresh one; a
 * second 401 is AUTH_FAILED.
 */
import type { Dispatcher } from 'undici';
import { SyncError, isSyncError } from '../../shared/errors.ts';
import { DEFAULT_RETRY, retry, sleep as defaultSleep, type RetryOptions } from '../../shared/retry.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { parseDataverseJson, splitCollection, type SplitCollection } from '../mapping/parse-dataverse-json.ts';
import type { OrgTarget } from '../org/org-url.ts';
import { AdaptiveSemaphore } from './adaptive-semaphore.ts';
import type { ClientMetrics } from './client-metrics.ts';
import { classifyResponse, classifyTransportError, invalidBodyError } from './error-classifier.ts';
import { buildODataHeaders, type ODataPreferences } from './odata-headers.ts';
import { paginate, paginateWith, pathOf, toLazyPage, type DataversePage, type LazyPage } from './paginate.ts';
import { PauseGate, type Sleep } from './pause-gate.ts';
import type { TokenProvider } from './token-provider.ts';
import { parseWhoAmI, type WhoAmI } from './who-am-i.ts';

/** Options of a {@link DataverseClient}. */
export interface DataverseClientOptions {
  /** The validated organisation (services/dataverse/org `parseOrgUrl`). */
  org: OrgTarget;
  tokenProvider: TokenProvider;
  /** The undici pool (http-agent.ts `createHttpAgent`), carrying the extra CA certificate in dev. */
  dispatcher: Dispatcher;
  /** Concurrency ceiling until `x-ms-dop-hint` says otherwise, and the cap on any hint. Default 8. */
  maxConcurrency?: number;
  /** Per-request timeout for headers and for body inactivity. Default 130 s (Dataverse stops at 2 min). */
  requestTimeoutMs?: number;
  /** Pause applied to the whole connection on a 429 without a usable Retry-After. Default 5 s. */
  defaultThrottleMs?: number;
  /** Retry policy per request (services/shared/retry.ts). Default {@link DEFAULT_RETRY}. */
  retry?: Omit<RetryOptions, 'signal' | 'onRetry'>;
  /** Share one gate / semaphore between several clients of the same connection. */
  gate?: PauseGate;
  limiter?: AdaptiveSemaphore;
  clock?: Clock;
  sleep?: Sleep;
  metrics?: ClientMetrics;
}

/** Options of {@link DataverseClient.pages}. */
export interface PagesOptions extends ODataPreferences {
  signal?: AbortSignal;
}

/** Options of {@link DataverseClient.getJson}. */
export interface GetOptions extends ODataPreferences {
  signal?: AbortSignal;
}

interface Exchange<B = unknown> {
  body: B;
  headers: Record<string, string | string[] | undefined>;
  startedMs: number;
  endedMs: number;
}

/** A read-only Web API client; one per connection (share `gate`/`limiter` if you create several). */
export class DataverseClient {
  private readonly org: OrgTarget;
  private readonly tokens: TokenProvider;
  private readonly dispatcher: Dispatcher;
  private readonly maxConcurrency: number;
  private readonly timeoutMs: number;
  private readonly defaultThrottleMs: number;
  private readonly retryOptions: Omit<RetryOptions, 'signal' | 'onRetry'>;
  private readonly gate: PauseGate;
  private readonly limiter: AdaptiveSemaphore;
  private readonly clock: Clock;
  private readonly metrics: ClientMetrics;

  constructor(opts: DataverseClientOptions) {
    this.org = opts.org;
    this.tokens = opts.tokenProvider;
    this.dispatcher = opts.dispatcher;
    this.maxConcurrency = opts.maxConcurrency ?? 8;
    this.timeoutMs = opts.requestTimeoutMs ?? 130_000;
    this.defaultThrottleMs = opts.defaultThrottleMs ?? 5_000;
    this.clock = opts.clock ?? systemClock;
    this.retryOptions = { ...DEFAULT_RETRY, sleep: opts.sleep ?? defaultSleep, ...opts.retry };
    this.gate = opts.gate ?? new PauseGate(this.clock, opts.sleep ?? defaultSleep);
    this.limiter = opts.limiter ?? new AdaptiveSemaphore(this.maxConcurrency);
    this.metrics = opts.metrics ?? {};
  }

  /** The connection's concurrency state: current limit, ceiling, requests in flight. */
  get concurrency(): { limit: number; ceiling: number; inFlight: number } {
    return { limit: this.limiter.limit, ceiling: this.limiter.ceiling, inFlight: this.limiter.inFlight };
  }

  /**
   * GETs one JSON resource (metadata, a single row, a function such as `RetrieveTotalRecordCount(...)`). `path` is
   * relative to the Web API root (`EntityDefinitions?$select=...`) or an absolute URL on the organisation's origin.
   * The body is parsed with the exact-number parser.
   */
  async getJson(path: string, opts: GetOptions = {}): Promise<unknown> {
    return (await this.fetchWithRetry(this.resolve(path), opts, opts.signal)).body;
  }

  /**
   * Pages through a collection: yields each page's rows as it arrives, following `@odata.nextLink` verbatim with
   * the same Prefer headers; the next page is requested only when the consumer asks for it (one page in memory).
   * The last page carries the `deltaLink` when change tracking was requested. Each page request is retried on its
   * own; a failure after the retries ends the iteration with the SyncError.
   */
  async *pages(path: string, opts: PagesOptions = {}): AsyncGenerator<DataversePage, void, undefined> {
    const prefs: ODataPreferences = { maxPageSize: opts.maxPageSize, annotations: opts.annotations, trackChanges: opts.trackChanges };
    yield* paginate(this.resolve(path), async (url) => {
      const exchange = await this.fetchWithRetry(this.resolve(url), prefs, opts.signal);
      const rows = (exchange.body as { value?: unknown[] } | null)?.value;
      this.metrics.page?.({ rows: Array.isArray(rows) ? rows.length : 0, durationMs: exchange.endedMs - exchange.startedMs });
      return exchange.body;
    });
  }

  /**
   * {@link pages}, with each page's rows parsed only when asked for (`rows.at(i)`): the body is checked and cut into
   * its rows when it arrives (a truncated body is retried like any other invalid body), and a row's objects exist
   * only while it is mapped. For large scans whose rows are consumed one by one (window extraction).
   */
  async *lazyPages(path: string, opts: PagesOptions = {}): AsyncGenerator<LazyPage, void, undefined> {
    const prefs: ODataPreferences = { maxPageSize: opts.maxPageSize, annotations: opts.annotations, trackChanges: opts.trackChanges };
    yield* paginateWith(this.resolve(path), async (url, index) => {
      const exchange = await this.fetchWithRetry(this.resolve(url), prefs, opts.signal, splitCollection);
      const split = exchange.body;
      const page = toLazyPage(split.envelope, { length: split.length, at: (i) => rowOf(split, i, url) }, index, url);
      this.metrics.page?.({ rows: split.length, durationMs: exchange.endedMs - exchange.startedMs });
      return page;
    });
  }

  /**
   * `GET WhoAmI`: the caller's ids, the recommended parallelism (`x-ms-dop-hint`, which also becomes this
   * connection's concurrency ceiling, capped by `maxConcurrency`), the server time from `Date` and the skew
   * (server − local, local taken at the middle of the exchange).
   */
  async whoAmI(signal?: AbortSignal): Promise<WhoAmI> {
    const x = await this.fetchWithRetry(this.resolve('WhoAmI'), {}, signal);
    return parseWhoAmI(x.body, x.headers, (x.startedMs + x.endedMs) / 2);
  }

  /** Resolves a Web-API-relative path or an absolute URL, refusing any other origin (the token must not leak). */
  private resolve(pathOrUrl: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) {
      if (!pathOrUrl.toLowerCase().startsWith(`${this.org.orgUrl.toLowerCase()}/`)) {
        throw new SyncError('DATAVERSE_PAYLOAD_INVALID', `refusing to send the organisation's token to another origin (${originOf(pathOrUrl)})`, {
          details: { expectedOrigin: this.org.orgUrl },
        });
      }
      return pathOrUrl;
    }
    return pathOrUrl.startsWith('/') ? `${this.org.orgUrl}${pathOrUrl}` : `${this.org.apiBase}/${pathOrUrl}`;
  }

  /** One logical request: retried (per request) through services/shared/retry.ts. */
  private async fetchWithRetry<B = unknown>(url: string, prefs: ODataPreferences, signal: AbortSignal | undefined, parse: (body: Uint8Array) => B = parseDataverseJson as (body: Uint8Array) => B): Promise<Exchange<B>> {
    const state = { refreshedAfter401: false };
    try {
      return await retry((_attempt) => this.attempt(url, prefs, signal, state, parse), {
        ...this.retryOptions,
        signal,
        onRetry: (err, attempt, delayMs) => this.metrics.retry?.({ code: err.code, attempt, delayMs }),
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw err;
    }
  }

  /** One HTTP attempt: gate, token, slot, GET, classify. */
  private async attempt<B>(url: string, prefs: ODataPreferences, signal: AbortSignal | undefined, state: { refreshedAfter401: boolean }, parse: (body: Uint8Array) => B): Promise<Exchange<B>> {
    const path = pathOf(url);
    await this.gate.wait(signal);
    const token = await this.tokens.getToken();
    const release = await this.limiter.acquire(signal);
    const startedMs = this.clock.nowMs();
    let status: number | undefined;
    try {
      const res = await this.send(url, buildODataHeaders(token, prefs), signal);
      status = res.statusCode;
      // the bytes, not a decoded string: the exact-number parser reads UTF-8 (a page is held once, as bytes)
      const bytes = await res.body.bytes();
      const endedMs = this.clock.nowMs();
      this.adoptDopHint(res.headers['x-ms-dop-hint']);
      if (status >= 200 && status < 300) {
        this.limiter.onSuccess();
        let body: B;
        try {
          body = parse(bytes);
        } catch (err) {
          throw invalidBodyError(path, err);
        }
        return { body, headers: res.headers, startedMs, endedMs };
      }
      const err = classifyResponse({ status, body: new TextDecoder().decode(bytes), retryAfter: header(res.headers, 'retry-after'), path, nowMs: endedMs });
      throw this.react(err, state);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw isSyncError(err) ? err : classifyTransportError(err, path);
    } finally {
      release();
      this.metrics.request?.({ status, durationMs: this.clock.nowMs() - startedMs });
    }
  }

  /** Side effects of a classified failure: pause on 429, refresh once on 401. Returns the error to throw. */
  private react(err: SyncError, state: { refreshedAfter401: boolean }): SyncError {
    if (err.code === 'DATAVERSE_THROTTLED') {
      const pauseMs = err.retryAfterMs ?? this.defaultThrottleMs;
      this.gate.pauseFor(pauseMs);
      this.limiter.onThrottled();
      this.metrics.throttled?.({ retryAfterMs: pauseMs });
      return err.retryAfterMs === undefined ? new SyncError(err.code, err.message, { retryAfterMs: pauseMs, details: err.details }) : err;
    }
    if (err.code === 'AUTH_TOKEN_EXPIRED') {
      if (state.refreshedAfter401) {
        return new SyncError(
          'AUTH_FAILED',
          `Dataverse ${this.org.orgUrl} rejected a freshly acquired token (401 twice): check that the app registration exists as an ` +
            'application user in this environment (or that the consenting user has access) and that the org URL matches the token audience',
          { details: err.details },
        );
      }
      state.refreshedAfter401 = true;
      this.tokens.invalidate();
    }
    return err;
  }

  private adoptDopHint(value: string | string[] | undefined): void {
    const hint = Number(Array.isArray(value) ? value[0] : value);
    if (Number.isInteger(hint) && hint > 0) {
      const ceiling = Math.min(hint, this.maxConcurrency);
      if (ceiling !== this.limiter.ceiling) this.limiter.setCeiling(ceiling);
    }
  }

  /**
   * The only request function of the client: no method parameter, and the URL's path and query are passed to
   * undici as received (nextLinks verbatim, no re-encoding).
   */
  private send(url: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<Dispatcher.ResponseData> {
    const origin = this.org.orgUrl;
    return this.dispatcher.request({
      origin,
      path: url.slice(origin.length),
      // Invariant 1: nothing is ever written to Dataverse.
      method: 'GET',
      headers,
      signal,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }
}

/** Row `i` of a cut page; a row that is not JSON is an invalid body (retriable, like a truncated one). */
function rowOf(split: SplitCollection, i: number, url: string): unknown {
  try {
    return split.row(i);
  } catch (err) {
    throw isSyncError(err, 'DATAVERSE_PAYLOAD_INVALID') ? invalidBodyError(pathOf(url), err) : err;
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an unparseable URL';
  }
}
