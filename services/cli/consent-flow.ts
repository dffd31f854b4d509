/**
 * The seed's "OAuth flow granting the .default scope" from a terminal: start the local callback, build the
 * authorize URL (PKCE S256, our own `state`), print it (and open a browser unless told not to), wait for the
 * redirect, redeem the code. With `autoConsent` (development only, the simulator auto-consents) the CLI follows
 * the authorize URL itself with undici and delivers the redirect to its own callback, as a browser would.
 */
import { randomBytes } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { SyncError } from '../shared/errors.ts';
import type { ConsentedAccount, DataverseAuth } from '../dataverse/auth/dataverse-auth.ts';
import type { CliIo } from './cli-io.ts';
import { startConsentCallback } from './consent-callback.ts';
import { processEnv } from './config.ts';
import { openBrowser } from './open-browser.ts';

/** How long a user has to complete the sign-in. */
export const CONSENT_TIMEOUT_MS = 5 * 60_000;

/** Options of {@link runConsent}. */
export interface ConsentOptions {
  auth: DataverseAuth;
  io: CliIo;
  /** Local redirect port; 0 = any free port. */
  port: number;
  openBrowser: boolean;
  /** Development only: follow the authorize URL through this dispatcher instead of a browser. */
  autoConsent?: Dispatcher | undefined;
  timeoutMs?: number;
}

/** Runs the authorization-code flow; the tokens land in the connection's encrypted cache. */
export async function runConsent(opts: ConsentOptions): Promise<ConsentedAccount> {
  const state = randomBytes(24).toString('base64url');
  const callback = await startConsentCallback({ port: opts.port, state, timeoutMs: opts.timeoutMs ?? CONSENT_TIMEOUT_MS });
  try {
    const start = await opts.auth.getAuthCodeUrl(callback.redirectUri, state);
    const how = opts.autoConsent ? 'Following the sign-in URL without a browser (--auto-consent, development only)' : 'Sign in and consent in your browser';
    opts.io.err(`${how}; the redirect comes back to ${callback.redirectUri}:\n\n  ${start.url}\n\n`);
    if (opts.autoConsent) await followAuthorizeUrl(opts.autoConsent, start.url, callback.redirectUri, callback.port);
    else if (opts.openBrowser) openBrowser(start.url, processEnv());
    const code = await callback.code;
    return await opts.auth.acquireTokenByCode(code, callback.redirectUri, start.codeVerifier);
  } finally {
    await callback.close();
  }
}

/**
 * The browser's part, for the simulator: GET the authorize URL, expect a 302 back to our redirect URI, and
 * deliver it to the local callback (on 127.0.0.1, where it listens). Refuses to follow a redirect elsewhere.
 */
async function followAuthorizeUrl(dispatcher: Dispatcher, url: string, redirectUri: string, port: number): Promise<void> {
  let location: string | undefined;
  try {
    const res = await request(url, { method: 'GET', dispatcher });
    await res.body.dump();
    const loc = res.headers.location;
    location = typeof loc === 'string' ? loc : undefined;
    if (res.statusCode !== 302 || location === undefined) {
      throw new SyncError('AUTH_FAILED', `--auto-consent: the authorize endpoint answered ${res.statusCode} without a redirect (only the simulator consents without a browser)`);
    }
  } catch (err) {
    if (err instanceof SyncError) throw err;
    throw new SyncError('AUTH_UNAVAILABLE', `--auto-consent: cannot reach the authorize endpoint: ${(err as Error).message}`, { cause: err });
  }
  const back = new URL(location);
  const expected = new URL(redirectUri);
  if (back.origin !== expected.origin || back.pathname !== expected.pathname) {
    throw new SyncError('AUTH_FAILED', '--auto-consent: the authorize endpoint redirected somewhere else than our callback');
  }
  const res = await request(`http://127.0.0.1:${port}${back.pathname}${back.search}`, { method: 'GET', dispatcher });
  await res.body.dump();
}
