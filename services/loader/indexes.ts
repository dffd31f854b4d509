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

/**
 * Creates the indexes that do not exist yet. Existing ones are listed first rather than re-created: FerretDB 1.24
 * panics (and closes the connection) on a createIndexes of an index that already exists.
 */
export async function ensureIndexes(coll: Collection<Document>): Promise<void> {
  const existing = new Set((await coll.listIndexes().toArray().catch(() => [])).map((i) => String(i.name)));
  const missing = TABLE_INDEXES.filter((i) => !existing.has(i.name));
  if (missing.length > 0) await coll.createIndexes(missing.map((i) => ({ key: { ...i.key }, name: i.name })));
}
