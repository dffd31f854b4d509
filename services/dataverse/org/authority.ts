/**
 * Entra ID (OAuth) coordinates of an organisation: the tenant-specific authority for its cloud and the scopes to
 * request. Pure; the auth layer hands these to @azure/msal-node.
 */
import { SyncError } from '../../shared/errors.ts';
import { LOGIN_HOSTS, type Cloud } from './cloud.ts';
import { devOriginProblem } from './org-url.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DNS_LABEL = /^(?!xn--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD = /^[a-z]{2,63}$/;
/** Multi-tenant aliases: the token would not be bound to the customer's tenant, so they are refused. */
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

function tenantError(problem: string): SyncError {
  return new SyncError(
    'CONFIG_INVALID',
    `Invalid tenant id: ${problem}. Use the directory (tenant) id GUID, e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47, ` +
      'or a verified domain of the tenant, e.g. contoso.onmicrosoft.com.',
  );
}

/**
 * Validates and normalises a tenant id: a GUID (returned lower-case) or a verified domain name (ASCII, at least
 * two labels, alphabetic top-level label, returned lower-case). Refuses `common`, `organizations`, `consumers`,
 * and anything else with `CONFIG_INVALID`.
 */
export function normaliseTenantId(tenantId: string): string {
  if (typeof tenantId !== 'string') throw tenantError('it must be text');
  const t = tenantId.trim().toLowerCase();
  if (t === '') throw tenantError('it is empty');
  if (GUID.test(t)) return t;
  if (MULTI_TENANT.has(t)) throw tenantError(`"${t}" is a multi-tenant alias, not a tenant`);
  if (t.length > 253) throw tenantError('it is too long');
  const labels = t.split('.');
  const last = labels[labels.length - 1] ?? '';
  if (labels.length < 2 || !labels.every((l) => DNS_LABEL.test(l)) || !TLD.test(last)) {
    throw tenantError('it is neither a GUID nor a domain name');
  }
  return t;
}

/**
 * The tenant-specific authority URL (no trailing slash) for a cloud:
 * `https://login.microsoftonline.com/<tenant>` for public and GCC, `https://login.microsoftonline.us/<tenant>`
 * for GCC High and DoD, `https://login.partner.microsoftonline.cn/<tenant>` for China. For `dev`, `devAuthority` (an
 * exact https origin on loopback such as `https://127.0.0.1:8443`, the simulator's Entra) is required and used as
 * the login host; it is ignored for every real cloud. Throws `CONFIG_INVALID` for a bad tenant id or a missing or
 * invalid dev authority (one off loopback included: the client secret is posted to it).
 */
export function authorityFor(cloud: Cloud, tenantId: string, devAuthority?: string): string {
  const tenant = normaliseTenantId(tenantId);
  if (cloud !== 'dev') return `https://${LOGIN_HOSTS[cloud]}/${tenant}`;
  if (devAuthority === undefined) {
    throw new SyncError('CONFIG_INVALID', 'A dev organisation needs an explicit dev authority origin, e.g. https://127.0.0.1:8443');
  }
  let url: URL | undefined;
  try {
    url = new URL(devAuthority);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new SyncError('CONFIG_INVALID', `The dev authority "${devAuthority}" must be an https origin such as https://127.0.0.1:8443`);
  }
  const offLoopback = devOriginProblem(url.origin);
  if (offLoopback !== undefined) throw new SyncError('CONFIG_INVALID', `The dev authority ${url.origin} ${offLoopback}`, { details: { variables: ['DYNSYNC_DEV_AUTHORITY'] } });
  return `${url.origin}/${tenant}`;
}

/** Which OAuth flow the scopes are for. */
export type OAuthFlow = 'client-credentials' | 'delegated';

/**
 * The scopes to request for an organisation: `[<orgUrl>/.default]` for client credentials, plus `offline_access`
 * for the delegated (authorization code) flow so a refresh token is issued. `orgUrl` is the canonical origin
 * from `parseOrgUrl` (no trailing slash).
 */
export function scopesFor(orgUrl: string, flow: OAuthFlow): string[] {
  const scope = `${orgUrl.replace(/\/+$/, '')}/.default`;
  return flow === 'delegated' ? [scope, 'offline_access'] : [scope];
}
