import { AuthError } from '@azure/msal-node';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { UndiciNetworkClient } from './undici-network-client.ts';

const ORIGIN = 'https://login.sim.test';
let agent: MockAgent;

function setup() {
  agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  return { pool: agent.get(ORIGIN), client: new UndiciNetworkClient(agent) };
}

afterEach(async () => {
  await agent.close();
});

describe('UndiciNetworkClient', () => {
  it('POSTs the form body to a token endpoint and returns status, lower-case headers and JSON', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: '/tenant/oauth2/v2.0/token?client-request-id=1', method: 'POST', body: 'grant_type=client_credentials' })
      .reply(200, { access_token: 'a', expires_in: 3599 }, { headers: { 'X-Trace': 't' } });
    const res = await client.sendPostRequestAsync<{ access_token: string }>(`${ORIGIN}/tenant/oauth2/v2.0/token?client-request-id=1`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toBe('a');
    expect(res.headers['x-trace']).toBe('t');
  });

  it('GETs the OpenID configuration', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/tenant/v2.0/.well-known/openid-configuration', method: 'GET' }).reply(200, { issuer: 'x' });
    const res = await client.sendGetRequestAsync<{ issuer: string }>(`${ORIGIN}/tenant/v2.0/.well-known/openid-configuration`);
    expect(res.body.issuer).toBe('x');
  });

  it.each([
    `${ORIGIN}/api/data/v9.2/accounts`,
    `${ORIGIN}/api/data/v9.2/oauth2/v2.0/token`,
    `${ORIGIN}/tenant/oauth2/v2.0/authorize`,
    `${ORIGIN}/tenant/oauth2/v2.0/token/extra`,
  ])('refuses to POST anywhere but a token endpoint: %s', async (url) => {
    const { client } = setup();
    await expect(client.sendPostRequestAsync(url, { body: 'x' })).rejects.toBeInstanceOf(AuthError);
    expect(agent.getCallHistory()?.calls() ?? []).toHaveLength(0);
  });

  it('reports a non-JSON body as a parsing error', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/t/oauth2/v2.0/token', method: 'POST' }).reply(502, '<html>bad gateway</html>');
    await expect(client.sendPostRequestAsync(`${ORIGIN}/t/oauth2/v2.0/token`, { body: '' })).rejects.toMatchObject({ errorCode: 'token_parsing_error' });
  });

  describe('lastDiscoveryFailure (what msal drops when the OpenID configuration fails)', () => {
    const OPENID = '/bad-tenant/v2.0/.well-known/openid-configuration';
    const tenantNotFound = { error: 'invalid_tenant', error_description: "AADSTS90002: Tenant 'bad-tenant' not found. Trace ID: x", error_codes: [90002] };

    it.each<[string, number, string | object, { status: number; aadsts: number | undefined }]>([
      ['400 with error_codes', 400, tenantNotFound, { status: 400, aadsts: 90002 }],
      ['400 with the number only in error_description', 400, { error: 'invalid_tenant', error_description: 'AADSTS90072: nope' }, { status: 400, aadsts: 90072 }],
      ['503 without a body', 503, '', { status: 503, aadsts: undefined }],
      ['502 with an HTML body', 502, '<html>bad gateway</html>', { status: 502, aadsts: undefined }],
    ])('records an HTTP error answer: %s (status and AADSTS number, no text)', async (_name, status, body, expected) => {
      const { pool, client } = setup();
      pool.intercept({ path: OPENID, method: 'GET' }).reply(status, body);
      await client.sendGetRequestAsync(`${ORIGIN}${OPENID}`).catch(() => undefined);
      expect(client.lastDiscoveryFailure).toEqual({ ...expected, transportCodes: [] });
    });

    it('records the codes of a transport failure', async () => {
      const { pool, client } = setup();
      pool.intercept({ path: OPENID, method: 'GET' }).replyWithError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
      await expect(client.sendGetRequestAsync(`${ORIGIN}${OPENID}`)).rejects.toMatchObject({ errorCode: 'network_error' });
      expect(client.lastDiscoveryFailure).toEqual({ status: undefined, aadsts: undefined, transportCodes: ['ECONNREFUSED'] });
    });

    it('is cleared by the next successful OpenID configuration request', async () => {
      const { pool, client } = setup();
      pool.intercept({ path: OPENID, method: 'GET' }).reply(400, tenantNotFound);
      pool.intercept({ path: OPENID, method: 'GET' }).reply(200, { issuer: 'x' });
      await client.sendGetRequestAsync(`${ORIGIN}${OPENID}`);
      expect(client.lastDiscoveryFailure?.aadsts).toBe(90002);
      await client.sendGetRequestAsync(`${ORIGIN}${OPENID}`);
      expect(client.lastDiscoveryFailure).toBeUndefined();
    });

    it('ignores other requests (a token error is reported by msal itself)', async () => {
      const { pool, client } = setup();
      pool.intercept({ path: '/bad-tenant/oauth2/v2.0/token', method: 'POST' }).reply(400, tenantNotFound);
      pool.intercept({ path: '/common/discovery/instance', method: 'GET' }).reply(400, tenantNotFound);
      expect((await client.sendPostRequestAsync(`${ORIGIN}/bad-tenant/oauth2/v2.0/token`, { body: '' })).status).toBe(400);
      expect((await client.sendGetRequestAsync(`${ORIGIN}/common/discovery/instance`)).status).toBe(400);
      expect(client.lastDiscoveryFailure).toBeUndefined();
    });
  });

  it('reports a connection failure as network_error with the cause kept', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/t/oauth2/v2.0/token', method: 'POST' }).replyWithError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    const err = await client.sendPostRequestAsync(`${ORIGIN}/t/oauth2/v2.0/token`, { body: '' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ errorCode: 'network_error' });
    expect((err as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });
});
