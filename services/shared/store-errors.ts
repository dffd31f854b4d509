/**
 * One classification of MongoDB (or FerretDB) failures for every service that uses the store: the loader's writes
 * and the coordinator's state store. Unreachable (the driver's network, selection and pool errors, a refused or
 * reset connection, a timeout, a primary that stepped down) and busy (FerretDB's SQLite lock) are
 * STORE_UNAVAILABLE, transient and retried; anything else is STORE_WRITE_FAILED. Pure.
 */
import { SyncError, toSyncError } from './errors.ts';

/** Classifies a MongoDB failure (the caller handles the failures it expects, e.g. E11000, before). */
export function classifyStoreError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  // the driver's "store unreachable" errors, by name (shared/errors.ts)
  const generic = toSyncError(err);
  if (generic.code === 'STORE_UNAVAILABLE') return generic;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  if (/ECONNREFUSED|ECONNRESET|timed out|not primary/i.test(message)) {
    return new SyncError('STORE_UNAVAILABLE', `MongoDB is unreachable: ${message}`, { cause: err });
  }
  // FerretDB on SQLite: another writer holds the database lock (transient, not a data problem)
  if (/SQLITE_BUSY|database is locked/i.test(message)) {
    return new SyncError('STORE_UNAVAILABLE', `the store is busy (SQLite database lock held by another writer), retrying: ${message}`, { cause: err });
  }
  return new SyncError('STORE_WRITE_FAILED', `MongoDB write failed: ${message}`, { cause: err, details: { name } });
}
