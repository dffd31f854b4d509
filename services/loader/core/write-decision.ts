/**
 * Whether an incoming record is written over the stored document (pure). Invariant 4: replays and zombies never
 * overwrite newer data; and a record that brings nothing new is not written at all, so a full refresh of unchanged
 * data writes nothing.
 *
 * | incoming against stored | outcome | written |
 * |---|---|---|
 * | no stored document | `new` | yes |
 * | newer (`versionnumber`, then `modifiedon`) | `newer` | yes |
 * | older | `older` | no |
 * | same version, read by an older run | `older` | no (a replay) |
 * | same version, same content | `unchanged` | no |
 * | same version, other content, read by a newer run | `changed` | yes (a column added or removed, a label changed) |
 * | same version, other content, same run | `changed` only for a tombstone over a live document, else `older` |
 *
 * Content is the record's value bytes as produced (Confluent wire format: schema id and Avro body), hashed: a schema
 * change (a column added or removed) changes it. The same rule is expressed as the server-side filter of the guarded
 * write ({@link guardFilter}), so that a write raced by another writer of the same id still cannot go backwards.
 */
import { SYNC } from '../../contracts/stored-document.ts';

/** What decides a write: the record's version, the run that read it, its content hash, tombstone or not. */
export interface WriteKey {
  version: bigint;
  modifiedOnMs: number;
  runStartMs: number;
  hash: string;
  deleted: boolean;
}

/** The outcome of one record. */
export type WriteOutcome = 'new' | 'newer' | 'changed' | 'unchanged' | 'older';

/** Outcomes that write the record. */
export const WRITTEN: ReadonlySet<WriteOutcome> = new Set(['new', 'newer', 'changed']);

/** Decides the outcome of `incoming` against the stored document's key (undefined: no document). */
export function decideWrite(incoming: WriteKey, stored: WriteKey | undefined): WriteOutcome {
  if (!stored) return 'new';
  if (incoming.version !== stored.version) return incoming.version > stored.version ? 'newer' : 'older';
  if (incoming.modifiedOnMs !== stored.modifiedOnMs) return incoming.modifiedOnMs > stored.modifiedOnMs ? 'newer' : 'older';
  if (incoming.runStartMs < stored.runStartMs) return 'older';
  if (incoming.hash === stored.hash) return 'unchanged';
  if (incoming.runStartMs > stored.runStartMs) return 'changed';
  // the same run read both: only a tombstone (a reconciliation of a row deleted after it was read) replaces
  return incoming.deleted && !stored.deleted ? 'changed' : 'older';
}

/**
 * The filter that matches the stored document of `id` exactly when {@link decideWrite} says `newer` or `changed`
 * (a missing document is the upsert's insert; a document that does not match makes the upsert collide on `_id`).
 */
export function guardFilter(id: string, k: WriteKey, toLong: (n: bigint) => unknown): Record<string, unknown> {
  const V = toLong(k.version);
  const M = new Date(k.modifiedOnMs);
  const R = new Date(k.runStartMs);
  const same = { [SYNC.version]: V, [SYNC.modifiedon]: M };
  return {
    _id: id,
    $or: [
      { [SYNC.version]: { $lt: V } },
      { [SYNC.version]: V, [SYNC.modifiedon]: { $lt: M } },
      { ...same, [SYNC.runStart]: { $lt: R }, [SYNC.hash]: { $ne: k.hash } },
      ...(k.deleted ? [{ ...same, [SYNC.runStart]: R, [SYNC.hash]: { $ne: k.hash }, [SYNC.deleted]: { $ne: true } }] : []),
    ],
  };
}
