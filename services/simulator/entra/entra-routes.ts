/**
 * Entra ID endpoints: OpenID discovery (v2 and OIDC paths), instance discovery, JWKS, the authorize endpoint
 * (auto-consent: redirects straight back with a code) and the token endpoint (client_credentials,
 * authorization_code with PKCE S256, refresh_token).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, send, sendJson } from '../http/respond.ts';
import { EntraError, entraErrors } from './entra-errors.ts';
import type { TokenService } from './token-service.ts';

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

/** Dependencies of the Entra routes. */
export interface EntraDeps {
  readonly tokens: TokenService;
  readonly nowMs: () => number;
  /** Counts token endpoint calls by grant type (for stats). */
  readonly onToken?: (grant: string, ok: boolean) => void;
}

function openIdConfiguration(base: string, tenant: string): Record<string, unknown> {
  const t = `${base}/${tenant}`;
  return {
    token_endpoint: `${t}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${t}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${t}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/oidc/userinfo`,
    authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${t}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${t}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
    kerberos_endpoint: `${t}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** Splits requested scopes into resource scopes and OIDC scopes; validates the resource. */
function resourceScopes(scope: string, orgUrls: readonly string[], allowed: readonly string[]): string[] {
  const norm = (u: string) => u.replace(/\/$/, '').toLowerCase();
  const out: string[] = [];
  for (const s of scope.split(/\s+/).filter(Boolean)) {
    if (OIDC_SCOPES.has(s)) continue;
    const slash = s.lastIndexOf('/');
    if (slash < 0) throw entraErrors.invalidScope(s);
    const resource = s.slice(0, slash).replace(/\/$/, '').toLowerCase();
    const permission = s.slice(slash + 1);
    const org = orgUrls.find((u) => norm(u) === resource);
    if (org === undefined) throw entraErrors.unknownResource(s.slice(0, slash));
    if (!allowed.includes(permission)) throw entraErrors.invalidScope(s);
    out.push(`${org.replace(/\/$/, '')}/${permission}`);
  }
  if (out.length === 0) throw entraErrors.invalidScope(scope || '(empty)');
  return out;
}

/** The org URL of a resource scope (`https://org/.default` → `https://org`). */
function audienceOf(scope: string | undefined): string | undefined {
  return scope === undefined ? undefined : scope.slice(0, scope.lastIndexOf('/'));
}

function pkceOk(code: { challenge?: string; challengeMethod?: string }, verifier: string | null): boolean {
  if (!code.challenge) return true;
  if (!verifier) return false;
  if ((code.challengeMethod ?? 'plain').toUpperCase() === 'S256') return createHash('sha256').update(verifier).digest('base64url') === code.challenge;
  return verifier === code.challenge;
}

/** Handles an Entra request; returns false when the path is not an Entra path. */
export async function handleEntra(req: IncomingMessage, res: ServerResponse, url: URL, deps: EntraDeps): Promise<boolean> {
  const { tokens } = deps;
  const cfg = tokens.cfg;
  const path = url.pathname.replace(/\/+$/, '');
  const headers = { Date: new Date(deps.nowMs()).toUTCString(), 'Cache-Control': 'no-store, no-cache', 'x-ms-request-id': crypto.randomUUID() };
  if (path === '/common/discovery/instance') {
    const host = url.host;
    sendJson(res, 200, {
      tenant_discovery_endpoint: `${cfg.loginBase}/${cfg.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    }, headers);
    return true;
  }
  const m = /^\/([^/]+)(\/.*)$/.exec(path);
  if (!m) return false;
  const tenant = m[1] ?? '';
  const rest = m[2] ?? '';
  const known = ['/v2.0/.well-known/openid-configuration', '/.well-known/openid-configuration', '/discovery/v2.0/keys', '/discovery/keys', '/oauth2/v2.0/authorize', '/oauth2/v2.0/token', '/oauth2/v2.0/logout'];
  if (!known.includes(rest)) return false;
  try {
    if (tenant !== cfg.tenantId && !['common', 'organizations'].includes(tenant)) {
      throw entraErrors.tenantNotFound(tenant, rest.includes('/.well-known/') || rest.startsWith('/discovery/') ? 'invalid_tenant' : 'invalid_request');
    }
    const issuerTenant = tenant === cfg.tenantId ? tenant : '{tenantid}';
    switch (rest) {
      case '/v2.0/.well-known/openid-configuration':
      case '/.well-known/openid-configuration':
        sendJson(res, 200, { ...openIdConfiguration(cfg.loginBase, tenant), issuer: `${cfg.loginBase}/${issuerTenant}/v2.0` }, headers);
        return true;
      case '/discovery/v2.0/keys':
      case '/discovery/keys':
        sendJson(res, 200, { keys: [{ ...(await tokens.publicJwk()), x5t: (await tokens.publicJwk()).kid, issuer: `${cfg.loginBase}/${cfg.tenantId}/v2.0` }] }, headers);
        return true;
      case '/oauth2/v2.0/logout':
        send(res, 200, 'Signed out.', { ...headers, 'Content-Type': 'text/plain' });
        return true;
      case '/oauth2/v2.0/authorize':
        authorize(res, url, deps, headers);
        return true;
      default:
        if (req.method !== 'POST') throw entraErrors.badGrant();
        await token(req, res, deps, headers);
        return true;
    }
  } catch (err) {
    if (!(err instanceof EntraError)) throw err;
    sendJson(res, err.status, err.body(deps.nowMs()), headers);
    return true;
  }
}

function authorize(res: ServerResponse, url: URL, deps: EntraDeps, headers: Record<string, string>): void {
  const cfg = deps.tokens.cfg;
  const q = url.searchParams;
  const clientId = q.get('client_id') ?? '';
  if (clientId !== cfg.clientId) throw entraErrors.unknownClient(clientId);
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)|^https:\/\//.test(redirectUri)) {
    throw new EntraError('invalid_request', 50011, `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`);
  }
  const target = new URL(redirectUri);
  const state = q.get('state');
  try {
    if (q.get('response_type') !== 'code') throw new EntraError('unsupported_response_type', 700054, "response_type 'id_token' is not enabled for the application.");
    const scopes = resourceScopes(q.get('scope') ?? '', deps.tokens.orgUrls(), ['user_impersonation', '.default']);
    const challenge = q.get('code_challenge') ?? undefined;
    const method = q.get('code_challenge_method') ?? undefined;
    const nonce = q.get('nonce') ?? undefined;
    const code = deps.tokens.newCode({ clientId, redirectUri, scopes, ...(challenge ? { challenge } : {}), ...(method ? { challengeMethod: method } : {}), ...(nonce ? { nonce } : {}) });
    target.searchParams.set('code', code);
    if (q.get('client_info') === '1') target.searchParams.set('client_info', deps.tokens.clientInfo());
    target.searchParams.set('session_state', crypto.randomUUID());
  } catch (err) {
    if (!(err instanceof EntraError)) throw err;
    target.searchParams.set('error', err.error);
    target.searchParams.set('error_description', err.message);
  }
  if (state !== null) target.searchParams.set('state', state);
  send(res, 302, '', { ...headers, Location: target.toString() });
}

async function token(req: IncomingMessage, res: ServerResponse, deps: EntraDeps, headers: Record<string, string>): Promise<void> {
  const { tokens } = deps;
  const cfg = tokens.cfg;
  const form = new URLSearchParams(await readBody(req, 64 * 1024));
  let clientId = form.get('client_id');
  let secret = form.get('client_secret');
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (basic?.[1]) {
    const [id, sec] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    clientId = decodeURIComponent(id ?? '');
    secret = decodeURIComponent(sec ?? '');
  }
  const grant = form.get('grant_type') ?? '';
  try {
    if (!clientId) throw entraErrors.missingParam('client_id');
    if (clientId !== cfg.clientId) throw entraErrors.unknownClient(clientId);
    if (secret !== null && secret !== cfg.clientSecret) throw entraErrors.badSecret(clientId);
    if (!grant) throw entraErrors.missingParam('grant_type');
    const base = { token_type: 'Bearer', expires_in: cfg.tokenLifetimeSeconds, ext_expires_in: cfg.tokenLifetimeSeconds };
    if (grant === 'client_credentials') {
      if (secret === null) throw entraErrors.missingSecret();
      const scope = form.get('scope') ?? '';
      if (!/\/\.default$/.test(scope.trim())) throw entraErrors.scopeNotDefault(scope);
      const [resource] = resourceScopes(scope, tokens.orgUrls(), ['.default']);
      const access = await tokens.accessToken({ kind: 'app', oid: cfg.appObjectId }, undefined, audienceOf(resource));
      sendJson(res, 200, { ...base, access_token: access }, headers);
      deps.onToken?.(grant, true);
      return;
    }
    let scopes: readonly string[];
    let nonce: string | undefined;
    if (grant === 'authorization_code') {
      const codeId = form.get('code');
      if (!codeId) throw entraErrors.missingParam('code');
      const code = tokens.code(codeId);
      if (!code || code.clientId !== clientId) throw entraErrors.badGrant();
      if (code.used) throw entraErrors.codeRedeemed();
      if (code.expiresMs < deps.nowMs()) throw entraErrors.codeExpired();
      if ((form.get('redirect_uri') ?? '') !== code.redirectUri) throw entraErrors.redirectMismatch();
      if (!pkceOk(code, form.get('code_verifier'))) throw entraErrors.pkceMismatch();
      code.used = true;
      scopes = code.scopes;
      nonce = code.nonce;
    } else if (grant === 'refresh_token') {
      const rt = form.get('refresh_token');
      if (!rt) throw entraErrors.missingParam('refresh_token');
      const g = tokens.useRefreshToken(rt);
      if (g.status === 'revoked') throw entraErrors.refreshRevoked();
      if (g.status === 'expired') throw entraErrors.refreshExpired();
      if (g.status !== 'ok' || g.clientId !== clientId) throw entraErrors.badGrant();
      scopes = form.get('scope') ? resourceScopes(form.get('scope') ?? '', tokens.orgUrls(), ['user_impersonation', '.default']) : g.scopes;
    } else {
      throw entraErrors.unsupportedGrant(grant);
    }
    const granted = scopes.map((s) => s.replace(/\/\.default$/, '/user_impersonation'));
    const access = await tokens.accessToken({ kind: 'user', oid: cfg.userObjectId }, 'user_impersonation', audienceOf(scopes[0]));
    sendJson(res, 200, {
      ...base,
      scope: [...new Set(granted)].join(' '),
      access_token: access,
      refresh_token: tokens.newRefreshToken(clientId, scopes),
      id_token: await tokens.idToken(nonce),
      client_info: tokens.clientInfo(),
    }, headers);
    deps.onToken?.(grant, true);
  } catch (err) {
    deps.onToken?.(grant, false);
    throw err;
  }
}
