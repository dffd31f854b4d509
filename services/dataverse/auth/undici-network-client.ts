/**
 * msal-node's `system.networkClient` on undici, so token requests use the same pool and the same extra CA
 * certificate as the Dataverse client (the simulator's self-signed certificate is trusted without a process-wide
 * NODE_EXTRA_CA_CERTS). It sends GETs (authority metadata) and POSTs to an OAuth token endpoint only: the token
 * POST to Entra is the one non-GET request the product makes, and it can never reach a Dataverse Web API path.
 * It also remembers how the last OpenID configuration request failed, which msal-node does not report.
 */
import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import type { Dispatcher } from 'undici';
import type { DiscoveryFailure } from './auth-error-classifier.ts';
import { causeCodes } from '../../shared/errors.ts';

/** Paths a POST may go to: the Entra v2 and v1 token endpoints. */
const TOKEN_PATH = /\/oauth2(\/v2\.0)?\/token$/;
/** The authority metadata document msal-node resolves before any token request. */
const OPENID_CONFIG_PATH = /\/\.well-known\/openid-configuration$/;

/** INetworkModule over an undici dispatcher. */
export class UndiciNetworkClient implements INetworkModule {
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private discovery: DiscoveryFailure | undefined;

  /** `timeoutMs` bounds each exchange (headers and body inactivity); default 30 s. */
  constructor(dispatcher: Dispatcher, timeoutMs = 30_000) {
    this.dispatcher = dispatcher;
    this.timeoutMs = timeoutMs;
  }

  /**
   * How the most recent OpenID configuration GET failed: an HTTP error answer (status and AADSTS number of its body,
   * never its text) or a transport failure (cause codes); undefined after a success or before any such request.
   * msal-node swallows that failure and throws only `endpoints_resolution_error`; the caller passes this to the
   * classifier. One msal client per instance, so it concerns that client's authority.
   */
  get lastDiscoveryFailure(): DiscoveryFailure | undefined {
    return this.discovery;
  }

  /** GET (OpenID configuration, instance discovery); msal passes its own timeout. */
  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.exchange<T>('GET', url, options, timeout);
  }

  /**
   * POST to a token endpoint. Any other URL (in particular a Dataverse `/api/data/` path) is refused before a
   * connection is opened.
   */
  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const path = safePath(url);
    // Invariant 1: nothing is ever written to Dataverse; the only POST we send is an OAuth token request.
    if (!TOKEN_PATH.test(path) || path.includes('/api/data/')) {
      return Promise.reject(new AuthError('network_error', '', `refusing to POST to ${path}: only OAuth token endpoints accept a POST`));
    }
    return this.exchange<T>('POST', url, options);
  }

  private async exchange<T>(method: 'GET' | 'POST', url: string, options: NetworkRequestOptions | undefined, timeout?: number): Promise<NetworkResponse<T>> {
    const parsed = new URL(url);
    const timeoutMs = timeout ?? this.timeoutMs;
    const isDiscovery = method === 'GET' && OPENID_CONFIG_PATH.test(parsed.pathname);
    if (isDiscovery) this.discovery = undefined;
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      res = await this.dispatcher.request({
        origin: parsed.origin,
        path: parsed.pathname + parsed.search,
        method,
        headers: options?.headers ?? {},
        body: method === 'POST' ? (options?.body ?? '') : undefined,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      text = await res.body.text();
    } catch (err) {
      // The message names the host only; the cause keeps the Node/undici code (ECONNREFUSED, TLS trust...).
      const e = new AuthError('network_error', '', `request to ${parsed.host}${parsed.pathname} failed: ${(err as Error).message}`);
      Object.defineProperty(e, 'cause', { value: err, enumerable: false });
      if (isDiscovery) this.discovery = { status: undefined, aadsts: undefined, transportCodes: causeCodes(err) };
      throw e;
    }
    let body: T | undefined;
    try {
      body = (text === '' ? {} : JSON.parse(text)) as T;
    } catch {
      body = undefined;
    }
    if (isDiscovery && res.statusCode >= 400) this.discovery = { status: res.statusCode, aadsts: aadstsOf(body), transportCodes: [] };
    if (body === undefined) {
      throw new AuthError('token_parsing_error', '', `the identity provider at ${parsed.host} returned a non-JSON body (HTTP ${res.statusCode})`);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode, headers, body };
  }
}

/** The AADSTS number of an OAuth error body: `error_codes[0]`, else the `AADSTSnnn` in `error_description`. */
function aadstsOf(body: unknown): number | undefined {
  const b = (body ?? {}) as { error_codes?: unknown; error_description?: unknown };
  const first: unknown = Array.isArray(b.error_codes) ? b.error_codes[0] : undefined;
  if (typeof first === 'number' && Number.isInteger(first) && first > 0) return first;
  const m = typeof b.error_description === 'string' ? /AADSTS(\d+)/.exec(b.error_description) : null;
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(unparseable URL)';
  }
}
