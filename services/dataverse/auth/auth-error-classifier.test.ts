import { AuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { SyncError, type ErrorCode } from '../../shared/errors.ts';
import { classifyAuthError, type AuthPhase, type DiscoveryFailure } from './auth-error-classifier.ts';

const ctx = (phase: AuthPhase) => ({ clientId: 'app-123', tenantId: 'contoso.onmicrosoft.com', orgUrl: 'https://org.crm.dynamics.com', phase });
const server = (code: string, message: string, status = 400) => new ServerError(code, '', message, '', undefined, status);
const tls = () => {
  const e = new AuthError('network_error', '', 'request failed');
  Object.defineProperty(e, 'cause', { value: Object.assign(new Error('self-signed'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) });
  return e;
};
/** What msal throws when the OpenID configuration could not be resolved (no status, no cause). */
const unresolved = (code = 'endpoints_resolution_error') => new AuthError(code, 'Could not resolve endpoints. Please check network and try again.');
const answered = (status: number, aadsts?: number): DiscoveryFailure => ({ status, aadsts, transportCodes: [] });
const unreachable = (...transportCodes: string[]): DiscoveryFailure => ({ status: undefined, aadsts: undefined, transportCodes });

describe('classifyAuthError', () => {
  it.each<[string, unknown, AuthPhase, ErrorCode, RegExp]>([
    ['wrong secret', server('invalid_client', 'AADSTS7000215: Invalid client secret provided.', 401), 'client-credentials', 'AUTH_INVALID_CLIENT', /check the client secret of app app-123 in tenant contoso\.onmicrosoft\.com/],
    ['invalid_client without AADSTS', server('invalid_client', 'bad'), 'silent', 'AUTH_INVALID_CLIENT', /check the client secret/],
    ['expired secret', server('invalid_client', 'AADSTS7000222: The provided client secret keys are expired.'), 'client-credentials', 'AUTH_INVALID_CLIENT', /has expired/],
    ['unknown app', server('unauthorized_client', 'AADSTS700016: Application not found'), 'client-credentials', 'AUTH_INVALID_CLIENT', /not registered/],
    ['unknown tenant', server('invalid_request', 'AADSTS90002: Tenant not found.'), 'client-credentials', 'AUTH_INVALID_CLIENT', /tenant contoso\.onmicrosoft\.com was not found/],
    ['wrong org resource', server('invalid_resource', 'AADSTS500011: The resource principal was not found'), 'client-credentials', 'ORG_URL_INVALID', /no resource https:\/\/org\.crm\.dynamics\.com/],
    ['revoked refresh token', new InteractionRequiredAuthError('invalid_grant', 'AADSTS50173: The provided grant has expired due to it being revoked'), 'silent', 'AUTH_CONSENT_REVOKED', /run `dynsync connect` again to re-consent/],
    ['expired refresh token', server('invalid_grant', 'AADSTS70008: The refresh token has expired'), 'silent', 'AUTH_CONSENT_REVOKED', /re-consent/],
    ['no refresh token in cache', new InteractionRequiredAuthError('no_tokens_found', 'No refresh token found'), 'silent', 'AUTH_CONSENT_REVOKED', /re-consent/],
    ['bad authorization code', server('invalid_grant', 'AADSTS70000: The provided authorization code is invalid'), 'authorization-code', 'AUTH_FAILED', /authorization code was rejected/],
    ['Entra 503', server('temporarily_unavailable', 'AADSTS90033', 503), 'client-credentials', 'AUTH_UNAVAILABLE', /unreachable or failing/],
    ['network error', new AuthError('network_error', '', 'ECONNREFUSED'), 'silent', 'AUTH_UNAVAILABLE', /unreachable/],
    ['untrusted TLS certificate', tls(), 'client-credentials', 'CONFIG_INVALID', /not trusted/],
    ['anything else', new Error('weird'), 'silent', 'AUTH_FAILED', /authentication of app app-123/],
  ])('%s', (_name, err, phase, code, message) => {
    const e = classifyAuthError(err, ctx(phase));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  // msal drops the answer to the OpenID configuration request; the network client's record of it decides.
  it.each<[string, unknown, DiscoveryFailure | undefined, ErrorCode, RegExp]>([
    ['unknown tenant (400 AADSTS90002)', unresolved(), answered(400, 90002), 'AUTH_INVALID_CLIENT', /^tenant contoso\.onmicrosoft\.com was not found or does not accept this app \(AADSTS90002\): check the tenant id$/],
    ['unknown tenant (400 AADSTS90072)', unresolved(), answered(400, 90072), 'AUTH_INVALID_CLIENT', /tenant contoso\.onmicrosoft\.com was not found .*AADSTS90072/],
    ['unknown tenant, openid_config_error', unresolved('openid_config_error'), answered(400, 90002), 'AUTH_INVALID_CLIENT', /was not found/],
    ['metadata 400 with another AADSTS', unresolved(), answered(400, 90099), 'AUTH_UNAVAILABLE', /unreachable or failing \(AADSTS90099\); will retry/],
    ['metadata 503', unresolved(), answered(503, 90002), 'AUTH_UNAVAILABLE', /unreachable or failing/],
    ['metadata 502 without a body', unresolved(), answered(502), 'AUTH_UNAVAILABLE', /unreachable or failing \(endpoints_resolution_error\)/],
    ['metadata unreachable', unresolved(), unreachable('ECONNREFUSED'), 'AUTH_UNAVAILABLE', /unreachable or failing \(endpoints_resolution_error ECONNREFUSED\)/],
    ['metadata over untrusted TLS', unresolved(), unreachable('DEPTH_ZERO_SELF_SIGNED_CERT'), 'CONFIG_INVALID', /TLS certificate is not trusted/],
    ['metadata failure not observed', unresolved(), undefined, 'AUTH_UNAVAILABLE', /unreachable or failing \(endpoints_resolution_error\)/],
    ['a token error ignores a stale metadata record', server('invalid_client', 'AADSTS7000215: Invalid client secret provided.', 401), answered(400, 90002), 'AUTH_INVALID_CLIENT', /check the client secret/],
    ['a network error ignores a stale metadata record', new AuthError('network_error', '', 'ECONNRESET'), answered(400, 90002), 'AUTH_UNAVAILABLE', /unreachable/],
  ])('after a metadata resolution failure: %s', (_name, err, discovery, code, message) => {
    const e = classifyAuthError(err, ctx('client-credentials'), discovery);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('passes a SyncError through', () => {
    const original = new SyncError('ENCRYPTION_KEY_MISSING', 'x');
    expect(classifyAuthError(original, ctx('silent'))).toBe(original);
  });

  it("never copies Entra's text (which may echo request values) into the message", () => {
    const e = classifyAuthError(server('invalid_client', 'AADSTS7000215: Invalid client secret provided. secret=abc123'), ctx('client-credentials'));
    expect(e.message).not.toContain('abc123');
    expect(JSON.stringify(e.toJSON())).not.toContain('abc123');
  });
});
