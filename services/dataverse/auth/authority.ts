/**
 * Where tokens come from for an organisation: the tenant-specific authority of its cloud
 * (services/dataverse/org `authorityFor`), and, for the simulator only (cloud `dev`), the explicit dev authority
 * listed as a known authority so msal skips Microsoft's instance discovery.
 */
import { authorityFor } from '../org/authority.ts';
import type { OrgTarget } from '../org/org-url.ts';

/** The msal `auth` settings that locate the token issuer. */
export interface AuthorityConfig {
  /** `https://<login host>/<tenant>`. */
  authority: string;
  /** `host[:port]` entries trusted without instance discovery (the dev authority's host only). */
  knownAuthorities: string[];
}

/**
 * The authority for `org` and `tenantId`. `devAuthority` (an https origin) is used only when `org.cloud` is `dev`
 * and is required then; CONFIG_INVALID otherwise-invalid tenant ids or dev origins (from `authorityFor`).
 */
export function resolveAuthority(org: OrgTarget, tenantId: string, devAuthority?: string): AuthorityConfig {
  const authority = authorityFor(org.cloud, tenantId, devAuthority);
  return { authority, knownAuthorities: org.cloud === 'dev' ? [new URL(authority).host] : [] };
}
