/**
 * Where sealed secrets live: a tiny key-value interface (MongoDB in production, memory in unit tests). It only
 * ever sees ciphertext (Invariant 7).
 */
import type { SealedSecret } from './secret-cipher.ts';

/** A stored document: `_id` is `<connectionId>/<name>` (e.g. `acme/token-cache`). */
export interface StoredSecret extends SealedSecret {
  _id: string;
  connectionId: string;
  name: string;
  /** The version of the associated data (encrypted-secrets.ts `AAD_VERSION`); absent on secrets stored before it. */
  aad?: number;
  updatedAt: Date;
}

/** Persistence of sealed secrets. */
export interface SecretStore {
  /** The stored secret, or undefined. */
  get(id: string): Promise<StoredSecret | undefined>;
  /** Inserts or replaces the secret with the same `_id`. */
  put(secret: StoredSecret): Promise<void>;
  /** Removes it; missing is fine. */
  delete(id: string): Promise<void>;
  /** Replaces the stored secret only if it still has the IV and tag given (it was not rewritten meanwhile); true when replaced. */
  replaceIfUnchanged(secret: StoredSecret, expected: Pick<SealedSecret, 'iv' | 'tag'>): Promise<boolean>;
  /** The ids of every stored secret (with their connection), for re-sealing them all. */
  list(): Promise<Pick<StoredSecret, '_id' | 'connectionId' | 'name'>[]>;
}

/** An in-memory {@link SecretStore} for unit tests (copies on the way in and out). */
export class MemorySecretStore implements SecretStore {
  readonly docs = new Map<string, StoredSecret>();

  async get(id: string): Promise<StoredSecret | undefined> {
    const d = this.docs.get(id);
    return d && { ...d };
  }

  async put(secret: StoredSecret): Promise<void> {
    this.docs.set(secret._id, { ...secret });
  }

  async delete(id: string): Promise<void> {
    this.docs.delete(id);
  }

  async replaceIfUnchanged(secret: StoredSecret, expected: Pick<SealedSecret, 'iv' | 'tag'>): Promise<boolean> {
    const d = this.docs.get(secret._id);
    if (!d || d.iv !== expected.iv || d.tag !== expected.tag) return false;
    this.docs.set(secret._id, { ...secret });
    return true;
  }

  async list(): Promise<Pick<StoredSecret, '_id' | 'connectionId' | 'name'>[]> {
    return [...this.docs.values()].map(({ _id, connectionId, name }) => ({ _id, connectionId, name }));
  }
}
