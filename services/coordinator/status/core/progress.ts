/**
 * Progress of a run or of one of its tables (pure): fraction of windows done, average rate since the run
 * started, and an ETA by windows (records still to come are unknown until the windows are read, so the ETA
 * assumes the remaining windows take as long on average as the finished ones).
 */

/** Counts of a table, or their sums over a run's tables. */
export interface ProgressCounts {
  windowsDone: number;
  windowsTotal: number;
  records: number;
}

/** Computed progress. */
export interface Progress {
  /** windowsDone / windowsTotal, null when no window is planned yet. */
  fraction: number | null;
  /** Time from the run's start to `endMs` (the table's or run's end, or now while it runs). */
  elapsedMs: number | null;
  /** Average records per second over `elapsedMs`; null under one second or without a start. */
  ratePerSec: number | null;
  /** Remaining time by windows: 0 when every window is done, null when unknown or the run is not running. */
  etaMs: number | null;
}

/**
 * Progress of `c` for a run started at `startedAtMs`, measured until `endMs`; `running` = the run can still make
 * progress (only then is an ETA given).
 */
export function progressOf(c: ProgressCounts, startedAtMs: number | null, endMs: number, running: boolean): Progress {
  const fraction = c.windowsTotal > 0 ? Math.min(1, c.windowsDone / c.windowsTotal) : null;
  const elapsedMs = startedAtMs === null ? null : Math.max(0, endMs - startedAtMs);
  const ratePerSec = elapsedMs !== null && elapsedMs >= 1000 ? c.records / (elapsedMs / 1000) : null;
  let etaMs: number | null = null;
  if (fraction === 1) etaMs = 0;
  else if (running && elapsedMs !== null && c.windowsDone > 0) etaMs = Math.round((elapsedMs * (c.windowsTotal - c.windowsDone)) / c.windowsDone);
  return { fraction, elapsedMs, ratePerSec, etaMs };
}

/** Sums of the counts of several tables. */
export function sumCounts(tables: readonly ProgressCounts[]): ProgressCounts {
  return tables.reduce<ProgressCounts>(
    (s, t) => ({ windowsDone: s.windowsDone + t.windowsDone, windowsTotal: s.windowsTotal + t.windowsTotal, records: s.records + t.records }),
    { windowsDone: 0, windowsTotal: 0, records: 0 },
  );
}
