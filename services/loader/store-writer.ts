/**
 * Applies an upsert plan to one MongoDB collection and reports, per op, whether it was applied or stale: one
 * unordered bulkWrite of guarded `replaceOne` upserts per batch of at most {@link MAX_WRITE_BATCH} ops (the plan
 * guarantees one op per id, so order does not matter). The guard is atomic in the server (Invariant 4): an op whose
 * filter matches no document (the stored version is as new or newer) upserts, collides on `_id` (E11000) and is
 * counted stale. Every op's outcome is known before offsets are committed (Invariant 3).
 */
import { Long, MongoBulkWriteError, type Collection, type Db, type Document } from 'mongodb';
import { SyncError } from '../shared/errors.ts';
import { classifyStoreError } from '../shared/store-errors.ts';
import type { UpsertOp } from './core/upsert-plan.ts';

/** What a write did. */
export interface WriteOutcome {
  applied: number;
  stale: number;
}

/** Converts a record version to the BSON type stored (int64). */
export const toLong = (n: bigint): Long => Long.fromBigInt(n);

const DUPLICATE_KEY = 11000;

/**
 * The most operations one bulk write carries. DocumentDB (FerretDB 2) refuses a batch of more than 25,000 operations
 * whole although `hello` advertises 100,000, and the driver splits only at the advertised size; MongoDB takes it.
 */
export const MAX_WRITE_BATCH = 25_000;

/** The store's server, probed once at start. */
export interface StoreProfile {
  server: string;
}

/**
 * Probes the store behind `db`. FerretDB 1.x (its buildInfo carries `ferretdbVersion`) is refused: it has no
 * Decimal128 and breaks unordered bulk updates, which the loader relies on.
 */
export async function probeStore(db: Db): Promise<StoreProfile> {
  const info = await db.admin().command({ buildInfo: 1 });
  if ('ferretdbVersion' in info) {
    throw new SyncError(
      'CONFIG_INVALID',
      `MONGODB_URI points at FerretDB ${String(info.ferretdbVersion)}, which lacks Decimal128 and unordered bulk updates: use MongoDB 6+ or FerretDB 2 on DocumentDB (npm run infra:up starts one)`,
    );
  }
  const ferret = (info as { ferretdb?: { version?: unknown } }).ferretdb;
  return { server: ferret ? `FerretDB ${String(ferret.version)} (MongoDB ${String(info.version)} API)` : `MongoDB ${String(info.version)}` };
}

/**
 * The op indexes a bulk write rejected as duplicate `_id`s, or undefined when the failure is anything else. A
 * connection lost mid-command also rejects with a MongoBulkWriteError whose writeErrors is empty: that is an outage
 * (retried), never "all duplicates" (which would commit offsets of records not written).
 */
function duplicateIndexes(err: unknown): number[] | undefined {
  if (!(err instanceof MongoBulkWriteError)) return undefined;
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  if (errors.length === 0 || !errors.every((e) => e.code === DUPLICATE_KEY)) return undefined;
  return errors.map((e) => e.index);
}

/** Writes one batch (≤ MAX_WRITE_BATCH ops) as one unordered bulk of guarded upserts. */
async function writeBatch(coll: Collection<Document>, ops: readonly UpsertOp[]): Promise<WriteOutcome> {
  try {
    const res = await coll.bulkWrite(
      ops.map((op) => ({ replaceOne: { filter: op.filter, replacement: op.replacement, upsert: true } })),
      { ordered: false },
    );
    const applied = res.matchedCount + res.upsertedCount;
    return { applied, stale: ops.length - applied };
  } catch (err) {
    const duplicates = duplicateIndexes(err);
    if (duplicates) return { applied: ops.length - duplicates.length, stale: duplicates.length };
    throw classifyStoreError(err);
  }
}

/** Writes guarded upserts into one collection. */
export interface StoreWriter {
  write(ops: readonly UpsertOp[]): Promise<WriteOutcome>;
}

/** Creates the writer of `coll`. */
export function createStoreWriter(coll: Collection<Document>): StoreWriter {
  return {
    async write(ops) {
      const out: WriteOutcome = { applied: 0, stale: 0 };
      for (let i = 0; i < ops.length; i += MAX_WRITE_BATCH) {
        const o = await writeBatch(coll, ops.slice(i, i + MAX_WRITE_BATCH));
        out.applied += o.applied;
        out.stale += o.stale;
      }
      return out;
    },
  };
}
