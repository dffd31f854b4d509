/**
 * Indexes of every table collection, created idempotently on first use: the coordinator's full-refresh
 * reconciliation finds documents by the run that last saw them, downstream readers page by source
 * `modifiedon` and skip soft-deleted documents.
 */
import type { Collection, Document } from 'mongodb';
import { SYNC_FIELD } from './core/upsert-plan.ts';

/** The index set of a table collection. */
export const TABLE_INDEXES = [
  { key: { [`${SYNC_FIELD}.runStart`]: 1 }, name: 'sync_runStart' },
  { key: { [`${SYNC_FIELD}.modifiedon`]: 1 }, name: 'sync_modifiedon' },
  { key: { [`${SYNC_FIELD}.deleted`]: 1 }, name: 'sync_deleted' },
] as const;

/** Creates the indexes (idempotent: an existing index of the same name and key is left as it is). */
export async function ensureIndexes(coll: Collection<Document>): Promise<void> {
  await coll.createIndexes(TABLE_INDEXES.map((i) => ({ key: { ...i.key }, name: i.name })));
}
