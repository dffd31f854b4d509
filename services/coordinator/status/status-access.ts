/**
 * Who may read the status page: the `Host` header must name an allowed host (always checked, whatever address the
 * page is bound to: DNS rebinding makes a browser send an attacker's host name to any address), and, when configured,
 * the request must carry the bearer token or the basic-auth user and password. Settings are the COORDINATOR_STATUS_*
 * variables of {@link STATUS_ACCESS_ENV} (status/README.md, "Exposing it").
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { configError, type ConfigProblem } from '../../shared/config.ts';
import { secretSetting, type ReadText } from '../../shared/credential-files.ts';

/** The names a page bound to loopback is reached by. */
export const LOOPBACK_HOST_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

const list = () =>
  z
    .string()
    .default('')
    .transform((s) => s.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/, 'expected a host name or host:port (an IPv6 address in brackets)')));

/** The status page's access variables (spread into the coordinator's configuration). */
export const STATUS_ACCESS_ENV = {
  /**
   * Host names the page answers to, comma separated: `host` (any port) or `host:port`, as the browser (or the proxy in
   * front) sends them in `Host`; every other name gets 421. Default: 127.0.0.1, localhost, [::1].
   */
  COORDINATOR_STATUS_ALLOWED_HOSTS: list(),
  /** A bearer token every request must carry (`Authorization: Bearer <token>`), at least 16 characters; or _FILE. */
  COORDINATOR_STATUS_TOKEN: z.string().optional(),
  COORDINATOR_STATUS_TOKEN_FILE: z.string().optional(),
  /** HTTP basic authentication (a browser asks for it): the user, with COORDINATOR_STATUS_PASSWORD or _FILE. */
  COORDINATOR_STATUS_USERNAME: z.string().optional(),
  COORDINATOR_STATUS_PASSWORD: z.string().optional(),
  COORDINATOR_STATUS_PASSWORD_FILE: z.string().optional(),
} as const;

/** The parsed variables. */
export type StatusAccessEnv = z.infer<ReturnType<typeof z.object<typeof STATUS_ACCESS_ENV>>>;

/** Loopback names only, no authentication: the page's default. */
export const LOOPBACK_ONLY: StatusAccess = { allowedHosts: [...LOOPBACK_HOST_NAMES], credentials: [], challenge: undefined, summary: `hosts ${LOOPBACK_HOST_NAMES.join(', ')}; no authentication` };

/** Who may read the page. */
export interface StatusAccess {
  /** Lower-case `host` or `host:port` entries. */
  allowedHosts: readonly string[];
  /** SHA-256 of `Bearer <token>` or `Basic <base64(user:password)>`, the accepted Authorization headers; none = open. */
  credentials: readonly Buffer[];
  /** `WWW-Authenticate` of a 401 (basic makes a browser ask). */
  challenge: string | undefined;
  /** What the log says (no secret). */
  summary: string;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks the variables and reads their files: CONFIG_INVALID (as the coordinator's configuration, every problem by
 * variable) for a token shorter than 16 characters, a user without a password or the reverse, unreadable files.
 */
export function statusAccess(env: StatusAccessEnv, reader?: ReadText): StatusAccess {
  const problems: ConfigProblem[] = [];
  const token = secretSetting({ inline: env.COORDINATOR_STATUS_TOKEN, file: env.COORDINATOR_STATUS_TOKEN_FILE, variable: 'COORDINATOR_STATUS_TOKEN', fileVariable: 'COORDINATOR_STATUS_TOKEN_FILE' }, problems, reader);
  if (token !== undefined && token.length < 16) {
    problems.push({ variable: env.COORDINATOR_STATUS_TOKEN_FILE ? 'COORDINATOR_STATUS_TOKEN_FILE' : 'COORDINATOR_STATUS_TOKEN', message: 'the token must be at least 16 characters (e.g. `openssl rand -base64 24`)' });
  }
  const password = secretSetting({ inline: env.COORDINATOR_STATUS_PASSWORD, file: env.COORDINATOR_STATUS_PASSWORD_FILE, variable: 'COORDINATOR_STATUS_PASSWORD', fileVariable: 'COORDINATOR_STATUS_PASSWORD_FILE' }, problems, reader);
  const user = env.COORDINATOR_STATUS_USERNAME;
  const hasPassword = env.COORDINATOR_STATUS_PASSWORD !== undefined || env.COORDINATOR_STATUS_PASSWORD_FILE !== undefined;
  if (user !== undefined && !hasPassword) problems.push({ variable: 'COORDINATOR_STATUS_PASSWORD', message: 'required with COORDINATOR_STATUS_USERNAME (or COORDINATOR_STATUS_PASSWORD_FILE)' });
  if (user === undefined && hasPassword) problems.push({ variable: 'COORDINATOR_STATUS_USERNAME', message: 'required with a status page password' });
  if (user?.includes(':')) problems.push({ variable: 'COORDINATOR_STATUS_USERNAME', message: 'must not contain ":" (HTTP basic authentication)' });
  if (problems.length > 0) throw configError('coordinator', problems);
  const credentials: Buffer[] = [];
  if (token !== undefined) credentials.push(digest(`Bearer ${token}`));
  if (user !== undefined && password !== undefined) credentials.push(digest(`Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`));
  const allowedHosts = env.COORDINATOR_STATUS_ALLOWED_HOSTS.length > 0 ? env.COORDINATOR_STATUS_ALLOWED_HOSTS : [...LOOPBACK_HOST_NAMES];
  const how = [token !== undefined ? 'bearer token' : undefined, user !== undefined ? `basic auth as ${user}` : undefined].filter(Boolean).join(' or ');
  return {
    allowedHosts,
    credentials,
    challenge: user !== undefined ? 'Basic realm="dynsync status", charset="UTF-8"' : token !== undefined ? 'Bearer realm="dynsync status"' : undefined,
    summary: `hosts ${allowedHosts.join(', ')}; ${how || 'no authentication'}`,
  };
}

/** True when the `Host` header names an allowed host (`host` entries match any port, `host:port` that port only). */
export function hostAllowed(hostHeader: string | undefined, allowed: readonly string[]): boolean {
  const host = (hostHeader ?? '').trim().toLowerCase();
  if (host === '') return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return allowed.includes(host) || allowed.includes(name);
}

/** True when the request may read the page: no credentials configured, or its Authorization header is one of them. */
export function authorized(authorization: string | undefined, access: Pick<StatusAccess, 'credentials'>): boolean {
  if (access.credentials.length === 0) return true;
  if (authorization === undefined) return false;
  const given = digest(authorization.trim());
  let ok = false;
  for (const c of access.credentials) ok = timingSafeEqual(given, c) || ok; // compares every credential, in constant time
  return ok;
}
