/**
 * Named secrets of a connection, sealed with {@link SecretCipher} and kept in a {@link SecretStore}: the msal token
 * cache (refresh tokens) and the client secret given at connect time. Plaintext exists only in memory.
 *
 * Binding: a secret's GCM associated data is its id and what it belongs to, the connection's organisation URL, tenant
 * and app (client id) ({@link secretContext}). A stored connection re-pointed at another organisation, tenant or app
 * (by anyone who can write the state database) no longer decrypts its secret, so the secret is never sent elsewhere.
 *
 * Older documents: secrets stored before the binding (no `aad` field) were sealed with the id alone. They are still
 * read with that context, and re-sealed at once with the binding of the connection as it is then (a document that
 * says it is bound is never opened any other way, so removing the marker does not downgrade it). The same happens to
 * a secret sealed with a previous key (DYNSYNC_PREVIOUS_ENCRYPTION_KEYS): read with it, re-sealed with the current
 * key. The re-seal replaces the document only if it is still the one read (compare-and-set on IV and tag), so it never
 * overwrites a newer token cache written meanwhile. `dynsync secrets reseal` does this for every secret at once.
 */
import type { Clock } from '../../shared/clock.ts';
import { systemClock } from '../../shared/clock.ts';
import type { SecretCipher } from './secret-cipher.ts';
import type { SecretStore, StoredSecret } from './secret-store.ts';

/** Well-known secret names. */
export const SECRET_NAMES = { tokenCache: 'token-cache', clientSecret: 'client-secret' } as const;

/** The version of the associated data a document is sealed with, stored as its `aad` field. */
export const AAD_VERSION = 2;

/** What a connection's secrets are bound to. */
export interface SecretBinding {
  connectionId: string;
  /** The canonical organisation URL (as stored with the connection). */
  orgUrl: string;
  tenantId: string;
  clientId: string;
}

/** The binding of a connection's secrets (tenant and client id compared case-insensitively). */
export function bindingOf(c: { id: string; orgUrl: string; tenantId: string; clientId: string }): SecretBinding {
  return { connectionId: c.id, orgUrl: c.orgUrl, tenantId: c.tenantId.trim().toLowerCase(), clientId: c.clientId.trim().toLowerCase() };
}

/** The GCM associated data of a bound secret: unambiguous (a JSON array), versioned. */
export function secretContext(b: SecretBinding, name: string): string {
  return JSON.stringify([`dynsync-secret/${AAD_VERSION}`, b.connectionId, name, b.orgUrl, b.tenantId, b.clientId]);
}

/** What {@link EncryptedSecrets.reseal} did with one secret. */
export type ResealOutcome = 'resealed' | 'current' | 'missing' | 'changed';

/** Encrypt-on-write, decrypt-on-read access to a connection's secrets. */
export class EncryptedSecrets {
  private readonly cipher: SecretCipher;
  private readonly store: SecretStore;
  private readonly clock: Clock;

  constructor(cipher: SecretCipher, store: SecretStore, clock: Clock = systemClock) {
    this.cipher = cipher;
    this.store = store;
    this.clock = clock;
  }

  /** The id of the key secrets are sealed with now. */
  get keyId(): string {
    return this.cipher.keyId;
  }

  /** Seals `plaintext` bound to `binding` and stores it as `<connectionId>/<name>` (replacing any previous value). */
  async put(binding: SecretBinding, name: string, plaintext: string): Promise<void> {
    await this.store.put(this.sealed(binding, name, plaintext));
  }

  /**
   * The decrypted secret, or undefined when none is stored. Throws (clearly) when the key does not match or the
   * secret is bound to another organisation, tenant or app. An older document (unbound, or sealed with a previous key)
   * is re-sealed as it is read (see the module comment); a failed re-seal is left for the next read.
   */
  async get(binding: SecretBinding, name: string): Promise<string | undefined> {
    const doc = await this.store.get(secretId(binding.connectionId, name));
    if (!doc) return undefined;
    const plaintext = this.open(doc, binding, name);
    if (this.isStale(doc)) await this.replace(doc, binding, name, plaintext).catch(() => false);
    return plaintext;
  }

  /**
   * Re-seals one secret with the current key and binding if it is not already so: `current` (nothing to do),
   * `resealed`, `missing` (none stored), `changed` (another writer replaced it meanwhile: it is current then).
   * Throws like {@link get} when it cannot be opened.
   */
  async reseal(binding: SecretBinding, name: string, opts: { dryRun?: boolean } = {}): Promise<ResealOutcome> {
    const doc = await this.store.get(secretId(binding.connectionId, name));
    if (!doc) return 'missing';
    const plaintext = this.open(doc, binding, name);
    if (!this.isStale(doc)) return 'current';
    if (opts.dryRun) return 'resealed';
    return (await this.replace(doc, binding, name, plaintext)) ? 'resealed' : 'changed';
  }

  /** Removes the secret. */
  async delete(connectionId: string, name: string): Promise<void> {
    await this.store.delete(secretId(connectionId, name));
  }

  /** True when `doc` is unbound or sealed with a previous key. */
  isStale(doc: StoredSecret): boolean {
    return doc.aad !== AAD_VERSION || this.cipher.isStale(doc);
  }

  private open(doc: StoredSecret, binding: SecretBinding, name: string): string {
    const id = secretId(binding.connectionId, name);
    return this.cipher.open(doc, doc.aad === AAD_VERSION ? secretContext(binding, name) : id);
  }

  private sealed(binding: SecretBinding, name: string, plaintext: string): StoredSecret {
    const sealed = this.cipher.seal(plaintext, secretContext(binding, name));
    return { _id: secretId(binding.connectionId, name), connectionId: binding.connectionId, name, ...sealed, aad: AAD_VERSION, updatedAt: new Date(this.clock.nowMs()) };
  }

  private replace(doc: StoredSecret, binding: SecretBinding, name: string, plaintext: string): Promise<boolean> {
    return this.store.replaceIfUnchanged(this.sealed(binding, name, plaintext), { iv: doc.iv, tag: doc.tag });
  }
}

/** The store id of a secret (and the GCM context of secrets stored before the binding). */
export function secretId(connectionId: string, name: string): string {
  return `${connectionId}/${name}`;
}
