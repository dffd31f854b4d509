/**
 * Pending run requests of one connection and when they may start (pure). At most one run per connection and
 * table at a time (architecture.md §5): a request whose tables overlap a running run waits. While it waits,
 *  - incrementals coalesce into one pending incremental (union of their tables);
 *  - a full resync supersedes the pending incremental for the tables it covers;
 *  - an incremental whose tables a pending full already covers is dropped (the full run does it);
 *  - the full request starts before the incremental.
 */
import type { SyncKind } from '../../contracts/control-messages.ts';

/** `all` tables of the connection, or some of them. */
export type TableSelection = 'all' | readonly string[];

/** One request to run (from a command or the schedule). Its id becomes the run id. */
export interface RunRequest {
  requestId: string;
  kind: SyncKind;
  tables: TableSelection;
  requestedBy: string;
  requestedAtMs: number;
}

/** The pending requests of a connection. */
export interface Pending {
  full: RunRequest | null;
  incremental: RunRequest | null;
}

/** No pending request. */
export const NO_PENDING: Pending = { full: null, incremental: null };

/** Union of two selections. */
export function unionTables(a: TableSelection, b: TableSelection): TableSelection {
  if (a === 'all' || b === 'all') return 'all';
  return [...new Set([...a, ...b])].sort();
}

/** True when `outer` contains every table of `inner`. */
export function covers(outer: TableSelection, inner: TableSelection): boolean {
  if (outer === 'all') return true;
  if (inner === 'all') return false;
  return inner.every((t) => outer.includes(t));
}

/** `sel` without the tables of `minus` (null when nothing is left; `all` minus a list stays `all`). */
function subtract(sel: TableSelection, minus: TableSelection): TableSelection | null {
  if (minus === 'all') return null;
  if (sel === 'all') return 'all';
  const left = sel.filter((t) => !minus.includes(t));
  return left.length > 0 ? left : null;
}

function merge(into: RunRequest | null, r: RunRequest): RunRequest {
  if (!into) return { ...r, tables: r.tables === 'all' ? 'all' : [...r.tables].sort() };
  const by = into.requestedBy.split(', ').includes(r.requestedBy) ? into.requestedBy : `${into.requestedBy}, ${r.requestedBy}`;
  return { ...into, tables: unionTables(into.tables, r.tables), requestedBy: by.slice(0, 500) };
}

/** Adds a request to the pending ones, coalescing as described above. Returns the new pending state. */
export function addRequest(p: Pending, r: RunRequest): Pending {
  if (r.kind === 'full') {
    const full = merge(p.full, r);
    const left = p.incremental ? subtract(p.incremental.tables, full.tables) : null;
    return { full, incremental: p.incremental && left ? { ...p.incremental, tables: left } : null };
  }
  if (p.full && covers(p.full.tables, r.tables)) return p;
  return { ...p, incremental: merge(p.incremental, r) };
}

/** True when the selection shares a table with the busy ones. */
export function overlaps(sel: TableSelection, busy: ReadonlySet<string>): boolean {
  if (busy.size === 0) return false;
  return sel === 'all' || sel.some((t) => busy.has(t));
}

/** The request to start now (full first), if its tables are free, and what stays pending. */
export function takeStartable(p: Pending, busy: ReadonlySet<string>): { start: RunRequest | null; pending: Pending } {
  if (p.full) {
    return overlaps(p.full.tables, busy) ? { start: null, pending: p } : { start: p.full, pending: { ...p, full: null } };
  }
  if (p.incremental && !overlaps(p.incremental.tables, busy)) return { start: p.incremental, pending: { ...p, incremental: null } };
  return { start: null, pending: p };
}
