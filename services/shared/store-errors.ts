/**
 * One classification of MongoDB failures for every service that uses the store: the loader's writes and the
 * coordinator's state store. Unreachable (the driver's network, selection and pool errors, a refused or reset
 * connection, a timeout, a primary that stepped down) is STORE_UNAVAILABLE, transient and retried; anything else is
 * STORE_WRITE_FAILED. Pure.
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
  return new SyncError('STORE_WRITE_FAILED', `MongoDB write failed: ${message}`, { cause: err, details: { name } });
}
