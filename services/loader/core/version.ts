/**
 * Record versions and their order (Invariant 4): the loader keeps the newest version of each record, compared
 * by Dataverse `versionnumber` first, then `modifiedon`. Pure.
 */

/** The version of one record as it travels with it. */
export interface RecordVersion {
  /** Dataverse `versionnumber` (a rowversion: int64, grows on every change). */
  version: bigint;
  /** Dataverse `modifiedon`, epoch milliseconds. */
  modifiedOnMs: number;
}

/** Negative if `a` is older than `b`, 0 if equal, positive if newer. */
export function compareVersions(a: RecordVersion, b: RecordVersion): number {
  if (a.version !== b.version) return a.version < b.version ? -1 : 1;
  return Math.sign(a.modifiedOnMs - b.modifiedOnMs);
}
