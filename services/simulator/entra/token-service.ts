/**
 * The simulated Entra ID tenant: issues RS256 access tokens (v1 shape, `aud` = org URL, `tid`), id tokens and
 * opaque refresh tokens; holds authorization codes; verifies access tokens for the data API; supports
 * revocation. Times come from the simulator clock.
 */
import { createPublicKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { Clock } from '../../shared/clock.ts';

/** The tenant, app registration and demo user. */
export interface TenantConfig {
  /** `https://127.0.0.1:PORT` (the authority is `${loginBase}/${tenantId}`). */
  readonly loginBase: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The org URL, the resource and `aud` of access tokens. */
  readonly orgUrl: string;
  /** Other URLs of the same organisation (`--hostname`), accepted as resources and audiences. */
  readonly orgAliases?: readonly string[];
  readonly tokenLifetimeSeconds: number;
  readonly refreshLifetimeSeconds: number;
  /** Object ids of the application's service principal and of the demo user. */
  readonly appObjectId: string;
  readonly userObjectId: string;
  readonly userName: string;
  readonly userUpn: string;
}

/** Who a token represents. */
export interface Principal {
  readonly kind: 'app' | 'user';
  readonly oid: string;
}

/** A pending authorization code. */
export interface AuthCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly challenge?: string;
  readonly challengeMethod?: string;
  readonly nonce?: string;
  readonly expiresMs: number;
  used: boolean;
}

interface RefreshGrant {
  readonly clientId: string;
  readonly scopes: readonly string[];
  lastUsedMs: number;
  revoked: boolean;
}

/** Result of {@link TokenService.verify}. */
export type Verification = { ok: true; principal: Principal } | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'audience' | 'revoked' };

/** Issues and verifies tokens. */
export class TokenService {
  readonly cfg: TenantConfig;
  private readonly clock: Clock;
  private readonly key: KeyObject;
  private readonly publicKey: KeyObject;
  private jwk: JWK | undefined;
  private readonly codes = new Map<string, AuthCode>();
  private readonly refresh = new Map<string, RefreshGrant>();
  private readonly issued = new Map<string, number>();
  private readonly revoked = new Set<string>();
  private readonly verified = new Map<string, { exp: number; principal: Principal; uti: string }>();

  constructor(cfg: TenantConfig, signingKey: KeyObject, clock: Clock) {
    this.cfg = cfg;
    this.clock = clock;
    this.key = signingKey;
    this.publicKey = createPublicKey(signingKey);
  }

  /** The public signing key as a JWK with `kid`, for the JWKS endpoint. */
  async publicJwk(): Promise<JWK> {
    if (!this.jwk) {
      const jwk = await exportJWK(this.publicKey);
      const kid = await calculateJwkThumbprint(jwk);
      this.jwk = { ...jwk, kid, use: 'sig', alg: 'RS256' };
    }
    return this.jwk;
  }

  private nowSec(): number {
    return Math.floor(this.clock.nowMs() / 1000);
  }

  /** The org URLs accepted as resource and audience: the org URL, then its aliases. */
  orgUrls(): string[] {
    return [this.cfg.orgUrl, ...(this.cfg.orgAliases ?? [])];
  }

  /** An access token for the org resource (`audience`: the org URL the client asked for, default the org URL). */
  async accessToken(p: Principal, scp?: string, audience?: string): Promise<string> {
    const c = this.cfg;
    const iat = this.nowSec();
    const uti = randomBytes(16).toString('base64url');
    const exp = iat + c.tokenLifetimeSeconds;
    this.issued.set(uti, exp);
    const user = p.kind === 'user' ? { name: c.userName, upn: c.userUpn, unique_name: c.userUpn, scp: scp ?? 'user_impersonation', amr: ['pwd'] } : { idtyp: 'app' };
    const { kid } = await this.publicJwk();
    return new SignJWT({ tid: c.tenantId, oid: p.oid, sub: p.oid, appid: c.clientId, appidacr: '1', uti, ver: '1.0', rh: '0.sim', ...user })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: kid ?? '' })
      .setIssuer(`https://sts.windows.net/${c.tenantId}/`)
      .setAudience(audience ?? c.orgUrl)
      .setIssuedAt(iat)
      .setNotBefore(iat - 300)
      .setExpirationTime(exp)
      .sign(this.key);
  }

  /** An id token (v2) for the demo user. */
  async idToken(nonce?: string): Promise<string> {
    const c = this.cfg;
    const iat = this.nowSec();
    const { kid } = await this.publicJwk();
    return new SignJWT({ tid: c.tenantId, oid: c.userObjectId, name: c.userName, preferred_username: c.userUpn, ver: '2.0', ...(nonce ? { nonce } : {}) })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: kid ?? '' })
      .setIssuer(`${c.loginBase}/${c.tenantId}/v2.0`)
      .setAudience(c.clientId)
      .setSubject(c.userObjectId)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + 3600)
      .sign(this.key);
  }

  /** `client_info` for msal: base64url JSON {uid, utid}. */
  clientInfo(): string {
    return Buffer.from(JSON.stringify({ uid: this.cfg.userObjectId, utid: this.cfg.tenantId })).toString('base64url');
  }

  /** Stores a new authorization code (valid 10 minutes). */
  newCode(code: Omit<AuthCode, 'expiresMs' | 'used'>): string {
    const id = `1.AS${randomBytes(48).toString('base64url')}`;
    this.codes.set(id, { ...code, expiresMs: this.clock.nowMs() + 600_000, used: false });
    return id;
  }

  /** The code record, if any. */
  code(id: string): AuthCode | undefined {
    return this.codes.get(id);
  }

  /** A new refresh token for the demo user. */
  newRefreshToken(clientId: string, scopes: readonly string[]): string {
    const id = `1.AR${randomBytes(64).toString('base64url')}`;
    this.refresh.set(id, { clientId, scopes, lastUsedMs: this.clock.nowMs(), revoked: false });
    return id;
  }

  /** The refresh grant behind a token; marks it used. Throws the Entra reason when unusable. */
  useRefreshToken(id: string): { status: 'ok'; clientId: string; scopes: readonly string[] } | { status: 'unknown' | 'expired' | 'revoked' } {
    const g = this.refresh.get(id);
    if (!g) return { status: 'unknown' };
    if (g.revoked) return { status: 'revoked' };
    const now = this.clock.nowMs();
    if (now - g.lastUsedMs > this.cfg.refreshLifetimeSeconds * 1000) return { status: 'expired' };
    g.lastUsedMs = now;
    return { status: 'ok', clientId: g.clientId, scopes: g.scopes };
  }

  /** Revokes every access token issued so far (401 on next use). */
  revokeAccessTokens(): number {
    for (const uti of this.issued.keys()) this.revoked.add(uti);
    const n = this.issued.size;
    this.issued.clear();
    this.verified.clear();
    return n;
  }

  /** Revokes every refresh token issued so far (invalid_grant AADSTS50173 on next use). */
  revokeRefreshTokens(): number {
    let n = 0;
    for (const g of this.refresh.values()) if (!g.revoked) (g.revoked = true), n++;
    return n;
  }

  /** Verifies a bearer token for the data API. */
  async verify(authorization: string | undefined): Promise<Verification> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m?.[1]) return { ok: false, reason: 'missing' };
    const token = m[1];
    const now = this.nowSec();
    const cached = this.verified.get(token);
    if (cached) {
      if (this.revoked.has(cached.uti)) return { ok: false, reason: 'revoked' };
      return cached.exp > now ? { ok: true, principal: cached.principal } : { ok: false, reason: 'expired' };
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, { algorithms: ['RS256'], currentDate: new Date(now * 1000) }));
    } catch (err) {
      return { ok: false, reason: (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid' };
    }
    const aud = String(payload.aud ?? '').replace(/\/$/, '').toLowerCase();
    if (!this.orgUrls().some((u) => u.replace(/\/$/, '').toLowerCase() === aud) || payload.tid !== this.cfg.tenantId) return { ok: false, reason: 'audience' };
    const uti = String(payload.uti ?? '');
    if (this.revoked.has(uti)) return { ok: false, reason: 'revoked' };
    const principal: Principal = { kind: payload.idtyp === 'app' ? 'app' : 'user', oid: String(payload.oid ?? '') };
    if (this.verified.size > 5_000) this.verified.clear();
    this.verified.set(token, { exp: payload.exp ?? 0, principal, uti });
    return { ok: true, principal };
  }

  /** A fresh id for correlation. */
  static traceId(): string {
    return randomUUID();
  }
}
