/**
 * Pure unit tests of the client over undici's MockAgent (no network): GET-only, headers, verbatim nextLinks,
 * 401 refresh-once, 429 gating, invalid bodies, WhoAmI. Time is a ManualClock advanced by a fake sleep.
 */
import { readFileSync } from 'node:fs';
import { MockAgent, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { isSyncError } from '../../shared/errors.ts';
import type { OrgTarget } from '../org/org-url.ts';
import { DataverseClient, type DataverseClientOptions } from './dataverse-client.ts';

const ORG: OrgTarget = { orgUrl: 'https://org.crm.dynamics.com', host: 'org.crm.dynamics.com', cloud: 'public', apiBase: 'https://org.crm.dynamics.com/api/data/v9.2' };
const API = '/api/data/v9.2';

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
}
type Reply = { status: number; body?: string | object; headers?: Record<string, string> };

let agent: MockAgent;

/** A client over a MockAgent whose replies come from `respond` (by call number and path); records every request. */
function harness(respond: (n: number, path: string) => Reply, extra: Partial<DataverseClientOptions> = {}) {
  agent = new MockAgent();
  agent.disableNetConnect();
  const seen: Seen[] = [];
  agent
    .get(ORG.orgUrl)
    .intercept({ path: () => true, method: () => true })
    .reply((opts) => {
      const r = respond(seen.length - 1, opts.path);
      return { statusCode: r.status, data: typeof r.body === 'object' ? JSON.stringify(r.body) : (r.body ?? ''), responseOptions: { headers: r.headers ?? {} } };
    })
    .persist();
  // Record what reaches the dispatcher, before the mock: the raw path and the method.
  const recording: Dispatcher = agent.compose((dispatch) => (opts, handler) => {
    seen.push({ method: String(opts.method), path: String(opts.path), headers: { ...(opts.headers as Record<string, string>) } });
    return dispatch(opts, handler);
  });
  const clock = new ManualClock(Date.parse('2025-01-01T00:00:00Z'));
  const sleeps: number[] = [];
  const tokens = { invalidated: 0 };
  const client = new DataverseClient({
    org: ORG,
    dispatcher: recording,
    tokenProvider: {
      getToken: async () => `token-${tokens.invalidated}`,
      invalidate: () => void tokens.invalidated++,
    },
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    retry: { retries: 3, minDelayMs: 10, maxDelayMs: 100, random: () => 0 },
    ...extra,
  });
  return { client, seen, sleeps, tokens, clock };
}

afterEach(async () => {
  await agent?.close();
});

const page = (rows: unknown[], next?: string) => ({ status: 200, body: { '@odata.context': 'c', value: rows, ...(next ? { '@odata.nextLink': next } : {}) } });

describe('DataverseClient: GET only (Invariant 1)', () => {
  it('has exactly one request call site, hard-coded to GET, and no method anywhere in its public API', () => {
    const source = readFileSync(new URL('./dataverse-client.ts', import.meta.url), 'utf8');
    expect(source.match(/\.request\(/g)).toHaveLength(1);
    expect(source.match(/method:/g)).toHaveLength(1);
    expect(source).toMatch(/\/\/ Invariant 1: nothing is ever written to Dataverse\.\n\s+method: 'GET',/);
    const publicMethods = Object.getOwnPropertyNames(DataverseClient.prototype).filter((m) => m !== 'constructor' && !new RegExp(`private (async )?${m}[<(]`).test(source));
    expect(publicMethods.sort()).toEqual(['concurrency', 'getJson', 'lazyPages', 'pages', 'whoAmI']);
  });

  it('sends only GETs whatever the caller passes', async () => {
    const h = harness((_n, path) => (path.includes('WhoAmI') ? { status: 200, body: { UserId: 'u', BusinessUnitId: 'b', OrganizationId: 'o' }, headers: { date: 'Wed, 01 Jan 2025 00:00:00 GMT' } } : page([{ a: 1 }])));
    await h.client.getJson('accounts', { method: 'POST', body: '{}' } as never);
    for await (const _ of h.client.pages('accounts', { method: 'DELETE' } as never)) void _;
    for await (const _ of h.client.lazyPages('accounts', { method: 'PATCH' } as never)) void _;
    await h.client.whoAmI();
    expect(h.seen.map((s) => s.method)).toEqual(['GET', 'GET', 'GET', 'GET']);
  });
});

describe('DataverseClient: headers and paging', () => {
  const NEXT = `${ORG.orgUrl}${API}/contacts?$select=fullname&$skiptoken=%3Ccookie%20pagenumber=%222%22%20pagingcookie=%22%253ccookie%2520page%253d%25221%2522%253e%253c%252fcookie%253e%22%20istracking=%22False%22%20/%3E`;

  it('follows the nextLink byte for byte with the same Prefer and OData headers, and returns exact numbers', async () => {
    const h = harness((n) => (n === 0 ? { status: 200, body: `{"value":[{"revenue":20000.0000}],"@odata.nextLink":${JSON.stringify(NEXT)}}` } : page([{ id: 2 }])));
    const pages = [];
    for await (const p of h.client.pages('contacts?$select=fullname', { maxPageSize: 2, annotations: '*' })) pages.push(p);
    expect(h.seen.map((s) => s.path)).toEqual([`${API}/contacts?$select=fullname`, NEXT.slice(ORG.orgUrl.length)]);
    for (const s of h.seen) {
      expect(s.headers).toMatchObject({
        accept: 'application/json',
        'odata-maxversion': '4.0',
        'odata-version': '4.0',
        authorization: 'Bearer token-0',
        prefer: 'odata.maxpagesize=2,odata.include-annotations="*"',
      });
    }
    expect(pages[0]!.rows).toEqual([{ revenue: '20000.0000' }]);
    expect(pages[1]!.nextLink).toBeUndefined();
  });

  it('refuses to follow a nextLink to another origin (the token would leak)', async () => {
    const h = harness(() => page([], 'https://evil.example.com/api/data/v9.2/contacts?p=2'));
    const it = h.client.pages('contacts');
    await it.next();
    await expect(it.next()).rejects.toSatisfy((e) => isSyncError(e, 'DATAVERSE_PAYLOAD_INVALID'));
    expect(h.seen).toHaveLength(1);
  });
});

describe('DataverseClient: failures', () => {
  it('on 401 invalidates the token and retries once with a new one', async () => {
    const h = harness((n) => (n === 0 ? { status: 401 } : page([])));
    await h.client.getJson('accounts');
    expect(h.tokens.invalidated).toBe(1);
    expect(h.seen.map((s) => s.headers.authorization)).toEqual(['Bearer token-0', 'Bearer token-1']);
  });

  it('a second 401 is AUTH_FAILED with an actionable message, after exactly two requests', async () => {
    const h = harness(() => ({ status: 401 }));
    const err = await h.client.getJson('accounts').catch((e: unknown) => e);
    expect(isSyncError(err, 'AUTH_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/application user/);
    expect(h.seen).toHaveLength(2);
  });

  it('a 429 pauses the connection for Retry-After, halves concurrency, and the page then succeeds', async () => {
    const throttled: number[] = [];
    const h = harness((n) => (n === 0 ? { status: 429, body: { error: { code: '0x80072322', message: 'Number of requests exceeded' } }, headers: { 'retry-after': '7' } } : page([1])), {
      maxConcurrency: 8,
      metrics: { throttled: (e) => throttled.push(e.retryAfterMs) },
    });
    const body = await h.client.getJson('accounts');
    expect(body).toMatchObject({ value: ['1'] });
    expect(throttled).toEqual([7000]);
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(7000);
    expect(h.client.concurrency.limit).toBe(4);
  });

  it.each<[string, Reply]>([
    ['truncated JSON', { status: 200, body: '{"value":[{"a":1},' }],
    ['HTML instead of JSON', { status: 200, body: '<html></html>' }],
    ['503', { status: 503, body: '' }],
  ])('retries a transport-level fault (%s) and then succeeds', async (_name, first) => {
    const h = harness((n) => (n === 0 ? first : page([])));
    await h.client.getJson('accounts');
    expect(h.seen).toHaveLength(2);
  });

  it('gives up after the retries with DATAVERSE_UNAVAILABLE naming the path, never the token', async () => {
    const h = harness(() => ({ status: 200, body: '{"value":[' }));
    const err = await h.client.getJson('accounts').catch((e: unknown) => e);
    expect(isSyncError(err, 'DATAVERSE_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toContain(`${API}/accounts`);
    expect(JSON.stringify((err as { toJSON(): unknown }).toJSON())).not.toContain('token-');
    expect(h.seen).toHaveLength(4);
  });

  it.each<[string, Reply, string]>([
    ['403', { status: 403, body: { error: { code: '0x80040220', message: 'no privilege' } } }, 'AUTH_FORBIDDEN'],
    ['404', { status: 404, body: { error: { code: '0x8006088a', message: "Resource not found for the segment 'Account'." } } }, 'DATAVERSE_NOT_FOUND'],
    ['400', { status: 400, body: { error: { code: '0x0', message: 'bad' } } }, 'DATAVERSE_BAD_REQUEST'],
    ['expired delta', { status: 400, body: { error: { code: '0x80044352', message: 'expired' } } }, 'DATAVERSE_DELTA_EXPIRED'],
  ])('does not retry %s', async (_name, reply, code) => {
    const h = harness(() => reply);
    const err = await h.client.getJson('accounts').catch((e: unknown) => e);
    expect(isSyncError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    expect(h.seen).toHaveLength(1);
  });
});

describe('DataverseClient.lazyPages: rows parsed when asked for', () => {
  const collect = async <T,>(it: AsyncIterable<T>): Promise<T[]> => {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  };
  const rowsOf = (p: { rows: { length: number; at(i: number): unknown } }) => Array.from({ length: p.rows.length }, (_, i) => p.rows.at(i));

  it('gives the pages, rows (exact numbers) and links pages gives, with the same requests', async () => {
    const NEXT = `${ORG.orgUrl}${API}/contacts?$skiptoken=2`;
    const reply = (n: number): Reply => (n % 2 === 0 ? { status: 200, body: `{"@odata.count":2,"value":[{"revenue":20000.0000,"n":"x"},{"b":-1E-10}],"@odata.nextLink":${JSON.stringify(NEXT)}}` } : page([{ id: 2 }]));
    const eager = harness(reply);
    const pages = [];
    for await (const p of eager.client.pages('contacts', { maxPageSize: 2 })) pages.push(p);
    const lazy = harness(reply);
    const lazyPages = [];
    for await (const p of lazy.client.lazyPages('contacts', { maxPageSize: 2 })) lazyPages.push(p);
    expect(lazy.seen).toEqual(eager.seen);
    expect(lazyPages.map((p) => ({ ...p, rows: rowsOf(p) }))).toEqual(pages);
    expect(rowsOf(lazyPages[0]!)).toEqual([{ revenue: '20000.0000', n: 'x' }, { b: '-1E-10' }]);
  });

  it('retries a truncated page, like pages', async () => {
    const h = harness((n) => (n === 0 ? { status: 200, body: '{"value":[{"a":1},{"b":' } : page([{ a: 1 }])));
    const pages = [];
    for await (const p of h.client.lazyPages('accounts')) pages.push(rowsOf(p));
    expect(pages).toEqual([[{ a: '1' }]]);
    expect(h.seen).toHaveLength(2);
  });

  it('a row that is not JSON fails when it is read, as a retriable invalid body naming the path only', async () => {
    const h = harness(() => ({ status: 200, body: '{"value":[{"a":1},{"secret" 2}]}' }));
    const [p] = await collect(h.client.lazyPages('accounts'));
    expect(p!.rows.at(0)).toEqual({ a: '1' });
    const err = (() => {
      try {
        return p!.rows.at(1);
      } catch (e) {
        return e;
      }
    })();
    expect(isSyncError(err, 'DATAVERSE_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toContain(`${API}/accounts`);
    expect((err as Error).message).not.toContain('secret');
  });

  it.each([['{"value":5}'], ['{"value":[],"value":[{"a":1}]}'], ['[]']])('refuses the collection body %s', async (body) => {
    const h = harness(() => ({ status: 200, body }));
    await expect(collect(h.client.lazyPages('accounts'))).rejects.toSatisfy((e) => isSyncError(e, 'DATAVERSE_PAYLOAD_INVALID'));
  });
});

describe('DataverseClient: cancellation', () => {
  it('an aborted scan rejects with the abort reason and sends nothing more', async () => {
    const h = harness((n) => page([n], `${ORG.orgUrl}${API}/accounts?p=${n + 1}`));
    const ac = new AbortController();
    const it = h.client.pages('accounts', { signal: ac.signal });
    await it.next();
    ac.abort(new Error('shutdown'));
    await expect(it.next()).rejects.toThrow('shutdown');
    expect(h.seen).toHaveLength(1);
  });
});

describe('DataverseClient.whoAmI', () => {
  it('returns ids, the dop hint (which caps concurrency), server time and clock skew', async () => {
    const h = harness(() => ({
      status: 200,
      body: { '@odata.context': 'c', UserId: 'u-1', BusinessUnitId: 'b-1', OrganizationId: 'o-1' },
      headers: { 'x-ms-dop-hint': '3', date: 'Wed, 01 Jan 2025 00:00:05 GMT' },
    }));
    const me = await h.client.whoAmI();
    expect(me).toEqual({ userId: 'u-1', businessUnitId: 'b-1', organizationId: 'o-1', dopHint: 3, serverTime: new Date('2025-01-01T00:00:05Z'), clockSkewMs: 5000 });
    expect(h.client.concurrency.ceiling).toBe(3);
  });

  it('never raises the ceiling above maxConcurrency', async () => {
    const h = harness(() => ({ status: 200, body: { UserId: 'u', BusinessUnitId: 'b', OrganizationId: 'o' }, headers: { 'x-ms-dop-hint': '48', date: 'Wed, 01 Jan 2025 00:00:00 GMT' } }), { maxConcurrency: 6 });
    await h.client.whoAmI();
    expect(h.client.concurrency.ceiling).toBe(6);
  });
});
