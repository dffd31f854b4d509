/**
 * Indexes of every table collection beside `_id`, created idempotently on first use: the id-set comparison of the
 * delete reconciliation and `dynsync verify` walk a table in source `modifiedon` order, and downstream readers page
 * by it.
 */
import type { Collection, Document } from 'mongodb';
import { SYNC } from '../contracts/stored-document.ts';

/** The index set of a table collection. */
export const TABLE_INDEXES = [
  { key: { [SYNC.modifiedon]: 1 }, name: 'sync_modifiedon' },
] as const;

/** Creates the indexes (idempotent: an existing index of the same name and key is left as it is). */
export async function ensureIndexes(coll: Collection<Document>): Promise<void> {
  await coll.createIndexes(TABLE_INDEXES.map((i) => ({ key: { ...i.key }, name: i.name })));
}
