/**
 * The watermark rule (pure). Invariant 2: the watermark never moves backwards — a commit replaces the stored value
 * only with a strictly later one; an equal or earlier one (a replay, a run with an older T0) changes nothing.
 */

/** True when `candidateMs` may replace `currentMs` (null = no watermark yet). */
export function advances(currentMs: number | null, candidateMs: number): boolean {
  return currentMs === null || candidateMs > currentMs;
}

/** The watermark after a commit of `candidateMs`. */
export function afterCommit(currentMs: number | null, candidateMs: number): number {
  return advances(currentMs, candidateMs) ? candidateMs : currentMs!;
}
