/**
 * The upsert plan of a batch (pure): which writes the loader sends to MongoDB for a batch of decoded records. Within
 * a batch only the record that would win of each id is kept (core/write-decision.ts), so the writes of a batch are
 * independent. Each write is a guarded upsert: its filter matches the stored document only when the record wins
 * over it, so a record that does not win (older, a replay, unchanged) and is sent anyway collides on `_id` (E11000)
 * instead of overwriting (Invariant 4).
 */
import { SYNC_FIELD, TOMBSTONE_HASH, type StoredSync } from '../../contracts/stored-document.ts';
import { decideWrite, guardFilter, WRITTEN, type WriteKey } from './write-decision.ts';

/** One decoded record to store. */
export interface IncomingRecord {
  id: string;
  /** Dataverse `versionnumber` (0 when the table has none). */
  version: bigint;
  /** Dataverse `modifiedon`, epoch milliseconds. */
  modifiedOnMs: number;
  /** Start (T0) of the run that read it, epoch milliseconds. */
  runStartMs: number;
  /** Hash of the record's value bytes as produced (schema id and Avro body); {@link TOMBSTONE_HASH} for a tombstone. */
  hash: string;
  /** The document fields (already converted to their MongoDB form); null for a tombstone. */
  fields: Record<string, unknown> | null;
  /** Sync metadata kept with the document (run id, source topic/partition/offset...). */
  meta: Record<string, unknown>;
}

/** One guarded write. */
export interface UpsertOp {
  id: string;
  /** The run that read the record (its counts are kept per run). */
  runId: string;
  /** What decides the write (compared with the stored document before sending). */
  key: WriteKey;
  /** Matches the stored document only if the record wins over it. */
  filter: Record<string, unknown>;
  /** The full replacement document. */
  replacement: Record<string, unknown>;
}

/** The decision key of an incoming record. */
export function keyOf(r: IncomingRecord): WriteKey {
  return { version: r.version, modifiedOnMs: r.modifiedOnMs, runStartMs: r.runStartMs, hash: r.hash, deleted: r.fields === null };
}

/** The decision key of a stored document's `_sync` (a document written before content hashes has none: ''). */
export function storedKey(sync: StoredSync): WriteKey {
  return {
    version: BigInt(sync.version.toString()),
    modifiedOnMs: sync.modifiedon.getTime(),
    runStartMs: sync.runStart?.getTime() ?? 0,
    hash: sync.hash ?? '',
    deleted: sync.deleted === true,
  };
}

/** Keeps the record of each id that wins over the others of the batch (among equals, the first). */
export function newestPerId<T extends IncomingRecord>(records: readonly T[]): T[] {
  const best = new Map<string, T>();
  for (const r of records) {
    const seen = best.get(r.id);
    if (!seen || WRITTEN.has(decideWrite(keyOf(r), keyOf(seen)))) best.set(r.id, r);
  }
  return [...best.values()];
}

/**
 * Plans the guarded writes of a batch. A tombstone becomes a replacement that keeps only the sync metadata with
 * `deleted: true` (a soft delete that keeps the version, so an older replayed upsert cannot resurrect it).
 */
export function planUpserts(records: readonly IncomingRecord[], toLong: (n: bigint) => unknown): UpsertOp[] {
  return newestPerId(records).map((r) => {
    const key = keyOf(r);
    const replacement: Record<string, unknown> = { _id: r.id, ...(r.fields ?? {}) };
    replacement._id = r.id; // a column named `_id` can never replace the record id (the key stays first)
    return {
      id: r.id,
      runId: String(r.meta.runId ?? ''),
      key,
      filter: guardFilter(r.id, key, toLong),
      replacement: {
        ...replacement,
        [SYNC_FIELD]: {
          ...r.meta,
          version: toLong(r.version),
          modifiedon: new Date(r.modifiedOnMs),
          runStart: new Date(r.runStartMs),
          hash: key.deleted ? TOMBSTONE_HASH : r.hash,
          deleted: key.deleted,
        },
      },
    };
  });
}
