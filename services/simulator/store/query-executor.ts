/**
 * Runs a collection query over a table store one page at a time. Base rows are ordered by index, and the
 * index order agrees with the primary key, `modifiedon` and `versionnumber`; so for the default order (and for
 * ascending or descending orders on those columns) a page is a merge of a contiguous base index range (found
 * by binary search, honouring the filter's bounds and the paging cookie) with the small overlay. Any other
 * `$orderby` falls back to collecting and sorting the matches (correct, but proportional to the table).
 */
import { boundsOf, evaluate, type FilterValue } from '../core/filter-eval.ts';
import type { FilterExpr } from '../core/filter-parser.ts';
import { compareExact, isNumericText } from '../core/exact-number.ts';
import type { ColumnDef, Value } from '../core/schema.ts';
import { lowerBound, windowRange } from '../core/time-layout.ts';
import type { TableStore } from './table-store.ts';

/** One `$orderby` item. */
export interface OrderItem {
  readonly col: ColumnDef;
  readonly desc: boolean;
}

/** A resume position: the ordering values of the last row served, then its index. */
export interface ResumeKey {
  readonly values: readonly Value[];
  readonly index: number;
}

/** A page request. */
export interface PageQuery {
  readonly filter: FilterExpr | null;
  readonly orderby: readonly OrderItem[];
  readonly limit: number;
  readonly after?: ResumeKey;
}

/** Row indices of the page, and whether more rows follow. */
export interface PageResult {
  readonly indices: number[];
  readonly more: boolean;
}

function cmpValue(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  if ((typeof a === 'number' || isNumericText(a)) && (typeof b === 'number' || isNumericText(b))) return compareExact(a, b) ?? 0;
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares two keys under the given order (primary key index as the final, ascending-with-first tie-break). */
export function compareKeys(order: readonly OrderItem[], a: ResumeKey, b: ResumeKey): number {
  for (let k = 0; k < order.length; k++) {
    const c = cmpValue(a.values[k] ?? null, b.values[k] ?? null);
    if (c !== 0) return order[k]?.desc ? -c : c;
  }
  const c = a.index - b.index;
  return order.length > 0 && order.every((o) => o.desc) ? -c : c;
}

/** A filter reader bound to a row index that callers move. */
function rowReader(store: TableStore): { at: (i: number) => void; read: (p: string) => FilterValue } {
  let index = 0;
  return {
    at: (i) => (index = i),
    read: (p) => {
      const c = store.property(p);
      return c ? store.value(index, c) : null;
    },
  };
}

function isFastOrder(order: readonly OrderItem[]): boolean {
  if (order.length === 0) return true;
  const desc = order[0]?.desc ?? false;
  return order.every((o) => o.desc === desc && (o.col.system === 'pk' || o.col.system === 'modifiedon' || o.col.system === 'versionnumber'));
}

/** The base index range [lo, hi) that can hold matches, from the filter's bounds. */
export function baseRange(store: TableStore, filter: FilterExpr | null): [number, number] {
  const m = store.model;
  let lo = 0;
  let hi = m.baseRows;
  for (const c of store.columns) {
    if (!c.system) continue;
    const b = boundsOf(filter, c.logicalName);
    if (c.system === 'modifiedon' && (b.lo !== undefined || b.hi !== undefined)) {
      const [a, z] = windowRange(m.layout, b.lo, b.hi);
      lo = Math.max(lo, a);
      hi = Math.min(hi, z);
    } else if (c.system === 'versionnumber') {
      if (b.lo !== undefined) lo = Math.max(lo, b.lo - m.versionBase);
      if (b.hi !== undefined) hi = Math.min(hi, b.hi - m.versionBase);
    } else if (c.system === 'pk' && b.eq !== undefined) {
      const i = m.indexOf(b.eq);
      if (i === undefined) return [0, 0];
      lo = Math.max(lo, i);
      hi = Math.min(hi, i + 1);
    }
  }
  return [Math.max(0, lo), Math.max(Math.max(0, lo), hi)];
}

function baseKey(store: TableStore, order: readonly OrderItem[], i: number): ResumeKey {
  return { values: order.map((o) => store.model.baseValue(i, o.col)), index: i };
}

function liveKey(store: TableStore, order: readonly OrderItem[], i: number): ResumeKey {
  return { values: order.map((o) => store.value(i, o.col)), index: i };
}

/** Serves one page of a query. */
export function runPage(store: TableStore, q: PageQuery): PageResult {
  const want = q.limit + 1;
  const r = rowReader(store);
  const matches = (i: number) => {
    if (!q.filter) return true;
    r.at(i);
    return evaluate(q.filter, r.read);
  };
  const [lo, hi] = baseRange(store, q.filter);
  const overlayIdx = store.overlayIndices();
  const after = q.after;
  const cmp = (a: ResumeKey, b: ResumeKey) => compareKeys(q.orderby, a, b);

  const overlayRows: ResumeKey[] = [];
  for (const i of overlayIdx) {
    if (!store.isLive(i) || !matches(i)) continue;
    const k = liveKey(store, q.orderby, i);
    if (!after || cmp(k, after) > 0) overlayRows.push(k);
  }
  overlayRows.sort(cmp);

  if (!isFastOrder(q.orderby)) {
    const all = overlayRows;
    for (let i = lo; i < hi; i++) {
      if (store.entry(i) || !matches(i)) continue;
      const k = liveKey(store, q.orderby, i);
      if (!after || cmp(k, after) > 0) all.push(k);
    }
    all.sort(cmp);
    const indices = all.slice(0, want).map((k) => k.index);
    return { indices: indices.slice(0, q.limit), more: indices.length > q.limit };
  }

  const desc = q.orderby[0]?.desc ?? false;
  const natural = q.orderby.map((o) => ({ col: o.col, desc: false }));
  let i: number;
  if (!desc) {
    i = after ? lo + lowerBound(hi - lo, (k) => compareKeys(natural, baseKey(store, natural, lo + k), after) > 0) : lo;
  } else {
    i = (after ? lo + lowerBound(hi - lo, (k) => compareKeys(natural, baseKey(store, natural, lo + k), after) >= 0) : hi) - 1;
  }
  const out: number[] = [];
  let o = 0;
  let nextBase = -1;
  const advance = () => {
    while (desc ? i >= lo : i < hi) {
      const cand = i;
      i += desc ? -1 : 1;
      if (store.entry(cand) || !matches(cand)) continue;
      return cand;
    }
    return -1;
  };
  nextBase = advance();
  while (out.length < want && (nextBase >= 0 || o < overlayRows.length)) {
    const ov = overlayRows[o];
    if (nextBase >= 0 && (!ov || cmp(baseKey(store, q.orderby, nextBase), ov) < 0)) {
      out.push(nextBase);
      nextBase = advance();
    } else if (ov) {
      out.push(ov.index);
      o++;
    }
  }
  return { indices: out.slice(0, q.limit), more: out.length > q.limit };
}

/** Counts matches up to `cap + 1` (enough to tell whether the cap is exceeded). */
export function countMatches(store: TableStore, filter: FilterExpr | null, cap: number): number {
  if (!filter) return Math.min(store.liveCount, cap + 1);
  const page = runPage(store, { filter, orderby: [], limit: cap });
  return page.indices.length + (page.more ? 1 : 0);
}

/** The resume key of row `index` under `order` (for the next page's cookie). */
export function resumeKeyOf(store: TableStore, order: readonly OrderItem[], index: number): ResumeKey {
  return liveKey(store, order, index);
}
