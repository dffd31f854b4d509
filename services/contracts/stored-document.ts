/**
 * The stored document's contract (architecture.md §3): how a table record looks in MongoDB, for the loader that writes it,
 * the coordinator's reconciliation, `dynsync verify` and downstream readers. `_id` is the record id (lower-case
 * GUID); the record's fields follow; `_sync` holds the sync metadata. A deleted record is a soft delete: `_sync`
 * only, `deleted: true`, the version kept (so an older replay cannot resurrect it). Pure.
 */

/** The field holding the sync metadata of every stored document. */
export const SYNC_FIELD = '_sync';

/** Dotted paths of the `_sync` fields that queries and indexes use. */
export const SYNC = {
  version: `${SYNC_FIELD}.version`,
  modifiedon: `${SYNC_FIELD}.modifiedon`,
  runStart: `${SYNC_FIELD}.runStart`,
  hash: `${SYNC_FIELD}.hash`,
  deleted: `${SYNC_FIELD}.deleted`,
} as const;

/** The `_sync` metadata as stored (BSON Long / Date as the driver returns them). */
export interface StoredSync {
  /** Dataverse `versionnumber` (int64). */
  version: { toString(): string } | number | bigint;
  /** Dataverse `modifiedon`. */
  modifiedon: Date;
  /** Start (T0) of the run whose record was last written. */
  runStart: Date;
  /** Hash of the record's value as produced (schema id and Avro body); `deleted` for a tombstone. */
  hash?: string;
  deleted: boolean;
  runId?: string;
  taskId?: string;
  topic?: string;
  partition?: number;
  offset?: string;
}

/** The content hash of a tombstone (a deleted record has no value). */
export const TOMBSTONE_HASH = 'deleted';

/** Filter of the documents that are not soft-deleted. */
export const LIVE = { [SYNC.deleted]: { $ne: true } } as const;

/** The database of a connection's tables: `<prefix><connection id>` (prefix `dynsync_` by default). */
export function tableDatabase(prefix: string, connection: string): string {
  return `${prefix}${connection}`;
}
