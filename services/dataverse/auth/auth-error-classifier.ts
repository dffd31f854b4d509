/**
 * The ONE table that turns an msal-node / Entra ID failure into a {@link SyncError} with an actionable message.
 * Input facts: the OAuth `error` (msal `errorCode`), the AADSTS number, the HTTP status and Node/undici codes along
 * the cause chain, plus what msal drops: the answer to the OpenID configuration request (see {@link DiscoveryFailure}).
 * Messages never include a secret, a token or Entra's raw text (only the AADSTS number).
 */
import { SyncError, causeCodes, type ErrorCode } from '../../shared/errors.ts';

/** What the auth layer was doing when it failed. */
export type AuthPhase = 'client-credentials' | 'authorization-code' | 'silent';

/** Who was authenticating, for messages. */
export interface AuthContext {
  clientId: string;
  tenantId: string;
  orgUrl: string;
  phase: AuthPhase;
}

/** Facts extracted from the thrown error. */
export interface AuthFailureFacts {
  errorCode: string;
  aadsts: number | undefined;
  status: number | undefined;
  transportCodes: string[];
}

/**
 * How the authority's OpenID configuration request (`<authority>/v2.0/.well-known/openid-configuration`) failed, as
 * the network client saw it. msal-node resolves that document before the token request and reports any failure
 * only as `endpoints_resolution_error` (response and cause dropped), so an unknown tenant (HTTP 400, AADSTS90002)
 * would look like an outage without it.
 */
export interface DiscoveryFailure {
  /** HTTP status of the answer; undefined when no answer arrived. */
  status: number | undefined;
  /** The AADSTS number of the OAuth error body (`error_codes`, else `error_description`). */
  aadsts: number | undefined;
  /** Node/undici codes along the cause chain of a transport failure (ECONNREFUSED, TLS trust...). */
  transportCodes: string[];
}

/** The msal error codes that stand for a failed authority metadata (OpenID configuration) resolution. */
const DISCOVERY_ERROR_CODES: readonly string[] = ['endpoints_resolution_error', 'openid_config_error', 'unable_to_get_openid_config'];

const TLS_CODES = ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID'];
const REVOKED = ['invalid_grant', 'interaction_required', 'consent_required', 'login_required', 'no_tokens_found', 'no_account_in_silent_request', 'refresh_token_expired'];
const RECONNECT = 'run `dynsync connect` again to re-consent';

interface Rule {
  when: (f: AuthFailureFacts, c: AuthContext) => boolean;
  code: ErrorCode;
  message: (c: AuthContext, f: AuthFailureFacts) => string;
}

const tag = (f: AuthFailureFacts): string => (f.aadsts === undefined ? f.errorCode : `AADSTS${f.aadsts}`);

/** First matching row wins. */
const RULES: readonly Rule[] = [
  {
    when: (f) => f.transportCodes.some((c) => TLS_CODES.includes(c)),
    code: 'CONFIG_INVALID',
    message: (c) => `the identity provider's TLS certificate is not trusted for tenant ${c.tenantId}: for the simulator, configure its CA certificate path`,
  },
  {
    when: (f) => f.aadsts === 7000222,
    code: 'AUTH_INVALID_CLIENT',
    message: (c) => `the client secret of app ${c.clientId} in tenant ${c.tenantId} has expired (AADSTS7000222): create a new secret and run \`dynsync connect\` again`,
  },
  {
    when: (f) => f.aadsts === 7000215 || f.errorCode === 'invalid_client',
    code: 'AUTH_INVALID_CLIENT',
    message: (c, f) => `Entra rejected the client credentials (${tag(f)}): check the client secret of app ${c.clientId} in tenant ${c.tenantId}`,
  },
  {
    when: (f) => f.aadsts === 700016 || f.errorCode === 'unauthorized_client',
    code: 'AUTH_INVALID_CLIENT',
    message: (c, f) => `app ${c.clientId} is not registered (or not allowed this flow) in tenant ${c.tenantId} (${tag(f)}): check the application (client) id and the tenant`,
  },
  {
    when: (f) => f.aadsts === 90002 || f.aadsts === 90072,
    code: 'AUTH_INVALID_CLIENT',
    message: (c, f) => `tenant ${c.tenantId} was not found or does not accept this app (${tag(f)}): check the tenant id`,
  },
  {
    when: (f) => f.aadsts === 500011 || f.errorCode === 'invalid_resource',
    code: 'ORG_URL_INVALID',
    message: (c, f) => `Entra knows no resource ${c.orgUrl} in tenant ${c.tenantId} (${tag(f)}): check the organisation URL and that it belongs to this tenant`,
  },
  {
    when: (f, c) => c.phase === 'authorization-code' && f.errorCode === 'invalid_grant',
    code: 'AUTH_FAILED',
    message: (_c, f) => `the authorization code was rejected (${tag(f)}: invalid, expired or already used): run \`dynsync connect\` again`,
  },
  {
    when: (f, c) => c.phase === 'silent' && (REVOKED.includes(f.errorCode) || [50173, 70008, 65001, 700082, 50076, 50079].includes(f.aadsts ?? 0)),
    code: 'AUTH_CONSENT_REVOKED',
    message: (c, f) => `the stored consent for ${c.orgUrl} is no longer valid (${tag(f)}: refresh token revoked or expired): ${RECONNECT}`,
  },
  {
    when: (f) =>
      f.errorCode === 'temporarily_unavailable' ||
      (f.status !== undefined && f.status >= 500) ||
      f.errorCode === 'network_error' ||
      DISCOVERY_ERROR_CODES.includes(f.errorCode),
    code: 'AUTH_UNAVAILABLE',
    message: (c, f) => `the identity provider for tenant ${c.tenantId} is unreachable or failing (${tag(f)}${f.transportCodes[0] ? ` ${f.transportCodes[0]}` : ''}); will retry`,
  },
  {
    when: () => true,
    code: 'AUTH_FAILED',
    message: (c, f) => `authentication of app ${c.clientId} in tenant ${c.tenantId} failed (${tag(f) || 'unknown error'})`,
  },
];

/**
 * Extracts {@link AuthFailureFacts} from anything msal throws. For a metadata resolution error
 * ({@link DISCOVERY_ERROR_CODES}), `discovery` supplies the status, transport codes and (from a 4xx answer only)
 * the AADSTS number msal dropped.
 */
export function authFailureFacts(err: unknown, discovery?: DiscoveryFailure): AuthFailureFacts {
  const e = (err ?? {}) as { errorCode?: unknown; errorNo?: unknown; errorMessage?: unknown; message?: unknown; status?: unknown };
  const errorCode = typeof e.errorCode === 'string' ? e.errorCode : '';
  const fromNo = Number(e.errorNo);
  const text = `${typeof e.errorMessage === 'string' ? e.errorMessage : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  const fromText = /AADSTS(\d+)/.exec(text)?.[1];
  const aadsts = Number.isInteger(fromNo) && fromNo > 0 ? fromNo : fromText === undefined ? undefined : Number(fromText);
  const transportCodes = causeCodes((err as { cause?: unknown } | null)?.cause);
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (discovery && DISCOVERY_ERROR_CODES.includes(errorCode)) {
    // Only a 4xx refusal names a cause; a 5xx stays an outage whatever its body says.
    const refused = discovery.status !== undefined && discovery.status >= 400 && discovery.status < 500;
    return {
      errorCode,
      aadsts: aadsts ?? (refused ? discovery.aadsts : undefined),
      status: status ?? discovery.status,
      transportCodes: [...transportCodes, ...discovery.transportCodes],
    };
  }
  return { errorCode, aadsts, status, transportCodes };
}

/**
 * Classifies an auth failure by the table above; a SyncError passes through unchanged. `discovery` is the failed
 * OpenID configuration request seen by the network client, used only when msal reports a metadata resolution error.
 */
export function classifyAuthError(err: unknown, context: AuthContext, discovery?: DiscoveryFailure): SyncError {
  if (err instanceof SyncError) return err;
  const facts = authFailureFacts(err, discovery);
  const rule = RULES.find((r) => r.when(facts, context)) ?? RULES[RULES.length - 1]!;
  return new SyncError(rule.code, rule.message(context, facts), {
    cause: err,
    details: { clientId: context.clientId, tenantId: context.tenantId, phase: context.phase, oauthError: facts.errorCode || undefined, aadsts: facts.aadsts },
  });
}
