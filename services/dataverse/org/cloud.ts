/**
 * The Microsoft clouds a Dataverse organisation can live in, how to recognise each from the org host name, and
 * which Entra ID (login) host issues its tokens. Pure data; see dataverse-web-api.md §A1 (sovereign login hosts)
 * and §A2 (environment host names).
 */

/** The cloud of an organisation. `dev` is the simulator, reachable only through an explicit allow-list. */
export type Cloud = 'public' | 'gcc' | 'gcc-high' | 'dod' | 'china' | 'dev';

/** Every cloud, in a stable order (for tables and messages). */
export const CLOUDS: readonly Cloud[] = ['public', 'gcc', 'gcc-high', 'dod', 'china', 'dev'];

/**
 * One organisation label: ASCII letters (already case-folded), digits and inner hyphens, 1 to 63 characters,
 * and not an IDNA (`xn--`) label. Dataverse environment names never need punycode.
 */
const ORG_LABEL = '(?!xn--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';

/**
 * Host patterns per real cloud, anchored at both ends: exactly one org label, an optional `.api` label, then the
 * regional suffix. Anything before the org label or after the suffix is refused, so look-alikes such as
 * `org.crm.dynamics.com.evil.com` or `evil-crm.dynamics.com` never match.
 * Public: `crm.dynamics.com` and `crm<N>.dynamics.com` for N in 2..99 except 9 (GCC); crm10 (TIP) counts as public.
 */
export const CLOUD_HOST_PATTERNS: ReadonlyArray<{ cloud: Exclude<Cloud, 'dev'>; pattern: RegExp }> = [
  { cloud: 'gcc', pattern: new RegExp(`^(${ORG_LABEL})(\\.api)?\\.crm9\\.dynamics\\.com$`) },
  { cloud: 'public', pattern: new RegExp(`^(${ORG_LABEL})(\\.api)?\\.crm(?:[2-8]|[1-9][0-9])?\\.dynamics\\.com$`) },
  { cloud: 'gcc-high', pattern: new RegExp(`^(${ORG_LABEL})(\\.api)?\\.crm\\.microsoftdynamics\\.us$`) },
  { cloud: 'dod', pattern: new RegExp(`^(${ORG_LABEL})(\\.api)?\\.crm\\.appsplatform\\.us$`) },
  { cloud: 'china', pattern: new RegExp(`^(${ORG_LABEL})(\\.api)?\\.crm\\.dynamics\\.cn$`) },
];

/**
 * Clouds that no longer exist, by host suffix, with what to say: Microsoft Cloud Germany (`crm.microsoftdynamics.de`,
 * login.microsoftonline.de) closed on 29 October 2021; its organisations moved to the public cloud's German region
 * (`crm4.dynamics.com`). A host there is refused rather than sent a token request.
 */
export const RETIRED_CLOUDS: ReadonlyArray<{ suffix: string; what: string }> = [
  { suffix: '.crm.microsoftdynamics.de', what: 'Microsoft Cloud Germany, closed in October 2021: use the organisation\'s new URL in the public cloud (e.g. <org>.crm4.dynamics.com)' },
];

/** What a host of a retired cloud belongs to, or undefined. */
export function retiredCloudOf(hostname: string): string | undefined {
  return RETIRED_CLOUDS.find((r) => hostname.endsWith(r.suffix))?.what;
}

/**
 * Org labels that are Microsoft service hosts, not environments (the Global Discovery Service). Refused so that a
 * connection always points at an organisation.
 */
export const RESERVED_ORG_LABELS: ReadonlySet<string> = new Set(['globaldisco', 'disco']);

/**
 * The Entra ID login host per real cloud. GCC runs on the commercial Entra; GCC High and DoD on the US government
 * one; China on 21Vianet's.
 */
export const LOGIN_HOSTS: Readonly<Record<Exclude<Cloud, 'dev'>, string>> = {
  public: 'login.microsoftonline.com',
  gcc: 'login.microsoftonline.com',
  'gcc-high': 'login.microsoftonline.us',
  dod: 'login.microsoftonline.us',
  china: 'login.partner.microsoftonline.cn',
};

/** The result of matching a host against {@link CLOUD_HOST_PATTERNS}. */
export interface CloudHostMatch {
  cloud: Exclude<Cloud, 'dev'>;
  /** The host without the optional `.api` label, e.g. `org.crm12.dynamics.com`. */
  canonicalHost: string;
  orgLabel: string;
}

/**
 * Matches an already lower-cased host name against the real Dataverse clouds; undefined when it is not a
 * Dataverse environment host.
 */
export function matchCloudHost(hostname: string): CloudHostMatch | undefined {
  for (const { cloud, pattern } of CLOUD_HOST_PATTERNS) {
    const m = pattern.exec(hostname);
    if (m) {
      const orgLabel = m[1] ?? '';
      const canonicalHost = m[2] ? hostname.replace(`${orgLabel}.api.`, `${orgLabel}.`) : hostname;
      return { cloud, canonicalHost, orgLabel };
    }
  }
  return undefined;
}
