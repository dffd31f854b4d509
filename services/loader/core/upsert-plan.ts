/**
 * The upsert plan of a batch (pure): which writes the loader sends to MongoDB for a batch of decoded records,
 * and the version guard each write carries. Invariant 4: replaying any record is harmless, because
 *  - within a batch, only the newest version of each record id is kept (so writes in a batch are independent
 *    and may run concurrently), and
 *  - each write is a guarded upsert that matches the stored document only if it is strictly older: an older or
 *    equal version arriving later (replay, redelivery, a zombie consumer) matches nothing, the upsert then
 *    collides on `_id` (E11000), and the writer counts it as stale instead of overwriting.
 */
import { compareVersions, type RecordVersion } from './version.ts';

/** Field holding sync metadata in every stored document. */
export const SYNC_FIELD = '_sync';

/** One decoded record to store. */
export interface IncomingRecord extends RecordVersion {
  id: string;
  /** The document fields (already converted to their MongoDB form); null for a tombstone. */
  fields: Record<string, unknown> | null;
  /** Sync metadata kept with the document (run id, source topic/partition/offset...). */
  meta: Record<string, unknown>;
}

/** One guarded write. */
export interface UpsertOp {
  id: string;
  /** The version written, for stores that compare in the application (FerretDB path). */
  version: RecordVersion;
  /** Matches the stored document only if it is strictly older than this version. */
  filter: Record<string, unknown>;
  /** The full replacement document. */
  replacement: Record<string, unknown>;
}

/** The filter that matches record `id` only when its stored version is strictly older than `v`. */
export function olderThanFilter(id: string, v: RecordVersion, toLong: (n: bigint) => unknown): Record<string, unknown> {
  const version = toLong(v.version);
  const modifiedon = new Date(v.modifiedOnMs);
  const runStart = new Date(v.runStartMs);
  const [V, M, R] = [`${SYNC_FIELD}.version`, `${SYNC_FIELD}.modifiedon`, `${SYNC_FIELD}.runStart`];
  return {
    _id: id,
    $or: [{ [V]: { $lt: version } }, { [V]: version, [M]: { $lt: modifiedon } }, { [V]: version, [M]: modifiedon, [R]: { $lt: runStart } }],
  };
}

/** Keeps the newest version of each id (the last one wins among equals, which are identical replays). */
export function newestPerId<T extends IncomingRecord>(records: readonly T[]): T[] {
  const newest = new Map<string, T>();
  for (const r of records) {
    const seen = newest.get(r.id);
    if (!seen || compareVersions(r, seen) >= 0) newest.set(r.id, r);
  }
  return [...newest.values()];
}

/**
 * Plans the guarded writes of a batch. A tombstone becomes a replacement that keeps only the sync metadata with
 * `deleted: true` (a soft delete that keeps the version, so an older replayed upsert cannot resurrect it).
 */
export function planUpserts(records: readonly IncomingRecord[], toLong: (n: bigint) => unknown): UpsertOp[] {
  return newestPerId(records).map((r) => ({
    id: r.id,
    version: { version: r.version, modifiedOnMs: r.modifiedOnMs, runStartMs: r.runStartMs },
    filter: olderThanFilter(r.id, r, toLong),
    replacement: {
      _id: r.id,
      ...(r.fields ?? {}),
      [SYNC_FIELD]: {
        ...r.meta,
        version: toLong(r.version),
        modifiedon: new Date(r.modifiedOnMs),
        runStart: new Date(r.runStartMs),
        deleted: r.fields === null,
      },
    },
  }));
}

/** The sync metadata as stored (BSON Long/Date as the driver returns them). */
export interface StoredSync {
  version: { toString(): string } | number | bigint;
  modifiedon: Date;
  runStart?: Date;
}

/** The version a stored document carries (for the application-side guard). */
export function storedVersion(sync: StoredSync): RecordVersion {
  return { version: BigInt(sync.version.toString()), modifiedOnMs: sync.modifiedon.getTime(), runStartMs: sync.runStart?.getTime() ?? 0 };
}
