/**
 * Applies an upsert plan to one MongoDB collection and reports, per op, whether it was applied or stale.
 *
 * MongoDB: one unordered bulkWrite per batch (the plan guarantees one op per id, so order does not matter);
 * E11000 write errors are the stale ones. FerretDB 1.x ignores `ordered:false` for updates, stops at the first
 * failing statement and reports it at index 0 (stack-facts §3.3), so there each op is its own command, sent
 * concurrently (bounded). Either way every op's outcome is known before offsets are committed (Invariant 3).
 */
import { Long, MongoBulkWriteError, MongoServerError, type Collection, type Db, type Document } from 'mongodb';
import { SyncError } from '../shared/errors.ts';
import type { UpsertOp } from './core/upsert-plan.ts';

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

async function applyOne(coll: Collection<Document>, op: UpsertOp): Promise<boolean> {
  try {
    const res = await coll.replaceOne(op.filter, op.replacement, { upsert: true });
    return res.matchedCount + res.upsertedCount > 0;
  } catch (err) {
    if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) return false;
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
 * Creates a writer for `coll`. `perCommand` (FerretDB) sends one command per op with `concurrency` in flight;
 * otherwise one unordered bulkWrite per call.
 */
export function createStoreWriter(coll: Collection<Document>, opts: { perCommand: boolean; concurrency?: number }): StoreWriter {
  return {
    async write(ops) {
      if (ops.length === 0) return { applied: 0, stale: 0 };
      if (opts.perCommand) {
        const results = await mapBounded(ops, opts.concurrency ?? 16, (op) => applyOne(coll, op));
        const applied = results.filter(Boolean).length;
        return { applied, stale: ops.length - applied };
      }
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
