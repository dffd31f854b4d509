/**
 * The `modifiedon` layout of a table's base rows: a pure, non-decreasing function of the row index, skewed to
 * recent times (density grows towards the anchor), with import bursts where thousands of consecutive rows share
 * one second. Because it is non-decreasing, a window `[from, to)` maps to a contiguous index range by binary
 * search: that is what keeps window queries cheap on a million rows.
 */
import { between, combine, hashIndex, unit } from './hash.ts';

/** Parameters of a layout. All times are epoch milliseconds, whole seconds. */
export interface TimeLayout {
  /** Number of base rows. */
  readonly rows: number;
  /** Time of the newest base row. */
  readonly anchorMs: number;
  /** Age of the oldest base row relative to the anchor. */
  readonly spanMs: number;
  /** Hash of (seed, table) used for burst placement. */
  readonly hash: number;
  /** Rows per burst chunk: at most one burst per chunk. */
  readonly chunk: number;
}

const SECOND = 1000;

/** Builds a layout; `spanDays` defaults to three years. */
export function timeLayout(rows: number, anchorMs: number, hash: number, spanDays = 3 * 365): TimeLayout {
  return { rows, anchorMs: Math.floor(anchorMs / SECOND) * SECOND, spanMs: spanDays * 86_400_000, hash, chunk: 10_000 };
}

/** The index whose time row `index` shares: the start of its import burst, or itself. */
export function burstStart(layout: TimeLayout, index: number): number {
  const k = Math.floor(index / layout.chunk);
  const h = hashIndex(combine(layout.hash, 0xb0057), k);
  if (h % 100 >= 30) return index; // 30% of chunks carry a burst
  const start = k * layout.chunk + between(combine(h, 1), 0, Math.floor(layout.chunk / 2));
  const length = between(combine(h, 2), 500, 4_000);
  return index >= start && index < start + length ? start : index;
}

/** `modifiedon` of base row `index` (epoch ms, whole seconds). Non-decreasing in `index`. */
export function modifiedOnAt(layout: TimeLayout, index: number): number {
  const j = burstStart(layout, index);
  const u = (layout.rows - 1 - j) / Math.max(1, layout.rows); // 0 for the newest row
  const age = Math.floor((layout.spanMs * u * u) / SECOND) * SECOND;
  return layout.anchorMs - age;
}

/** `createdon` of base row `index`: equal to `modifiedon` for imported (burst) rows, earlier otherwise. */
export function createdOnAt(layout: TimeLayout, index: number): number {
  const m = modifiedOnAt(layout, index);
  if (burstStart(layout, index) !== index) return m;
  const h = hashIndex(combine(layout.hash, 0xc4ea7ed), index);
  const back = unit(h) < 0.4 ? 0 : Math.floor(unit(combine(h, 3)) * 400 * 86_400) * SECOND;
  return m - back;
}

/**
 * The first index in [0, rows] whose value satisfies `pred`, for a predicate that is false then true along the
 * index (monotone). Returns `rows` when none does.
 */
export function lowerBound(rows: number, pred: (index: number) => boolean): number {
  let lo = 0;
  let hi = rows;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The base index range [lo, hi) whose `modifiedon` lies in [fromMs, toMs) (both optional). */
export function windowRange(layout: TimeLayout, fromMs: number | undefined, toMs: number | undefined): [number, number] {
  const lo = fromMs === undefined ? 0 : lowerBound(layout.rows, (i) => modifiedOnAt(layout, i) >= fromMs);
  const hi = toMs === undefined ? layout.rows : lowerBound(layout.rows, (i) => modifiedOnAt(layout, i) >= toMs);
  return [lo, Math.max(lo, hi)];
}
