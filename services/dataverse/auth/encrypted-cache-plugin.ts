/**
 * msal-node cache plugin that keeps a connection's token cache (accounts, access tokens and, above all, the
 * refresh token of the delegated flow) encrypted at rest through {@link EncryptedSecrets}: loaded and decrypted
 * before every cache access, re-encrypted and stored after any access that changed it.
 */
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { SECRET_NAMES, type EncryptedSecrets, type SecretBinding } from '../secrets/encrypted-secrets.ts';

/** An {@link ICachePlugin} bound to one connection's sealed `token-cache` secret. */
export class EncryptedCachePlugin implements ICachePlugin {
  private readonly secrets: EncryptedSecrets;
  private readonly binding: SecretBinding;

  constructor(secrets: EncryptedSecrets, binding: SecretBinding) {
    this.secrets = secrets;
    this.binding = binding;
  }

  /** Loads and decrypts the stored cache into msal (nothing stored: msal starts empty). */
  async beforeCacheAccess(ctx: TokenCacheContext): Promise<void> {
    const serialized = await this.secrets.get(this.binding, SECRET_NAMES.tokenCache);
    if (serialized !== undefined) ctx.tokenCache.deserialize(serialized);
  }

  /** Encrypts and stores the cache when msal changed it. */
  async afterCacheAccess(ctx: TokenCacheContext): Promise<void> {
    if (ctx.cacheHasChanged) await this.secrets.put(this.binding, SECRET_NAMES.tokenCache, ctx.tokenCache.serialize());
  }
}
