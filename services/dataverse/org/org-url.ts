/**
 * Validation and normalisation of the organisation URL a customer types. This field decides which host our
 * servers call with a bearer token, so it is an allow-list, not a best-effort parser: only real Dataverse
 * environment hosts (see cloud.ts) and, for development, exact origins listed by the operator are accepted.
 */
import { SyncError } from '../../shared/errors.ts';
import { matchCloudHost, RESERVED_ORG_LABELS, retiredCloudOf, type Cloud } from './cloud.ts';

/** A validated organisation. */
export interface OrgTarget {
  /** The canonical origin, lower-case, no `.api.` label, no port, no path: `https://org.crm12.dynamics.com`. */
  orgUrl: string;
  /** The host as it appears in `orgUrl`: a host name, or `host:port` for a dev origin. */
  host: string;
  cloud: Cloud;
  /** The Web API root used for every call: `orgUrl + '/api/data/v9.2'`. */
  apiBase: string;
}

/** Options of {@link parseOrgUrl}. */
export interface OrgUrlOptions {
  /**
   * Development only: exact `https://host:port` origins on this machine's loopback (e.g. `https://127.0.0.1:8443`,
   * the simulator) accepted besides real Dataverse hosts, with cloud `dev`. Matching is on the whole origin (scheme,
   * host and port), never on a prefix or suffix; the path of the input is still stripped. Production configuration
   * leaves this empty. An entry that is not an https origin on 127.0.0.1, [::1] or localhost is a configuration
   * error (`CONFIG_INVALID`): a dev origin gets the client secret at its sign-in endpoint and is trusted with the dev
   * CA, which must never reach another machine.
   */
  allowDevHosts?: readonly string[];
}

/** The longest input considered; anything longer is refused before parsing. */
export const MAX_ORG_URL_LENGTH = 2048;

/** The Web API version every call uses. */
export const WEB_API_PATH = '/api/data/v9.2';

const EXAMPLE = 'https://org123.crm12.dynamics.com';
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The error for a refused URL. The input itself is never echoed (it may carry a password in user info or a token
 * in the query, Invariant 7); messages name at most the parsed host name.
 */
function invalid(problem: string): SyncError {
  return new SyncError(
    'ORG_URL_INVALID',
    `Invalid organisation URL: ${problem}. Use the environment URL shown in the Power Platform admin centre, ` +
      `for example ${EXAMPLE}.`,
  );
}

/** The host names of this machine's loopback that a development origin may use. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Why `entry` cannot be a development origin, or undefined when it can: it must be an exact https origin (no path,
 * user, query) on 127.0.0.1, [::1] or localhost. Never echoes more than the entry's host.
 */
export function devOriginProblem(entry: string): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(entry);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.username || url.password || `${url.origin}` !== entry.toLowerCase().replace(/\/$/, '').replace(/:443$/, '')) {
    return 'is not an exact https origin such as https://127.0.0.1:8443';
  }
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    return `is on ${url.hostname}, not on this machine's loopback: development origins are https://127.0.0.1:<port>, https://[::1]:<port> or https://localhost:<port> (the simulator)`;
  }
  return undefined;
}

/** Normalises each allow-listed dev origin; throws CONFIG_INVALID on an entry that {@link devOriginProblem} refuses. */
function devOrigins(list: readonly string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const entry of list ?? []) {
    const problem = devOriginProblem(entry);
    if (problem !== undefined) throw new SyncError('CONFIG_INVALID', `DYNSYNC_DEV_ORIGINS entry "${entry.slice(0, 200)}" ${problem}`, { details: { variables: ['DYNSYNC_DEV_ORIGINS'] } });
    out.add(new URL(entry).origin);
  }
  return out;
}

/** Checks on the raw text, before any URL parser can reinterpret it. */
function checkRawText(text: string): void {
  if (text.length === 0) throw invalid('it is empty');
  if (/[\u0000-\u001f\u007f]/.test(text)) throw invalid('it contains control characters');
  if (/\s/.test(text)) throw invalid('it contains spaces');
  if (/[^\x21-\x7e]/.test(text)) throw invalid('it contains non-ASCII characters (look-alike letters are not accepted)');
  if (text.includes('\\')) throw invalid('it contains a backslash');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) throw invalid('it must start with https://');
  if (scheme !== 'https') throw invalid(`the scheme must be https, not ${scheme}`);
  if (!/^https:\/\/[^/]/i.test(text)) throw invalid('it must start with https:// followed by the host name');
}

/**
 * Parses and validates what a customer typed as the organisation URL.
 *
 * Accepts `https://<org>(.api)?.<regional suffix>` for every documented cloud, in any case, with or without a
 * trailing slash, any path (typically `/api/data/v9.x/...` or a model-driven app page such as `/main.aspx?...`),
 * query or fragment, and an explicit `:443`; all of these are stripped. Leading and trailing whitespace is trimmed.
 * The `.api.` form is normalised away, so one environment always has one identity (and one OAuth resource).
 *
 * Refuses, with `ORG_URL_INVALID` naming the problem and showing a valid example: empty or over-long
 * (> {@link MAX_ORG_URL_LENGTH}) input, inner whitespace, control or non-ASCII characters, backslashes, any scheme
 * but https, user info, any port but 443, IP literals, localhost, punycode labels, percent-encoded hosts, trailing
 * dots, and every host that is not exactly one org label under a Dataverse suffix, unless its exact origin is in
 * `options.allowDevHosts`.
 */
export function parseOrgUrl(input: string, options: OrgUrlOptions = {}): OrgTarget {
  if (typeof input !== 'string') throw invalid('it must be text');
  if (input.length > MAX_ORG_URL_LENGTH) throw invalid(`it is longer than ${MAX_ORG_URL_LENGTH} characters`);
  const text = input.trim();
  checkRawText(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('it is not a URL');
  }
  if (url.username || url.password || /^https:\/\/[^/?#]*@/i.test(text)) {
    throw invalid('it must not contain a user name or password');
  }
  const rawAuthority = /^https:\/\/([^/?#]*)/i.exec(text)?.[1]?.toLowerCase() ?? '';
  const plainAuthority = rawAuthority === url.host || rawAuthority === `${url.host}:443`;
  if (plainAuthority && devOrigins(options.allowDevHosts).has(url.origin)) {
    return { orgUrl: url.origin, host: url.host, cloud: 'dev', apiBase: url.origin + WEB_API_PATH };
  }
  if (url.port !== '') throw invalid(`port ${url.port} is not allowed (Dataverse uses the default https port)`);
  const hostname = url.hostname;
  if (hostname.startsWith('[') || IPV4.test(hostname)) throw invalid('IP addresses are not accepted, use the host name');
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) throw invalid('localhost is not a Dataverse host');
  if (!plainAuthority) {
    throw invalid('the host name must be written plainly (no percent-encoding, numeric or shortened forms)');
  }
  if (hostname.endsWith('.')) throw invalid('the host name must not end with a dot');
  if (hostname.split('.').some((label) => label.startsWith('xn--'))) {
    throw invalid('internationalised (punycode) host names are not Dataverse hosts');
  }
  const retired = retiredCloudOf(hostname);
  if (retired) throw invalid(`"${hostname}" belongs to ${retired}`);
  const match = matchCloudHost(hostname);
  if (!match) {
    throw invalid(
      `"${hostname}" is not a Dataverse environment host (expected <org>.crm[N].dynamics.com, ` +
        '<org>.crm.microsoftdynamics.us, <org>.crm.appsplatform.us or <org>.crm.dynamics.cn)'
    );
  }
  if (RESERVED_ORG_LABELS.has(match.orgLabel)) {
    throw invalid(`"${hostname}" is a Microsoft service host, not an environment`);
  }
  const orgUrl = `https://${match.canonicalHost}`;
  return { orgUrl, host: match.canonicalHost, cloud: match.cloud, apiBase: orgUrl + WEB_API_PATH };
}
