/**
 * The watermark rule (pure). Invariant 2: the watermark never moves backwards — a commit replaces the stored value
 * only with a strictly later one; an equal or earlier one (a replay, a run with an older T0) changes nothing. The
 * state store applies it atomically as the filter of its guarded update ({@link watermarkReplaceableBy}); a
 * stored delta link follows the same rule by its run's T0 ({@link deltaLinkReplaceableBy}).
 */

/** True when `candidateMs` may replace `currentMs` (null = no watermark yet). */
export function advances(currentMs: number | null, candidateMs: number): boolean {
  return currentMs === null || candidateMs > currentMs;
}

/**
 * The state-DB condition under which a watermark document may take `candidate`: it has none yet, or an earlier
 * one ({@link advances} as a MongoDB filter).
 */
export function watermarkReplaceableBy(candidate: Date): { $or: [{ watermark: { $lt: Date } }, { watermark: { $exists: false } }] } {
  return { $or: [{ watermark: { $lt: candidate } }, { watermark: { $exists: false } }] };
}

/** The condition under which a stored delta link may be replaced by one of a run started at `runStart` (not later). */
export function deltaLinkReplaceableBy(runStart: Date): { runStart: { $lte: Date } } {
  return { runStart: { $lte: runStart } };
}

/** The watermark after a commit of `candidateMs`. */
export function afterCommit(currentMs: number | null, candidateMs: number): number {
  return advances(currentMs, candidateMs) ? candidateMs : currentMs!;
}
