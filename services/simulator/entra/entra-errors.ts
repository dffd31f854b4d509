/**
 * Entra ID (AADSTS) error responses: `{"error","error_description":"AADSTSnnn: …\r\nTrace ID: …","error_codes",
 * "timestamp","trace_id","correlation_id","error_uri"}`.
 */
import { randomUUID } from 'node:crypto';

/** An OAuth error the token or authorize endpoint returns. */
export class EntraError extends Error {
  readonly error: string;
  readonly aadsts: number;
  readonly status: number;

  constructor(error: string, aadsts: number, description: string, status = 400) {
    super(`AADSTS${aadsts}: ${description}`);
    this.error = error;
    this.aadsts = aadsts;
    this.status = status;
  }

  /** The response body at `nowMs`. */
  body(nowMs: number): Record<string, unknown> {
    const trace = randomUUID();
    const correlation = randomUUID();
    const ts = new Date(nowMs).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
    return {
      error: this.error,
      error_description: `${this.message} Trace ID: ${trace} Correlation ID: ${correlation} Timestamp: ${ts}`,
      error_codes: [this.aadsts],
      timestamp: ts,
      trace_id: trace,
      correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${this.aadsts}`,
    };
  }
}

/** The catalogue of errors the simulator raises. */
export const entraErrors = {
  /** Unknown tenant: `invalid_tenant` on the metadata endpoints (OpenID configuration, keys), `invalid_request` elsewhere, like Entra. */
  tenantNotFound: (t: string, error: 'invalid_request' | 'invalid_tenant' = 'invalid_request') =>
    new EntraError(
      error,
      90002,
      `Tenant '${t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  unknownClient: (id: string) =>
    new EntraError(
      'unauthorized_client',
      700016,
      `Application with identifier '${id}' was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    ),
  badSecret: (id: string) =>
    new EntraError(
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${id}'.`,
      401,
    ),
  missingSecret: () => new EntraError('invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", 401),
  missingParam: (p: string) => new EntraError('invalid_request', 900144, `The request body must contain the following parameter: '${p}'.`),
  unsupportedGrant: (g: string) => new EntraError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${g}'.`),
  scopeNotDefault: (s: string) =>
    new EntraError(
      'invalid_scope',
      1002012,
      `The provided value for scope ${s} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  invalidScope: (s: string) => new EntraError('invalid_scope', 70011, `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${s} is not valid.`),
  unknownResource: (r: string) =>
    new EntraError(
      'invalid_resource',
      500011,
      `The resource principal named ${r} was not found in the tenant. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    ),
  badGrant: () => new EntraError('invalid_grant', 70000, 'Provided grant is invalid or malformed.'),
  codeRedeemed: () => new EntraError('invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'),
  codeExpired: () => new EntraError('invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'),
  pkceMismatch: () => new EntraError('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.'),
  redirectMismatch: () => new EntraError('invalid_grant', 50148, 'The redirect_uri does not match the one used in the authorization request.'),
  refreshExpired: () =>
    new EntraError('invalid_grant', 700082, 'The refresh token has expired due to inactivity. The token was issued on a date and was inactive for 90.00:00:00.'),
  refreshRevoked: () =>
    new EntraError('invalid_grant', 50173, 'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.'),
};
