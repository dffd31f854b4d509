/**
 * Window maths (architecture.md §5): a window is the half-open range `[from, to)` on `modifiedon`, at whole seconds,
 * filtered with unquoted ISO literals. Splitting cuts a window by time into two halves at a whole second, so the
 * halves are never empty, never overlap, and their union is exactly the parent. A window of one second cannot
 * be split by time (Dataverse stores `modifiedon` at second granularity): it is paged through instead. Pure.
 */

const SECOND = 1000;

/** A window normalised to whole seconds: `fromMs <= modifiedon < toMs`. */
export interface Window {
  fromMs: number;
  toMs: number;
}

/** The two halves of a split, as the bounds of the child tasks. */
export interface WindowHalves {
  first: { from: Date; to: Date };
  second: { from: Date; to: Date };
}

/**
 * The filter bounds of `[from, to)`: `from` rounded down and `to` rounded up to whole seconds, so a bound with
 * milliseconds widens the window (re-reading a row is harmless, Invariant 4) and never drops a row.
 */
export function normaliseWindow(from: Date, to: Date): Window {
  return { fromMs: Math.floor(from.getTime() / SECOND) * SECOND, toMs: Math.ceil(to.getTime() / SECOND) * SECOND };
}

/** True when the window holds no second at all (`to <= from`): nothing to read. */
export function isEmptyWindow(w: Window): boolean {
  return w.toMs <= w.fromMs;
}

/** True when the window spans at least two whole seconds, so it can be cut by time. */
export function isSplittable(w: Window): boolean {
  return w.toMs - w.fromMs >= 2 * SECOND;
}

/**
 * Cuts `[from, to)` at the whole second in the middle of its normalised bounds. The outer bounds of the halves
 * are the parent's own (so the union is exactly the parent); the cut is strictly inside. Returns null for a
 * window of less than two seconds, which cannot be split.
 */
export function splitWindow(from: Date, to: Date): WindowHalves | null {
  const w = normaliseWindow(from, to);
  if (!isSplittable(w)) return null;
  const seconds = (w.toMs - w.fromMs) / SECOND;
  const mid = new Date(w.fromMs + Math.floor(seconds / 2) * SECOND);
  return { first: { from, to: mid }, second: { from: mid, to } };
}

/** An unquoted OData date-time literal at whole seconds, e.g. `2024-01-01T00:00:00Z`. */
export function odataDateTime(ms: number): string {
  return new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace('.000Z', 'Z');
}

/** The `$filter` expression of a window: `modifiedon ge <from> and modifiedon lt <to>` (not URL-encoded). */
export function windowFilter(w: Window, column = 'modifiedon'): string {
  return `${column} ge ${odataDateTime(w.fromMs)} and ${column} lt ${odataDateTime(w.toMs)}`;
}
