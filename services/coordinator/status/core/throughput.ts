/**
 * Throughput over time (pure): the status server samples the record counts of the runs it shows, and this history
 * turns consecutive samples into records per second. The runs collection only holds current counts, so the
 * history lives in the status server's memory: it starts empty when the coordinator starts (a view, not state).
 */

/** Records per second between the previous sample and `atMs`. */
export interface ThroughputPoint {
  atMs: number;
  perSec: number;
}

/** Limits of a {@link ThroughputHistory}. */
export interface ThroughputLimits {
  /** Points older than this (relative to the newest sample) are dropped. */
  spanMs: number;
  /** Samples closer than this to the previous kept sample are ignored (several viewers poll at once). */
  minIntervalMs: number;
}

/** The default limits: 10 minutes of points, at most one per second. */
export const DEFAULT_THROUGHPUT_LIMITS: ThroughputLimits = { spanMs: 10 * 60_000, minIntervalMs: 1_000 };

/** A bounded history of throughput points built from record-count samples. */
export class ThroughputHistory {
  private readonly limits: ThroughputLimits;
  private lastAtMs: number | null = null;
  private lastCounts = new Map<string, number>();
  private readonly points: ThroughputPoint[] = [];

  constructor(limits: ThroughputLimits = DEFAULT_THROUGHPUT_LIMITS) {
    this.limits = limits;
  }

  /**
   * Records the counts of the observed runs (run id → records) at `atMs`. The first sample is the baseline; a
   * run absent from the previous sample is a baseline too (its earlier records are not attributed to this
   * interval); a count that went down contributes 0. Returns false when the sample was ignored (too early or a
   * clock going backwards).
   */
  record(atMs: number, counts: ReadonlyMap<string, number>): boolean {
    if (this.lastAtMs !== null && atMs - this.lastAtMs < this.limits.minIntervalMs) return false;
    if (this.lastAtMs !== null) {
      let delta = 0;
      for (const [run, n] of counts) {
        const before = this.lastCounts.get(run);
        if (before !== undefined) delta += Math.max(0, n - before);
      }
      this.points.push({ atMs, perSec: delta / ((atMs - this.lastAtMs) / 1000) });
    }
    this.lastAtMs = atMs;
    this.lastCounts = new Map(counts);
    while (this.points.length > 0 && this.points[0]!.atMs < atMs - this.limits.spanMs) this.points.shift();
    return true;
  }

  /** The points, oldest first (a copy). */
  series(): ThroughputPoint[] {
    return this.points.map((p) => ({ ...p }));
  }
}
