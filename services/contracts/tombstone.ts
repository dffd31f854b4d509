/**
 * Tombstones of table topics (architecture.md §4: null value = deleted), the one way they are built: the coordinator's
 * full-run reconciliation (services/coordinator/core/tombstone.ts) and the extractor's delta tasks
 * (services/extractor/delta-extractor.ts). Pure.
 */
import { encodeRecordHeaders, type RecordHeaders } from './record-headers.ts';

/** A tombstone message of a table topic: key = record id, null value, the standard record headers. */
export interface TombstoneMessage {
  key: string;
  value: null;
  headers: Record<string, string>;
}

/**
 * The tombstone of record `id` with `headers`. The loader applies it only when its version (version, modifiedon,
 * run start) is newer than the stored one, so the headers must carry a version at least as new as any version of
 * the record that can still be replayed.
 */
export function tombstoneRecord(id: string, headers: RecordHeaders): TombstoneMessage {
  return { key: id, value: null, headers: encodeRecordHeaders(headers) };
}
