/**
 * The upsert plan of a batch (pure): which writes the loader sends to MongoDB for a batch of decoded records. Within
 * a batch only the record that would win of each id is kept (core/write-decision.ts), so the writes of a batch are
 * independent. Each write is a guarded upsert: its filter matches the stored document only when the record wins
 * over it, so a record that does not win (older, a replay, unchanged) and is sent anyway collides on `_id` (E11000)
 * instead of overwriting (Invariant 4).
 */
import { SYNC_FIELD, TOMBSTONE_HASH, type StoredSync } from '../../contracts/stored-document.ts';
import { decideWrite, WRITTEN, type WriteKey } from './write-decision.ts';

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
  /** What decides the write (compared with the stored document before sending; its guard: `guardFilter`). */
  key: WriteKey;
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

/** The record of each id that wins over the others of the batch (among equals, the first), with its key. */
function newestKeyed<T extends IncomingRecord>(records: readonly T[]): { record: T; key: WriteKey }[] {
  const best = new Map<string, { record: T; key: WriteKey }>();
  for (const record of records) {
    const key = keyOf(record);
    const seen = best.get(record.id);
    if (!seen || WRITTEN.has(decideWrite(key, seen.key))) best.set(record.id, { record, key });
  }
  return [...best.values()];
}

/** Keeps the record of each id that wins over the others of the batch (among equals, the first). */
export function newestPerId<T extends IncomingRecord>(records: readonly T[]): T[] {
  return newestKeyed(records).map((k) => k.record);
}

/**
 * Plans the writes of a batch: the replacement document of each winning record, `_id` first, its fields (a column
 * named `_id` or `_sync` never replaces the record id or the sync metadata), then `_sync`. A tombstone becomes a
 * replacement that keeps only the sync metadata with `deleted: true` (a soft delete that keeps the version, so an
 * older replayed upsert cannot resurrect it). The guard of a write that may meet a stored document is built when it
 * is sent (store-writer.ts): a new id is inserted without one.
 */
export function planUpserts(records: readonly IncomingRecord[], toLong: (n: bigint) => unknown): UpsertOp[] {
  return newestKeyed(records).map(({ record: r, key }) => {
    const replacement: Record<string, unknown> = { _id: r.id };
    if (r.fields) for (const name in r.fields) if (name !== '_id' && name !== SYNC_FIELD) replacement[name] = r.fields[name];
    replacement[SYNC_FIELD] = {
      ...r.meta,
      version: toLong(r.version),
      modifiedon: new Date(r.modifiedOnMs),
      runStart: new Date(r.runStartMs),
      hash: key.deleted ? TOMBSTONE_HASH : r.hash,
      deleted: key.deleted,
    };
    return { id: r.id, runId: String(r.meta.runId ?? ''), key, replacement };
  });
}
