/**
 * OAuth for one Dataverse connection with @azure/msal-node, as a {@link TokenProvider}:
 *  - `client-credentials`: an application user, scope `<orgUrl>/.default`;
 *  - `delegated`: the seed's flow, authorization code with PKCE (scope `<orgUrl>/.default` + `offline_access`),
 *    after which the refresh token in the encrypted cache keeps syncs running unattended (silent acquisition).
 * msal refreshes a cached token that expires within 5 minutes, and the last token is held in memory until then;
 * {@link DataverseAuth.invalidate} forces a refresh
 * (used once after a 401). All HTTP goes through {@link UndiciNetworkClient} (same pool and CA as Dataverse);
 * every failure is classified by auth-error-classifier.ts, with the OpenID configuration failure msal drops (so an
 * unknown tenant is AUTH_INVALID_CLIENT, not an outage).
 */
import { ConfidentialClientApplication, CryptoProvider, LogLevel, type AccountInfo, type AuthenticationResult } from '@azure/msal-node';
import type { Dispatcher } from 'undici';
import { SyncError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import { scopesFor } from '../org/authority.ts';
import type { OrgTarget } from '../org/org-url.ts';
import type { TokenProvider } from '../client/token-provider.ts';
import { bindingOf, type EncryptedSecrets } from '../secrets/encrypted-secrets.ts';
import { classifyAuthError, type AuthPhase } from './auth-error-classifier.ts';
import { resolveAuthority } from './authority.ts';
import { EncryptedCachePlugin } from './encrypted-cache-plugin.ts';
import { UndiciNetworkClient } from './undici-network-client.ts';

/** A token is refreshed once it has less than this left (msal's own margin). */
const TOKEN_MARGIN_MS = 5 * 60_000;

/** Which OAuth flow a connection uses. */
export type AuthFlow = 'client-credentials' | 'delegated';

/** Options of a {@link DataverseAuth}. */
export interface DataverseAuthOptions {
  /** Identifies the connection's sealed token cache. */
  connectionId: string;
  org: OrgTarget;
  /** Directory (tenant) id or verified domain. */
  tenantId: string;
  /** Application (client) id of the app registration. */
  clientId: string;
  /** The app's client secret (both flows use a confidential client). Never logged. */
  clientSecret: string;
  flow: AuthFlow;
  /** Simulator only (org cloud `dev`): the https origin of the simulated Entra. */
  devAuthority?: string;
  /** The undici pool (with the simulator's CA in dev). */
  dispatcher: Dispatcher;
  /** Encrypted persistence of the token cache. */
  secrets: EncryptedSecrets;
  /** msal diagnostics at `debug` (warnings at `warn`); no PII is logged. */
  log?: Logger;
}

/** The start of an authorization-code consent. */
export interface AuthCodeStart {
  /** Send the user's browser here. */
  url: string;
  /** Keep server-side until the redirect comes back; pass to {@link DataverseAuth.acquireTokenByCode}. */
  codeVerifier: string;
  /** Compare with the `state` of the redirect (CSRF). */
  state: string;
}

/** Who consented. */
export interface ConsentedAccount {
  homeAccountId: string;
  username: string;
  tenantId: string;
}

/** Token provider and consent flow of one connection. */
export class DataverseAuth implements TokenProvider {
  private readonly opts: DataverseAuthOptions;
  private readonly app: ConfidentialClientApplication;
  private readonly network: UndiciNetworkClient;
  private readonly scopes: string[];
  /**
   * Scopes for silent acquisition. Entra answers a `.default` request with the scopes it granted (for Dataverse
   * `<orgUrl>/user_impersonation`) and msal caches the token under those, so asking again for `.default` would miss
   * the cache and spend the refresh token on every call: after each acquisition, ask for what was granted.
   */
  private silentScopes: string[];
  private forceRefresh = false;
  /**
   * The last token and its expiry, returned while it has more than {@link TOKEN_MARGIN_MS} left: asking msal reads and
   * decrypts the sealed cache from the store each time (one read per Dataverse request otherwise).
   */
  private held: { token: string; expiresAtMs: number } | undefined;
  private inflight: Promise<string> | undefined;
  private inflightForced = false;

  constructor(opts: DataverseAuthOptions) {
    this.opts = opts;
    this.scopes = scopesFor(opts.org.orgUrl, opts.flow === 'delegated' ? 'delegated' : 'client-credentials');
    this.silentScopes = this.scopes;
    const { authority, knownAuthorities } = resolveAuthority(opts.org, opts.tenantId, opts.devAuthority);
    const log = opts.log;
    this.network = new UndiciNetworkClient(opts.dispatcher);
    this.app = new ConfidentialClientApplication({
      auth: { clientId: opts.clientId, clientSecret: opts.clientSecret, authority, knownAuthorities },
      cache: { cachePlugin: new EncryptedCachePlugin(opts.secrets, bindingOf({ id: opts.connectionId, orgUrl: opts.org.orgUrl, tenantId: opts.tenantId, clientId: opts.clientId })) },
      system: {
        networkClient: this.network,
        // Retries go through services/shared/retry.ts (the Dataverse client retries a page whose token failed transiently).
        disableInternalRetries: true,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message) => (level === LogLevel.Error ? log?.warn({ msal: message }, 'msal') : log?.debug({ msal: message }, 'msal')),
        },
      },
    });
  }

  /**
   * A valid access token: from the (encrypted) cache while it has more than 5 minutes left, else refreshed
   * (client credentials: a new token; delegated: the stored refresh token). Concurrent callers share one
   * acquisition. Throws a classified SyncError (e.g. AUTH_INVALID_CLIENT, AUTH_CONSENT_REVOKED).
   */
  getToken(): Promise<string> {
    if (!this.forceRefresh && this.held && this.held.expiresAtMs - Date.now() > TOKEN_MARGIN_MS) return Promise.resolve(this.held.token);
    // Share an acquisition in flight, unless the token was invalidated after it started (it may return that token).
    if (this.inflight && (!this.forceRefresh || this.inflightForced)) return this.inflight;
    const forced = this.forceRefresh;
    this.forceRefresh = false;
    const p: Promise<string> = this.acquire(forced).finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    this.inflightForced = forced;
    return p;
  }

  /** The last token was rejected: the next {@link DataverseAuth.getToken} bypasses the cache. */
  invalidate(): void {
    this.forceRefresh = true;
    this.held = undefined;
  }

  /**
   * Delegated flow, step 1: the authorize URL (PKCE S256, `response_mode=query`) for `redirectUri`, with a fresh
   * verifier and state. CONFIG_INVALID for a client-credentials connection.
   */
  async getAuthCodeUrl(redirectUri: string, state?: string): Promise<AuthCodeStart> {
    this.requireDelegated();
    const crypto = new CryptoProvider();
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const st = state ?? crypto.createNewGuid();
    try {
      const url = await this.app.getAuthCodeUrl({ scopes: this.scopes, redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state: st });
      return { url, codeVerifier: verifier, state: st };
    } catch (err) {
      throw this.classify(err, 'authorization-code');
    }
  }

  /**
   * Delegated flow, step 2: redeems the code from the redirect. The tokens, including the refresh token, land in
   * the encrypted cache; later {@link DataverseAuth.getToken} calls (in this or any later process) use it silently.
   */
  async acquireTokenByCode(code: string, redirectUri: string, codeVerifier: string): Promise<ConsentedAccount> {
    this.requireDelegated();
    let result: AuthenticationResult;
    try {
      result = await this.app.acquireTokenByCode({ code, redirectUri, codeVerifier, scopes: this.scopes });
    } catch (err) {
      throw this.classify(err, 'authorization-code');
    }
    this.adoptGrantedScopes(result);
    const account = result.account;
    if (!account) throw new SyncError('AUTH_FAILED', 'the identity provider returned no account for the authorization code (no id_token/client_info)');
    this.forceRefresh = false;
    return { homeAccountId: account.homeAccountId, username: account.username, tenantId: account.tenantId };
  }

  private async acquire(force: boolean): Promise<string> {
    const phase: AuthPhase = this.opts.flow === 'delegated' ? 'silent' : 'client-credentials';
    let result: AuthenticationResult | null;
    try {
      if (this.opts.flow === 'client-credentials') {
        result = await this.app.acquireTokenByClientCredential({ scopes: this.scopes, skipCache: force });
      } else {
        result = await this.app.acquireTokenSilent({ account: await this.account(), scopes: this.silentScopes, forceRefresh: force });
        if (result) this.adoptGrantedScopes(result);
      }
    } catch (err) {
      if (force) this.forceRefresh = true;
      throw this.classify(err, phase);
    }
    if (!result?.accessToken) throw new SyncError('AUTH_FAILED', `the identity provider returned no access token for ${this.opts.org.orgUrl}`);
    this.held = { token: result.accessToken, expiresAtMs: result.expiresOn?.getTime() ?? 0 };
    return result.accessToken;
  }

  private adoptGrantedScopes(result: AuthenticationResult): void {
    const granted = result.scopes.filter((s) => s.toLowerCase().startsWith(`${this.opts.org.orgUrl.toLowerCase()}/`));
    if (granted.length > 0) this.silentScopes = granted;
  }

  /** The consented account of this connection's cache. */
  private async account(): Promise<AccountInfo> {
    const accounts = await this.app.getTokenCache().getAllAccounts();
    const account = accounts[0];
    if (!account) {
      throw new SyncError('AUTH_CONSENT_REVOKED', `no stored consent for connection ${this.opts.connectionId}: run \`dynsync connect\` to consent`, {
        details: { connectionId: this.opts.connectionId },
      });
    }
    return account;
  }

  private requireDelegated(): void {
    if (this.opts.flow !== 'delegated') {
      throw new SyncError('CONFIG_INVALID', `connection ${this.opts.connectionId} uses client credentials; the authorization-code flow does not apply`);
    }
  }

  private classify(err: unknown, phase: AuthPhase): SyncError {
    const context = { clientId: this.opts.clientId, tenantId: this.opts.tenantId, orgUrl: this.opts.org.orgUrl, phase };
    return classifyAuthError(err, context, this.network.lastDiscoveryFailure);
  }
}
