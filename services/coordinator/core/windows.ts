/**
 * Window maths (pure): a refresh range `[from, to)` on `modifiedon` is cut into half-open windows on whole seconds
 * (architecture.md §5). Windows are balanced by what is known of the data: equal-count windows from the per-window
 * counts of the previous run of the same kind, else geometric windows that get denser towards `to` (Dataverse data
 * is skewed to recent). A range wider than one minimum window is never left as one giant window; the extractor
 * splits further any window that turns out too big.
 */

/** The beginning of time for a full run: Dataverse's smallest DateTime (1753-01-01T00:00:00Z). */
export const FULL_RANGE_START_MS = Date.UTC(1753, 0, 1);

/** A half-open window `[fromMs, toMs)` in epoch milliseconds, both on whole seconds. */
export interface Window {
  fromMs: number;
  toMs: number;
}

/** A window of a previous run with the number of rows it held. */
export interface WindowCount extends Window {
  count: number;
}

/** How many windows to aim for. */
export interface WindowOptions {
  /** Windows per table when the range is wide enough (≥ 1). */
  targetWindows: number;
  /** Narrowest window, in ms (a multiple of 1000, ≥ 1000). */
  minWindowMs: number;
}

/** Truncates epoch milliseconds down to the whole second (also for times before 1970). */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** How many windows a span allows: at most `targetWindows`, each at least `minWindowMs` wide. */
function windowCount(spanMs: number, opts: WindowOptions): number {
  return Math.max(1, Math.min(opts.targetWindows, Math.floor(spanMs / Math.max(1000, opts.minWindowMs))));
}

/** Turns sorted inner cut points into windows: whole seconds, ≥ minWindowMs apart, covering `[from, to)` exactly. */
function fromCuts(fromMs: number, toMs: number, cuts: readonly number[], minWindowMs: number): Window[] {
  const bounds = [fromMs];
  for (const raw of cuts) {
    const cut = floorToSecond(raw);
    if (cut - bounds[bounds.length - 1]! >= minWindowMs && toMs - cut >= minWindowMs) bounds.push(cut);
  }
  bounds.push(toMs);
  return bounds.slice(1).map((to, i) => ({ fromMs: bounds[i]!, toMs: to }));
}

/**
 * Geometric windows: widths double going back from `toMs`, so the newest window is the narrowest. `k` windows of
 * widths w, 2w, 4w, … cover the span exactly.
 */
export function geometricWindows(fromMs: number, toMs: number, opts: WindowOptions): Window[] {
  const span = toMs - fromMs;
  if (span <= 0) return [];
  const k = windowCount(span, opts);
  const total = 2 ** k - 1;
  const cuts: number[] = [];
  for (let i = k - 1; i >= 1; i--) cuts.push(toMs - (span * (2 ** i - 1)) / total);
  return fromCuts(fromMs, toMs, cuts, Math.max(1000, opts.minWindowMs));
}

/**
 * Equal-count windows: the previous run's counts give a piecewise-constant density (uniform inside each old
 * window; outside them, the density of the nearest old window); cuts fall where the cumulative count crosses
 * multiples of total / k. Returns null when the history holds no rows (nothing to balance on).
 */
export function equalCountWindows(fromMs: number, toMs: number, history: readonly WindowCount[], opts: WindowOptions): Window[] | null {
  const span = toMs - fromMs;
  if (span <= 0) return [];
  const known = history.filter((h) => h.toMs > h.fromMs && h.count >= 0).sort((a, b) => a.fromMs - b.fromMs);
  if (known.length === 0 || known.every((h) => h.count === 0)) return null;
  const densityOf = (h: WindowCount): number => h.count / (h.toMs - h.fromMs);
  const densityAt = (ms: number): number => {
    const inside = known.find((h) => ms >= h.fromMs && ms < h.toMs);
    if (inside) return densityOf(inside);
    // in a gap or after every old window: the window before; before all of them: the first
    return densityOf(known.filter((h) => h.toMs <= ms).at(-1) ?? known[0]!);
  };
  // pieces of constant density over [from, to): split at every history boundary inside the range
  const edges = [...new Set([fromMs, toMs, ...known.flatMap((h) => [h.fromMs, h.toMs]).filter((e) => e > fromMs && e < toMs)])].sort((a, b) => a - b);
  const pieces = edges.slice(1).map((end, i) => {
    const start = edges[i]!;
    return { start, end, mass: densityAt(start) * (end - start) };
  });
  const total = pieces.reduce((s, p) => s + p.mass, 0);
  if (total <= 0) return null;
  const k = windowCount(span, opts);
  const cuts: number[] = [];
  let acc = 0;
  let next = 1;
  for (const p of pieces) {
    while (next < k && acc + p.mass >= (total * next) / k) {
      const need = (total * next) / k - acc;
      cuts.push(p.mass === 0 ? p.start : p.start + ((p.end - p.start) * need) / p.mass);
      next++;
    }
    acc += p.mass;
  }
  return fromCuts(fromMs, toMs, cuts, Math.max(1000, opts.minWindowMs));
}

/**
 * The windows of one table's range: equal-count from `history` when it is usable (rows in it, and it spans at
 * least half of the range, so it says something about this range), else geometric.
 */
export function planWindows(fromMs: number, toMs: number, history: readonly WindowCount[], opts: WindowOptions): Window[] {
  if (toMs <= fromMs) return [];
  const covered = history.reduce((s, h) => s + Math.max(0, Math.min(h.toMs, toMs) - Math.max(h.fromMs, fromMs)), 0);
  const historySpan = history.reduce((s, h) => s + Math.max(0, h.toMs - h.fromMs), 0);
  const usable = covered * 2 >= toMs - fromMs || historySpan * 2 >= toMs - fromMs;
  return (usable ? equalCountWindows(fromMs, toMs, history, opts) : null) ?? geometricWindows(fromMs, toMs, opts);
}
