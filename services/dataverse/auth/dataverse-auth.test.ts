/**
 * DataverseAuth against a fake Entra on undici's MockAgent (no network): the msal configuration (dev authority,
 * known authorities, custom network client), token caching, invalidate(), the encrypted cache surviving a
 * restart, and error classification.
 */
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { isSyncError } from '../../shared/errors.ts';
import type { OrgTarget } from '../org/org-url.ts';
import { EncryptedSecrets, SECRET_NAMES } from '../secrets/encrypted-secrets.ts';
import { SecretCipher } from '../secrets/secret-cipher.ts';
import { MemorySecretStore } from '../secrets/secret-store.ts';
import { DataverseAuth, type AuthFlow } from './dataverse-auth.ts';

const LOGIN = 'https://127.0.0.1:8443'; // a dev authority must be on loopback (authority.ts)
const TENANT = '11111111-2222-3333-4444-555555555555';
const ORG: OrgTarget = { orgUrl: 'https://org.sim.test', host: 'org.sim.test', cloud: 'dev', apiBase: 'https://org.sim.test/api/data/v9.2' };
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const idToken = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ aud: 'app', iss: `${LOGIN}/${TENANT}/v2.0`, tid: TENANT, oid: 'user-1', sub: 's', preferred_username: 'ann@contoso.test', iat: 1, exp: 4102444800 })}.`;

let agent: MockAgent;

function fakeEntra(reply: (form: URLSearchParams, n: number) => { status: number; body: object }) {
  agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(LOGIN);
  const forms: URLSearchParams[] = [];
  pool
    .intercept({ path: `/${TENANT}/v2.0/.well-known/openid-configuration`, method: 'GET' })
    .reply(200, {
      issuer: `${LOGIN}/${TENANT}/v2.0`,
      authorization_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/authorize`,
      token_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/token`,
      end_session_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/logout`,
      jwks_uri: `${LOGIN}/${TENANT}/discovery/v2.0/keys`,
    })
    .persist();
  pool
    .intercept({ path: (p) => p.startsWith(`/${TENANT}/oauth2/v2.0/token`), method: 'POST' })
    .reply((opts) => {
      const form = new URLSearchParams(String(opts.body));
      forms.push(form);
      const r = reply(form, forms.length - 1);
      return { statusCode: r.status, data: JSON.stringify(r.body), responseOptions: { headers: { 'content-type': 'application/json' } } };
    })
    .persist();
  return forms;
}

function auth(flow: AuthFlow, store = new MemorySecretStore(), key = Buffer.alloc(32, 1)) {
  const secrets = new EncryptedSecrets(new SecretCipher({ id: '1', key }), store);
  const a = new DataverseAuth({ connectionId: 'acme', org: ORG, tenantId: TENANT, clientId: 'app', clientSecret: 'the-client-secret', flow, devAuthority: LOGIN, dispatcher: agent, secrets });
  return { a, store, secrets };
}

afterEach(async () => {
  await agent?.close();
});

describe('DataverseAuth, client credentials', () => {
  it('asks for <orgUrl>/.default, caches the token, and invalidate() forces a new one', async () => {
    const forms = fakeEntra((_f, n) => ({ status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: `at-${n}` } }));
    const { a, store } = auth('client-credentials');
    expect(await a.getToken()).toBe('at-0');
    expect(await a.getToken()).toBe('at-0');
    a.invalidate();
    expect(await a.getToken()).toBe('at-1');
    expect(forms.map((f) => [f.get('grant_type'), f.get('scope')])).toEqual([
      ['client_credentials', 'https://org.sim.test/.default'],
      ['client_credentials', 'https://org.sim.test/.default'],
    ]);
    const doc = store.docs.get('acme/token-cache')!;
    expect(JSON.stringify(doc)).not.toContain('at-1');
  });

  it('holds the token while it has more than 5 minutes left: the sealed cache is not read again for each request', async () => {
    fakeEntra((_f, n) => ({ status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: `at-${n}` } }));
    const store = new MemorySecretStore();
    const get = store.get.bind(store);
    let reads = 0;
    store.get = (...args: Parameters<typeof get>) => ((reads += 1), get(...args));
    const { a } = auth('client-credentials', store);
    expect(await a.getToken()).toBe('at-0');
    const afterFirst = reads;
    for (let i = 0; i < 5; i++) expect(await a.getToken()).toBe('at-0');
    expect(reads).toBe(afterFirst);
    a.invalidate();
    expect(await a.getToken()).toBe('at-1');
    expect(reads).toBeGreaterThan(afterFirst);
  });

  it('shares one acquisition between concurrent callers', async () => {
    const forms = fakeEntra((_f, n) => ({ status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: `at-${n}` } }));
    const { a } = auth('client-credentials');
    expect(await Promise.all([a.getToken(), a.getToken(), a.getToken()])).toEqual(['at-0', 'at-0', 'at-0']);
    expect(forms).toHaveLength(1);
  });

  it('refreshes a cached token that expires within 5 minutes', async () => {
    const forms = fakeEntra((_f, n) => ({ status: 200, body: { token_type: 'Bearer', expires_in: 240, access_token: `at-${n}` } }));
    const { a } = auth('client-credentials');
    expect(await a.getToken()).toBe('at-0');
    expect(await a.getToken()).toBe('at-1');
    expect(forms).toHaveLength(2);
  });

  it('maps a wrong secret to AUTH_INVALID_CLIENT without the secret in the message', async () => {
    fakeEntra(() => ({ status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] } }));
    const { a } = auth('client-credentials');
    const err = await a.getToken().catch((e: unknown) => e);
    expect(isSyncError(err, 'AUTH_INVALID_CLIENT')).toBe(true);
    expect((err as Error).message).toBe(`Entra rejected the client credentials (AADSTS7000215): check the client secret of app app in tenant ${TENANT}`);
    expect((err as Error).message).not.toContain('the-client-secret');
  });
});

describe('DataverseAuth, an unknown tenant', () => {
  // msal fetches <authority>/v2.0/.well-known/openid-configuration first and reports its failure only as
  // endpoints_resolution_error; the network client's record of the answer turns it into the right error.
  function entraWithoutTenant(status: number, body: object) {
    agent = new MockAgent({ enableCallHistory: true });
    agent.disableNetConnect();
    agent.get(LOGIN).intercept({ path: `/${TENANT}/v2.0/.well-known/openid-configuration`, method: 'GET' }).reply(status, body).persist();
  }
  const tokenPosts = () => (agent.getCallHistory()?.calls() ?? []).filter((c) => c.method === 'POST');

  it.each<[AuthFlow, 'getToken' | 'getAuthCodeUrl']>([
    ['client-credentials', 'getToken'],
    ['delegated', 'getAuthCodeUrl'],
  ])('%s, %s: AUTH_INVALID_CLIENT naming the tenant (AADSTS90002), no token request', async (flow, call) => {
    entraWithoutTenant(400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${TENANT}' not found. Trace ID: t`, error_codes: [90002] });
    const { a } = auth(flow);
    const err = await (call === 'getToken' ? a.getToken() : a.getAuthCodeUrl('http://127.0.0.1:5555/callback')).catch((e: unknown) => e);
    expect(isSyncError(err, 'AUTH_INVALID_CLIENT')).toBe(true);
    expect((err as Error).message).toBe(`tenant ${TENANT} was not found or does not accept this app (AADSTS90002): check the tenant id`);
    expect(tokenPosts()).toHaveLength(0);
  });

  it('an identity provider failing on its OpenID configuration (503) stays AUTH_UNAVAILABLE', async () => {
    entraWithoutTenant(503, { error: 'temporarily_unavailable', error_codes: [90002] });
    const { a } = auth('client-credentials');
    await expect(a.getToken()).rejects.toSatisfy((e) => isSyncError(e, 'AUTH_UNAVAILABLE'));
  });
});

describe('DataverseAuth, delegated (authorization code + refresh token)', () => {
  const userTokens = (n: number) => ({
    token_type: 'Bearer',
    expires_in: 3599,
    access_token: `user-at-${n}`,
    refresh_token: `rt-${n}`,
    id_token: idToken,
    client_info: b64({ uid: 'user-1', utid: TENANT }),
    // Entra answers a .default request with the granted scopes.
    scope: 'https://org.sim.test/user_impersonation',
  });

  it('builds a PKCE authorize URL, redeems the code, and a new instance refreshes silently from the encrypted cache', async () => {
    const forms = fakeEntra((_f, n) => ({ status: 200, body: userTokens(n) }));
    const first = auth('delegated');
    const start = await first.a.getAuthCodeUrl('http://127.0.0.1:5555/callback', 'st-1');
    const url = new URL(start.url);
    expect(url.origin + url.pathname).toBe(`${LOGIN}/${TENANT}/oauth2/v2.0/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toBe('st-1');
    expect(url.searchParams.get('scope')).toContain('offline_access');
    const account = await first.a.acquireTokenByCode('the-code', 'http://127.0.0.1:5555/callback', start.codeVerifier);
    expect(account.username).toBe('ann@contoso.test');
    expect(forms[0]!.get('code_verifier')).toBe(start.codeVerifier);
    expect(JSON.stringify(first.store.docs.get('acme/token-cache'))).not.toContain('rt-0');
    // The cached access token is used: no refresh-token grant per call.
    expect(await first.a.getToken()).toBe('user-at-0');
    expect(await first.a.getToken()).toBe('user-at-0');
    expect(forms).toHaveLength(1);

    // "restart": a new instance over the same store, forced past the cached access token.
    const second = auth('delegated', first.store);
    second.a.invalidate();
    expect(await second.a.getToken()).toBe('user-at-1');
    expect(forms[1]!.get('grant_type')).toBe('refresh_token');
    expect(forms[1]!.get('refresh_token')).toBe('rt-0');
  });

  it('a revoked refresh token is AUTH_CONSENT_REVOKED telling to re-consent', async () => {
    fakeEntra((f, n) =>
      f.get('grant_type') === 'refresh_token'
        ? { status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS50173: The provided grant has expired due to it being revoked.', error_codes: [50173] } }
        : { status: 200, body: userTokens(n) },
    );
    const { a } = auth('delegated');
    const start = await a.getAuthCodeUrl('http://127.0.0.1:5555/callback');
    await a.acquireTokenByCode('code', 'http://127.0.0.1:5555/callback', start.codeVerifier);
    a.invalidate();
    const err = await a.getToken().catch((e: unknown) => e);
    expect(isSyncError(err, 'AUTH_CONSENT_REVOKED')).toBe(true);
    expect((err as Error).message).toContain('run `dynsync connect` again to re-consent');
  });

  it('with nothing consented yet, getToken says to connect', async () => {
    fakeEntra(() => ({ status: 500, body: {} }));
    const { a } = auth('delegated');
    await expect(a.getToken()).rejects.toSatisfy((e) => isSyncError(e, 'AUTH_CONSENT_REVOKED'));
  });

  it('a cache sealed with another key gives the key-mismatch error', async () => {
    fakeEntra((_f, n) => ({ status: 200, body: userTokens(n) }));
    const { a, store } = auth('delegated');
    const start = await a.getAuthCodeUrl('http://127.0.0.1:5555/callback');
    await a.acquireTokenByCode('code', 'http://127.0.0.1:5555/callback', start.codeVerifier);
    const other = auth('delegated', store, Buffer.alloc(32, 2));
    await expect(other.a.getToken()).rejects.toThrow(/does not match/);
    expect(store.docs.has(`acme/${SECRET_NAMES.tokenCache}`)).toBe(true);
  });
});
