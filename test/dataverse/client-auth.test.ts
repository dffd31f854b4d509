/**
 * The Dataverse client and OAuth against the REAL simulator (HTTPS, self-signed CA trusted through the injected
 * undici pool, no NODE_EXTRA_CA_CERTS) and the real MongoDB-protocol store for the sealed token cache.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSyncError } from '../../services/shared/errors.ts';
import { DataverseAuth } from '../../services/dataverse/auth/dataverse-auth.ts';
import { saveClientSecret, loadClientSecret } from '../../services/dataverse/auth/stored-client-secret.ts';
import { followAuthorize, startHarness, type SimHarness } from './sim-harness.ts';

const REDIRECT = 'http://127.0.0.1:53682/callback';
let h: SimHarness;

interface Stats {
  requests: { tokenGrants: Record<string, number>; throttled: number; injectedFaults: number };
  tables: Record<string, { entitySetName: string; rows: number }>;
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

describe('client credentials (application user)', () => {
  it('connects: WhoAmI returns ids, the dop hint, server time and clock skew', async () => {
    const client = h.client(h.auth('client-credentials', { connectionId: 'cc' }), { maxConcurrency: 32 });
    const me = await client.whoAmI();
    expect(me.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(me.organizationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(me.dopHint).toBe(8);
    expect(client.concurrency.ceiling).toBe(8);
    expect(Math.abs(me.clockSkewMs)).toBeLessThan(5_000);
  });

  it('measures the skew of a server whose clock runs ahead', async () => {
    const client = h.client(h.auth('client-credentials', { connectionId: 'cc' }));
    await h.control('POST', '/clock', { shiftSeconds: 600 });
    try {
      const me = await client.whoAmI();
      expect(me.clockSkewMs).toBeGreaterThan(595_000);
      expect(me.clockSkewMs).toBeLessThan(605_000);
    } finally {
      await h.control('POST', '/clock', { shiftSeconds: -600 });
    }
  });

  it('a wrong client secret gives AUTH_INVALID_CLIENT naming app and tenant, without the secret', async () => {
    const client = h.client(h.auth('client-credentials', { connectionId: 'wrong', clientSecret: 'not-the-secret' }));
    const err = await client.whoAmI().catch((e: unknown) => e);
    expect(isSyncError(err, 'AUTH_INVALID_CLIENT')).toBe(true);
    expect((err as Error).message).toContain(`check the client secret of app ${h.sim.clientId} in tenant ${h.sim.tenantId}`);
    expect((err as Error).message).not.toContain('not-the-secret');
  });

  it('an unknown tenant gives AUTH_INVALID_CLIENT naming the tenant (AADSTS90002), not an outage to retry', async () => {
    const tenantId = randomUUID();
    // The simulator refuses the tenant where msal looks first, like Entra: 400 invalid_tenant on the OpenID configuration.
    const res = await request(`${h.sim.orgUrl}/${tenantId}/v2.0/.well-known/openid-configuration`, { dispatcher: h.agent });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ error: 'invalid_tenant', error_codes: [90002], error_description: expect.stringMatching(/^AADSTS90002: Tenant '/) });

    const auth = new DataverseAuth({
      connectionId: 'no-tenant', org: h.org, tenantId, clientId: h.sim.clientId, clientSecret: h.sim.clientSecret,
      flow: 'client-credentials', devAuthority: h.sim.orgUrl, dispatcher: h.agent, secrets: h.secrets(),
    });
    const err = await h.client(auth).whoAmI().catch((e: unknown) => e);
    expect(isSyncError(err, 'AUTH_INVALID_CLIENT')).toBe(true);
    expect((err as Error).message).toBe(`tenant ${tenantId} was not found or does not accept this app (AADSTS90002): check the tenant id`);
    expect((err as Error).message).not.toContain(h.sim.clientSecret);
  });

  it('keeps the client secret sealed in the store and reads it back', async () => {
    const secrets = h.secrets();
    const owner = { id: 'cc', orgUrl: h.org.orgUrl, tenantId: h.sim.tenantId, clientId: h.sim.clientId };
    await saveClientSecret(secrets, owner, h.sim.clientSecret);
    const raw = await h.mongo.db(h.dbName).collection('secrets').findOne({ _id: 'cc/client-secret' as never });
    expect(JSON.stringify(raw)).not.toContain(h.sim.clientSecret);
    expect(await loadClientSecret(h.secrets(), owner)).toBe(h.sim.clientSecret);
  });
});

describe('authorization code (delegated, the seed flow)', () => {
  it('consents once, then a restarted process runs from the stored refresh token without a new consent', async () => {
    const before = (await h.control<Stats>('GET', '/stats')).requests.tokenGrants;
    const auth = h.auth('delegated', { connectionId: 'deleg' });
    const start = await auth.getAuthCodeUrl(REDIRECT);
    const { code, state } = await followAuthorize(h.agent, start.url);
    expect(state).toBe(start.state);
    const account = await auth.acquireTokenByCode(code, REDIRECT, start.codeVerifier);
    expect(account.username).toBe('demo.user@contoso.test');
    const me = await h.client(auth).whoAmI();

    // "Restart": new secrets, auth and client instances over the same store; invalidate() forces use of the RT.
    const restarted = h.auth('delegated', { connectionId: 'deleg' });
    restarted.invalidate();
    const again = await h.client(restarted).whoAmI();
    expect(again.userId).toBe(me.userId);
    const after = (await h.control<Stats>('GET', '/stats')).requests.tokenGrants;
    expect((after['authorization_code:ok'] ?? 0) - (before['authorization_code:ok'] ?? 0)).toBe(1);
    expect((after['refresh_token:ok'] ?? 0) - (before['refresh_token:ok'] ?? 0)).toBe(1);

    const raw = await h.mongo.db(h.dbName).collection('secrets').findOne({ _id: 'deleg/token-cache' as never });
    expect(raw).toMatchObject({ keyId: '1' });
    // a JWT has two dot-separated base64url parts starting with eyJ; the ciphertext is standard base64 (no dot), in
    // which a bare "eyJ" occurs by chance (in a few percent of runs)
    expect(JSON.stringify(raw)).not.toMatch(/RefreshToken|refresh_token|eyJ[A-Za-z0-9_-]{8,}\.eyJ/);
  });

  it('a stored cache read with another encryption key fails clearly', async () => {
    const auth = h.auth('delegated', { connectionId: 'deleg', secrets: h.secrets({ id: '1', key: Buffer.alloc(32, 0x07) }) });
    const err = await auth.getToken().catch((e: unknown) => e);
    expect(isSyncError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/encryption key .* does not match/);
  });

  it('revoked consent gives AUTH_CONSENT_REVOKED asking to re-consent', async () => {
    const auth = h.auth('delegated', { connectionId: 'revoked' });
    const start = await auth.getAuthCodeUrl(REDIRECT);
    const { code } = await followAuthorize(h.agent, start.url);
    await auth.acquireTokenByCode(code, REDIRECT, start.codeVerifier);
    await h.control('POST', '/revoke', { accessTokens: true, refreshTokens: true });
    // The cached access token is now refused (401): the client refreshes once, and the refresh is refused.
    const err = await h.client(h.auth('delegated', { connectionId: 'revoked' })).whoAmI().catch((e: unknown) => e);
    expect(isSyncError(err, 'AUTH_CONSENT_REVOKED')).toBe(true);
    expect((err as Error).message).toContain('run `dynsync connect` again to re-consent');
  });
});

describe('reading data', () => {
  it('fetches every table page by page, one bounded page at a time, with exact row counts', async () => {
    const stats = await h.control<Stats>('GET', '/stats');
    const client = h.client(h.auth('client-credentials', { connectionId: 'cc' }));
    const defs = (await client.getJson('EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute')) as {
      value: Array<{ LogicalName: string; EntitySetName: string; PrimaryIdAttribute: string }>;
    };
    expect(defs.value.length).toBeGreaterThanOrEqual(5);
    const maxPageSize = 250;
    for (const t of defs.value) {
      let rows = 0;
      let pages = 0;
      const ids = new Set<string>();
      for await (const page of client.pages(`${t.EntitySetName}?$select=${t.PrimaryIdAttribute}`, { maxPageSize })) {
        expect(page.rows.length).toBeLessThanOrEqual(maxPageSize);
        for (const r of page.rows) ids.add(String(r[t.PrimaryIdAttribute]));
        rows += page.rows.length;
        pages++;
      }
      const expected = stats.tables[t.LogicalName]?.rows;
      expect({ table: t.LogicalName, rows, unique: ids.size }).toEqual({ table: t.LogicalName, rows: expected, unique: expected });
      expect(pages).toBe(Math.max(1, Math.ceil(rows / maxPageSize)));
    }
  });

  it('a 429 storm and truncated bodies slow a scan down but it completes with every row', async () => {
    const throttledBefore = (await h.control<Stats>('GET', '/stats')).requests.throttled;
    const expected = (await h.control<Stats>('GET', '/stats')).tables.account?.rows;
    await h.control('POST', '/faults', { throttleRatio: 0.4, throttleRetryAfterSeconds: 1, truncateRatio: 0.1 });
    let rows = 0;
    const pauses: number[] = [];
    try {
      const throttledClient = h.client(h.auth('client-credentials', { connectionId: 'cc' }), { metrics: { throttled: (e) => pauses.push(e.retryAfterMs) } });
      for await (const page of throttledClient.pages('accounts?$select=accountid', { maxPageSize: 20 })) rows += page.rows.length;
    } finally {
      await h.control('DELETE', '/faults');
    }
    expect(rows).toBe(expected);
    expect(pauses.length).toBeGreaterThan(0);
    expect(pauses.every((ms) => ms === 1000)).toBe(true);
    expect((await h.control<Stats>('GET', '/stats')).requests.throttled).toBeGreaterThan(throttledBefore);
  });

  it('never sent a non-GET request to the Dataverse API', async () => {
    const nonGet = await h.control<{ count: number }>('GET', '/non-get');
    expect(nonGet.count).toBe(0);
  });
});
