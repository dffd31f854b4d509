/**
 * Wire behaviour that breaks naive connectors: change tracking (changes, deletes, refused options, expiry),
 * service protection limits (429 + Retry-After), counted refusal of writes, Entra errors and revocation,
 * windows on modifiedon with the control API's mutations and clock, counts and query-option errors.
 */
import { DynamicsWebApi } from 'dynamics-web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type SimFixture } from '../../harness/sim-fixture.ts';

let f: SimFixture;
let token: string;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19) + 'Z';

beforeAll(async () => {
  f = await startFixture({ rows: 300, tableRows: { contact: 6_000 } });
  token = await f.appToken();
});
afterAll(async () => f?.sim.close());

type Page = { value: Array<Record<string, unknown>>; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };

async function follow(first: string, headers: Record<string, string>): Promise<{ rows: Array<Record<string, unknown>>; deltaLink?: string }> {
  const rows: Array<Record<string, unknown>> = [];
  let url: string | undefined = first;
  let deltaLink: string | undefined;
  while (url) {
    const res = await f.get(url, token, headers);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    rows.push(...page.value);
    url = page['@odata.nextLink'];
    deltaLink = page['@odata.deltaLink'] ?? deltaLink;
  }
  return deltaLink ? { rows, deltaLink } : { rows };
}

describe('change tracking', () => {
  const prefer = { Prefer: 'odata.track-changes,odata.maxpagesize=120' };

  it('returns every row first, then changes and deletes through the delta link', async () => {
    const initial = await follow('accounts?$select=name', prefer);
    expect(initial.rows).toHaveLength(300);
    expect(initial.deltaLink).toMatch(/\$deltatoken=\d+%21/);
    const [a, b] = initial.rows.map((r) => String(r.accountid));
    await f.control('PATCH', `/tables/account/rows/${a}`, { values: { name: 'Changed Ltd' } });
    await f.control('DELETE', `/tables/account/rows/${b}`);
    const created = await f.control<{ accountid: string }>('POST', '/tables/account/rows', { values: { name: 'New Co' } });
    const delta = await follow(initial.deltaLink ?? '', prefer);
    expect(delta.rows.slice(0, 2).map((r) => r.name)).toEqual(['Changed Ltd', 'New Co']);
    expect(delta.rows[1]?.accountid).toBe(created.accountid);
    expect(delta.rows[2]).toMatchObject({ id: b, reason: 'deleted' });
    expect(String(delta.rows[2]?.['@odata.context'])).toMatch(/\$metadata#accounts\/\$deletedEntity$/);
    const again = await follow(delta.deltaLink ?? '', prefer);
    expect(again.rows).toEqual([]);
  });

  it('refuses $filter with change tracking and expires tokens after the retention period', async () => {
    const refused = await f.get('accounts?$select=name&$filter=statecode eq 0', token, prefer);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(`"$filter" query parameter isn't supported when Change Tracking is enabled`);
    const { deltaLink } = await follow('transactioncurrencies?$select=isocurrencycode', prefer);
    await f.control('POST', '/clock', { shiftDays: 8 });
    try {
      const expired = await f.get(deltaLink ?? '', await f.appToken(), prefer);
      expect(expired.status).toBe(400);
      expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('0x80044352');
    } finally {
      await f.control('POST', '/clock', { shiftDays: -8 });
      token = await f.appToken();
    }
  });

  it('gives no delta link on a table without change tracking', async () => {
    const page = await follow('new_importlogs?$select=new_name', prefer);
    expect(page.deltaLink).toBeUndefined();
  });
});

describe('service protection limits', () => {
  it('answers 429 with Retry-After once the request limit is exceeded', async () => {
    await f.control('POST', '/limits', { requests: 5, windowSeconds: 60 });
    try {
      const statuses: Array<[number, string | null, string]> = [];
      for (let i = 0; i < 7; i++) {
        const res = await f.get('WhoAmI', token);
        statuses.push([res.status, res.headers.get('retry-after'), await res.text()]);
      }
      expect(statuses.slice(0, 5).every(([s]) => s === 200)).toBe(true);
      const [status, retryAfter, body] = statuses[5] ?? [0, null, ''];
      expect(status).toBe(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(JSON.parse(body).error.code).toBe('0x80072322');
    } finally {
      await f.control('POST', '/limits', { requests: 6000, windowSeconds: 300 });
    }
  });

  it('trips the concurrency limit immediately', async () => {
    await f.control('POST', '/limits', { concurrency: 1 });
    await f.control('POST', '/faults', { latencyMs: 300 });
    try {
      const results = await Promise.all([0, 1, 2].map(() => f.get('WhoAmI', token)));
      const throttled = results.filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      expect(((await throttled[0]!.json()) as { error: { code: string } }).error.code).toBe('0x80072326');
    } finally {
      await f.control('DELETE', '/faults');
      await f.control('POST', '/limits', { concurrency: 52 });
    }
  });
});

describe('writes are refused and counted', () => {
  it('counts POST/PATCH/DELETE on the data API', async () => {
    const before = (await f.control<{ count: number }>('GET', '/non-get')).count;
    const api = new DynamicsWebApi({ serverUrl: f.sim.orgUrl, dataApi: { version: '9.2' }, onTokenRefresh: async () => token });
    await expect(api.create({ collection: 'accounts', data: { name: 'x' } })).rejects.toMatchObject({ status: 403 });
    const who = await fetch(`${f.sim.orgUrl}/api/data/v9.2/WhoAmI`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(who.status).toBe(404);
    const after = await f.control<{ count: number; byMethod: Record<string, number> }>('GET', '/non-get');
    expect(after.count - before).toBe(2);
  });
});

describe('Entra errors and revocation', () => {
  const tokenCall = (form: Record<string, string>) => fetch(`${f.sim.authority}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form) });

  it.each([
    [{ client_secret: 'wrong' }, 401, 'invalid_client', 'AADSTS7000215'],
    [{ scope: 'https://graph.microsoft.com/.default' }, 400, 'invalid_resource', 'AADSTS500011'],
    [{ scope: 'openid' }, 400, 'invalid_scope', 'AADSTS1002012'],
    [{ client_id: '00000000-0000-0000-0000-000000000001' }, 400, 'unauthorized_client', 'AADSTS700016'],
  ])('rejects %j', async (override, status, error, code) => {
    const res = await tokenCall({ grant_type: 'client_credentials', client_id: f.sim.clientId, client_secret: f.sim.clientSecret, scope: `${f.sim.orgUrl}/.default`, ...override });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe(error);
    expect(body.error_description).toMatch(new RegExp(`^${code}:`));
  });

  it('answers 401 with the Bearer challenge for expired and revoked tokens, and refuses revoked refresh tokens', async () => {
    const challenge = (res: Response) => res.headers.get('www-authenticate') ?? '';
    const missing = await fetch(`${f.sim.orgUrl}/api/data/v9.2/WhoAmI`);
    expect(missing.status).toBe(401);
    expect(challenge(missing)).toBe(`Bearer authorization_uri=${f.sim.authority}/oauth2/authorize, resource_id=${f.sim.orgUrl}/`);
    await f.control('POST', '/clock', { shiftSeconds: 2 * 3600 });
    try {
      expect((await f.get('WhoAmI', token)).status).toBe(401);
    } finally {
      await f.control('POST', '/clock', { shiftSeconds: -2 * 3600 });
    }
    const fresh = await f.appToken();
    expect((await f.get('WhoAmI', fresh)).status).toBe(200);
    await f.control('POST', '/revoke', { accessTokens: true });
    expect((await f.get('WhoAmI', fresh)).status).toBe(401);
    token = await f.appToken();

    const authorize = new URL(`${f.sim.authority}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({ client_id: f.sim.clientId, response_type: 'code', redirect_uri: 'http://localhost:1/cb', scope: `${f.sim.orgUrl}/user_impersonation offline_access` }).toString();
    const code = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '').searchParams.get('code') ?? '';
    const user = (await (await tokenCall({ grant_type: 'authorization_code', client_id: f.sim.clientId, code, redirect_uri: 'http://localhost:1/cb' })).json()) as { refresh_token: string };
    await f.control('POST', '/revoke', { refreshTokens: true });
    const refused = await tokenCall({ grant_type: 'refresh_token', client_id: f.sim.clientId, refresh_token: user.refresh_token });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error_description: string }).error_description).toMatch(/^AADSTS50173:/);
  });
});

describe('windows, mutations and the clock', () => {
  it('serves modifiedon windows with paging, follows bulk creates, backdating and the shifted clock', async () => {
    const now = (await f.control<{ nowMs: number }>('GET', '/clock')).nowMs;
    const from = Math.floor(now / 1000) * 1000 - 1000;
    const bulk = await f.control<{ modifiedon: string; count: number }>('POST', '/tables/contact/bulk', { count: 2500, modifiedon: iso(from) });
    expect(bulk.modifiedon).toBe(iso(from));
    const window = `contacts?$select=fullname,modifiedon&$filter=modifiedon ge ${iso(from)} and modifiedon lt ${iso(from + 1000)}`;
    const got = await follow(window, { Prefer: 'odata.maxpagesize=1000' });
    expect(got.rows).toHaveLength(2500);
    expect(new Set(got.rows.map((r) => r.contactid)).size).toBe(2500);

    const victim = String(got.rows[0]?.contactid);
    await f.control('POST', `/tables/contact/rows/${victim}/backdate`, { modifiedon: '2020-02-02T10:00:00Z' });
    const old = await follow(`contacts?$select=modifiedon&$filter=modifiedon ge 2020-02-02T10:00:00Z and modifiedon lt 2020-02-02T10:00:01Z`, {});
    expect(old.rows.map((r) => r.contactid)).toContain(victim);

    await f.control('POST', '/clock', { shiftDays: 1 });
    try {
      const res = await f.get('WhoAmI', await f.appToken());
      const date = Date.parse(res.headers.get('date') ?? '');
      expect(date - now).toBeGreaterThan(86_000_000);
    } finally {
      await f.control('POST', '/clock', { shiftDays: -1 });
    }

    const truth = await fetch(`${f.sim.controlUrl}/tables/contact/truth`);
    const lines = (await truth.text()).trim().split('\n');
    expect(lines).toHaveLength(6_000 + 2500);
    expect(JSON.parse(lines[0] ?? '{}')).toHaveProperty('@odata.etag');
  });

  it('caps counts at 5,000, rejects $skip and unknown sets the Dataverse way', async () => {
    const counted = (await (await f.get('contacts?$count=true&$select=fullname', token, { Prefer: 'odata.maxpagesize=10,odata.include-annotations="*"' })).json()) as Record<string, unknown>;
    expect(counted['@odata.count']).toBe(5000);
    expect(counted['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(true);
    expect(await (await f.get('contacts/$count', token)).text()).toBe('5000');
    const skip = await f.get('contacts?$skip=10', token);
    expect(skip.status).toBe(400);
    const unknown = await f.get('Account', token);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: '0x8006088a', message: "Resource not found for the segment 'Account'." } });
    const total = (await (await f.get("RetrieveTotalRecordCount(EntityNames=['account','contact'])", token)).json()) as { EntityRecordCountCollection: { Values: number[] } };
    expect(total.EntityRecordCountCollection.Values).toHaveLength(2);
  });
});
