/**
 * Record versions and their order (Invariant 4): the loader keeps the newest version of each record, compared
 * by Dataverse `versionnumber` first, then `modifiedon`, then the start of the run that read it (so a later
 * run re-reading an unchanged record refreshes its sync metadata, while a replay of an older run is ignored).
 * Pure.
 */

/** The version of one record as it travels with it (Kafka headers). */
export interface RecordVersion {
  /** Dataverse `versionnumber` (a rowversion: int64, grows on every change). */
  version: bigint;
  /** Dataverse `modifiedon`, epoch milliseconds. */
  modifiedOnMs: number;
  /** Start (T0) of the run that extracted it, epoch milliseconds. */
  runStartMs: number;
}

/** Negative if `a` is older than `b`, 0 if equal, positive if newer. */
export function compareVersions(a: RecordVersion, b: RecordVersion): number {
  if (a.version !== b.version) return a.version < b.version ? -1 : 1;
  if (a.modifiedOnMs !== b.modifiedOnMs) return Math.sign(a.modifiedOnMs - b.modifiedOnMs);
  return Math.sign(a.runStartMs - b.runStartMs);
}
