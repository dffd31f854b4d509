/**
 * Named secrets of a connection, sealed with {@link SecretCipher} and kept in a {@link SecretStore}: the msal token
 * cache (refresh tokens) and the client secret given at connect time. Plaintext exists only in memory.
 */
import type { Clock } from '../../shared/clock.ts';
import { systemClock } from '../../shared/clock.ts';
import type { SecretCipher } from './secret-cipher.ts';
import type { SecretStore } from './secret-store.ts';

/** Well-known secret names. */
export const SECRET_NAMES = { tokenCache: 'token-cache', clientSecret: 'client-secret' } as const;

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

  /** Seals and stores `plaintext` as `<connectionId>/<name>` (replacing any previous value). */
  async put(connectionId: string, name: string, plaintext: string): Promise<void> {
    const id = secretId(connectionId, name);
    const sealed = this.cipher.seal(plaintext, id);
    await this.store.put({ _id: id, connectionId, name, ...sealed, updatedAt: new Date(this.clock.nowMs()) });
  }

  /** The decrypted secret, or undefined when none is stored. Throws (clearly) when the key does not match. */
  async get(connectionId: string, name: string): Promise<string | undefined> {
    const id = secretId(connectionId, name);
    const doc = await this.store.get(id);
    return doc && this.cipher.open(doc, id);
  }

  /** Removes the secret. */
  async delete(connectionId: string, name: string): Promise<void> {
    await this.store.delete(secretId(connectionId, name));
  }
}

/** The store id (and the GCM context) of a secret. */
export function secretId(connectionId: string, name: string): string {
  return `${connectionId}/${name}`;
}
