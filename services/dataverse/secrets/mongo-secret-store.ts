/**
 * {@link SecretStore} on MongoDB (or the MongoDB-protocol store): one document per secret in a `secrets` collection,
 * `{_id, connectionId, name, ciphertext, iv, tag, keyId, aad, updatedAt}` with base64 strings (portable across stores).
 */
import type { Collection, Db } from 'mongodb';
import { SyncError } from '../../shared/errors.ts';
import type { SecretStore, StoredSecret } from './secret-store.ts';

/** Default collection name. */
export const SECRETS_COLLECTION = 'secrets';

/** MongoDB-backed secret store; the caller owns the MongoClient. */
export class MongoSecretStore implements SecretStore {
  private readonly collection: Collection<StoredSecret>;

  constructor(db: Db, collection = SECRETS_COLLECTION) {
    this.collection = db.collection<StoredSecret>(collection);
  }

  async get(id: string): Promise<StoredSecret | undefined> {
    const doc = await guard('read', () => this.collection.findOne({ _id: id }));
    return doc ?? undefined;
  }

  async put(secret: StoredSecret): Promise<void> {
    await guard('write', () => this.collection.replaceOne({ _id: secret._id }, secret, { upsert: true }));
  }

  async delete(id: string): Promise<void> {
    await guard('delete', () => this.collection.deleteOne({ _id: id }));
  }

  async replaceIfUnchanged(secret: StoredSecret, expected: Pick<StoredSecret, 'iv' | 'tag'>): Promise<boolean> {
    const r = await guard('write', () => this.collection.replaceOne({ _id: secret._id, iv: expected.iv, tag: expected.tag }, secret));
    return r.modifiedCount === 1;
  }

  async list(): Promise<Pick<StoredSecret, '_id' | 'connectionId' | 'name'>[]> {
    return guard('read', () => this.collection.find({}, { projection: { _id: 1, connectionId: 1, name: 1 } }).sort({ _id: 1 }).toArray());
  }
}

async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new SyncError('STORE_UNAVAILABLE', `cannot ${what} the secrets collection: ${(err as Error).message}`, { cause: err });
  }
}
