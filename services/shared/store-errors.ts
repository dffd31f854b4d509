/**
 * One classification of MongoDB failures for every service that uses the store: the loader's writes and the
 * coordinator's state store. Unreachable (the driver's network, selection and pool errors, a refused or reset
 * connection, a timeout, a primary that stepped down, FerretDB's PostgreSQL down or restarting) is STORE_UNAVAILABLE,
 * transient and retried; anything else is STORE_WRITE_FAILED. Pure.
 */
import { SyncError, toSyncError } from './errors.ts';

/** What FerretDB passes on from PostgreSQL when the database cannot be reached (messages of pgx and PostgreSQL). */
const POSTGRES_UNAVAILABLE =
  /failed to connect to `|terminating connection due to|the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)|server closed the connection unexpectedly|connection refused|cannot connect now/i;

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
  // FerretDB answers for its database: PostgreSQL down, restarting or just killed (InternalError, code 1)
  if (POSTGRES_UNAVAILABLE.test(message)) {
    return new SyncError('STORE_UNAVAILABLE', `the store's database (PostgreSQL behind FerretDB) is unavailable: ${message.replace(/\s+/g, ' ').slice(0, 300)}`, { cause: err });
  }
  return new SyncError('STORE_WRITE_FAILED', `MongoDB write failed: ${message}`, { cause: err, details: { name } });
}
