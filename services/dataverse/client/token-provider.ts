/**
 * What the Dataverse client needs from authentication: a bearer token on demand, and a way to say "that token was
 * rejected". services/dataverse/auth implements it with msal-node; tests pass a stub.
 */

/** A source of access tokens for one connection. */
export interface TokenProvider {
  /** A valid access token for the organisation (cached; refreshed before it expires). Never logged. */
  getToken(): Promise<string>;
  /** Dataverse rejected the current token (401): the next {@link TokenProvider.getToken} must not return it. */
  invalidate(): void;
}
