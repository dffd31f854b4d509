/**
 * Applies an upsert plan to one MongoDB collection and reports, per op, whether it was applied or stale.
 *
 * MongoDB: one unordered bulkWrite per batch of guarded upserts (the plan guarantees one op per id, so order does
 * not matter); E11000 write errors are the stale ones. The guard is atomic in the server.
 *
 * FerretDB 1.x cannot run that: it ignores `ordered:false` for updates and stops at the first failing statement
 * (stack-facts §3.3), and it pushes a filter down to SQLite only when it is exactly `{_id: <string>}`, so a guarded
 * filter scans the whole collection per write. There the writer reads the stored versions by `_id` (indexed),
 * compares in the application, inserts the new ids in one unordered insertMany and replaces the newer ones by `_id`.
 * Between the read and the write another writer of the same id could interleave; Kafka's one-owner-per-partition
 * makes that a zombie-consumer-only window, which real MongoDB closes and FerretDB leaves open (documented).
 * Either way every op's outcome is known before offsets are committed (Invariant 3).
 */
import { Long, MongoBulkWriteError, type Collection, type Db, type Document } from 'mongodb';
import { SyncError } from '../shared/errors.ts';
import { SYNC_FIELD, storedVersion, type StoredSync, type UpsertOp } from './core/upsert-plan.ts';
import { compareVersions } from './core/version.ts';

/** What a write did. */
export interface WriteOutcome {
  applied: number;
  stale: number;
}

/** Converts a record version to the BSON type stored (int64). */
export const toLong = (n: bigint): Long => Long.fromBigInt(n);

const DUPLICATE_KEY = 11000;

/** What the store can do, probed once at start. */
export interface StoreProfile {
  /** FerretDB 1.x: bulk updates stop at the first failure, so each upsert is its own command. */
  perCommandWrites: boolean;
  /** FerretDB 1.x has no Decimal128 (a Decimal128 value closes the connection): store exact decimal text. */
  decimals: 'decimal128' | 'string';
  server: string;
}

/** Probes the store behind `db` (FerretDB's buildInfo carries `ferretdbVersion`). */
export async function probeStore(db: Db): Promise<StoreProfile> {
  const info = await db.admin().command({ buildInfo: 1 });
  if ('ferretdbVersion' in info) return { perCommandWrites: true, decimals: 'string', server: `FerretDB ${String(info.ferretdbVersion)}` };
  return { perCommandWrites: false, decimals: 'decimal128', server: `MongoDB ${String(info.version)}` };
}

/** Classifies a MongoDB failure other than the expected E11000. */
export function classifyStoreError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  if (/MongoNetwork|MongoServerSelection|MongoTopologyClosed|PoolClear/.test(name) || /ECONNREFUSED|ECONNRESET|timed out/i.test(message)) {
    return new SyncError('STORE_UNAVAILABLE', `MongoDB is unreachable: ${message}`, { cause: err });
  }
  return new SyncError('STORE_WRITE_FAILED', `MongoDB write failed: ${message}`, { cause: err, details: { name } });
}

/** FerretDB path: application-side guard with `_id`-only filters (the only ones FerretDB indexes). */
async function writeComparing(coll: Collection<Document>, ops: readonly UpsertOp[], concurrency: number): Promise<WriteOutcome> {
  try {
    const stored = await mapBounded(ops, concurrency, (op) =>
      coll.findOne<{ [SYNC_FIELD]?: StoredSync }>({ _id: op.id as never }, { projection: { [SYNC_FIELD]: 1 } }),
    );
    const inserts: UpsertOp[] = [];
    const replaces: UpsertOp[] = [];
    ops.forEach((op, i) => {
      const sync = stored[i]?.[SYNC_FIELD];
      if (!stored[i] || !sync) inserts.push(op);
      else if (compareVersions(op.version, storedVersion(sync)) > 0) replaces.push(op);
    });
    let applied = 0;
    const raced: UpsertOp[] = [];
    if (inserts.length > 0) {
      try {
        applied += (await coll.insertMany(inserts.map((op) => op.replacement), { ordered: false })).insertedCount;
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError)) throw err;
        const failed = new Set((Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]).map((e) => e.index));
        applied += inserts.length - failed.size;
        for (const i of failed) raced.push(inserts[i]!); // inserted meanwhile by someone else: compare again
      }
    }
    await mapBounded(replaces, concurrency, (op) => coll.replaceOne({ _id: op.id as never }, op.replacement, { upsert: true }));
    applied += replaces.length;
    const again = raced.length > 0 ? await writeComparing(coll, raced, concurrency) : { applied: 0, stale: 0 };
    applied += again.applied;
    return { applied, stale: ops.length - applied };
  } catch (err) {
    throw classifyStoreError(err);
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; resolves to the results in order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Writes guarded upserts into one collection. */
export interface StoreWriter {
  write(ops: readonly UpsertOp[]): Promise<WriteOutcome>;
}

/**
 * Creates a writer for `coll`. `perCommand` (FerretDB) compares versions in the application with `_id`-only
 * commands, `concurrency` in flight; otherwise one unordered bulkWrite of guarded upserts per call.
 */
export function createStoreWriter(coll: Collection<Document>, opts: { perCommand: boolean; concurrency?: number }): StoreWriter {
  return {
    async write(ops) {
      if (ops.length === 0) return { applied: 0, stale: 0 };
      if (opts.perCommand) return writeComparing(coll, ops, opts.concurrency ?? 16);
      try {
        const res = await coll.bulkWrite(
          ops.map((op) => ({ replaceOne: { filter: op.filter, replacement: op.replacement, upsert: true } })),
          { ordered: false },
        );
        const applied = res.matchedCount + res.upsertedCount;
        return { applied, stale: ops.length - applied };
      } catch (err) {
        if (err instanceof MongoBulkWriteError) {
          const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
          if (errors.every((e) => e.code === DUPLICATE_KEY)) {
            return { applied: ops.length - errors.length, stale: errors.length };
          }
        }
        throw classifyStoreError(err);
      }
    },
  };
}
