/**
 * Evaluation of a parsed `$filter` against one row, and extraction of the bounds a filter puts on a column
 * (used to turn `modifiedon ge A and modifiedon lt B` into an index range instead of a scan).
 *
 * Values are plain JS: strings (compared case-insensitively, as Dataverse's collation does), numbers (date-times
 * as epoch ms; decimals may arrive as exact strings and compare numerically), booleans and null.
 */
import { compareExact, isNumericText } from './exact-number.ts';
import type { CmpOp, FilterExpr, Literal, Operand } from './filter-parser.ts';

/** A value a filter can compare. */
export type FilterValue = string | number | boolean | null;

/** Reads a property of the row under test. */
export type PropReader = (path: string) => FilterValue;

function operandValue(o: Operand, read: PropReader): FilterValue {
  return o.k === 'prop' ? read(o.path) : o.v;
}

function compare(a: FilterValue, b: FilterValue, numeric: boolean): number | undefined {
  if (a === null || b === null) return undefined;
  if (typeof a === 'number' || typeof b === 'number' || numeric) {
    // exact: money, decimals and BigInt beyond 2^53 are decimal texts
    const x = typeof a === 'number' || isNumericText(a) ? a : undefined;
    const y = typeof b === 'number' || isNumericText(b) ? b : undefined;
    return x === undefined || y === undefined ? undefined : compareExact(x, y);
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b ? 0 : undefined;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function applyOp(op: CmpOp, a: FilterValue, b: FilterValue, numeric = false): boolean {
  if (a === null || b === null) {
    if (op === 'eq') return a === b;
    if (op === 'ne') return a !== b;
    return false;
  }
  const c = compare(a, b, numeric);
  if (c === undefined) return op === 'ne';
  switch (op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
  }
}

const isNumberLiteral = (o: Operand): boolean => o.k === 'lit' && o.t === 'number';

/** True when the row read through `read` satisfies `e`. */
export function evaluate(e: FilterExpr, read: PropReader): boolean {
  switch (e.k) {
    case 'and':
      return evaluate(e.l, read) && evaluate(e.r, read);
    case 'or':
      return evaluate(e.l, read) || evaluate(e.r, read);
    case 'not':
      return !evaluate(e.e, read);
    case 'cmp':
      return applyOp(e.op, operandValue(e.l, read), operandValue(e.r, read), isNumberLiteral(e.l) || isNumberLiteral(e.r));
    case 'truthy':
      return read(e.prop.path) === true;
    case 'fn': {
      const v = read(e.prop.path);
      if (typeof v !== 'string') return false;
      const hay = v.toLowerCase();
      const needle = String(e.arg.v).toLowerCase();
      if (e.name === 'contains') return hay.includes(needle);
      if (e.name === 'startswith') return hay.startsWith(needle);
      return hay.endsWith(needle);
    }
  }
}

/**
 * `e` with the literals compared to `path` (the version number) less `offset`: the simulator keeps versions small
 * internally and shows them plus an offset (`--version-offset`, versionnumbers beyond 2^53).
 */
export function lessOffset(e: FilterExpr, path: string, offset: bigint): FilterExpr {
  if (offset === 0n) return e;
  const shift = (o: Operand): Operand =>
    o.k === 'lit' && o.t === 'number' && /^-?\d+(\.\d+)?$/.test(String(o.v)) ? { ...o, v: Number(BigInt(String(o.v).split('.')[0]!) - offset) } : o;
  switch (e.k) {
    case 'and':
    case 'or':
      return { ...e, l: lessOffset(e.l, path, offset), r: lessOffset(e.r, path, offset) };
    case 'not':
      return { ...e, e: lessOffset(e.e, path, offset) };
    case 'cmp':
      return (e.l.k === 'prop' && e.l.path === path) || (e.r.k === 'prop' && e.r.path === path) ? { ...e, l: shift(e.l), r: shift(e.r) } : e;
    default:
      return e;
  }
}

/** A half-open numeric interval [lo, hi) implied by a filter on one column. */
export interface Bounds {
  lo?: number;
  hi?: number;
  /** For an `eq` on a string or GUID value. */
  eq?: string;
}

const FLIP: Record<CmpOp, CmpOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };

function conjuncts(e: FilterExpr, out: FilterExpr[]): FilterExpr[] {
  if (e.k === 'and') {
    conjuncts(e.l, out);
    conjuncts(e.r, out);
  } else out.push(e);
  return out;
}

/**
 * The bounds the top-level conjunction of `e` puts on `path`, for integer-valued columns (epoch ms, version
 * numbers): `gt x` becomes `lo = x + 1`, `le x` becomes `hi = x + 1`. Disjunctions contribute nothing, so the
 * bounds are always a superset of the matching rows; callers still evaluate the full filter.
 */
export function boundsOf(e: FilterExpr | null, path: string): Bounds {
  const b: Bounds = {};
  if (!e) return b;
  for (const c of conjuncts(e, [])) {
    if (c.k !== 'cmp') continue;
    let op = c.op;
    let lit: Literal;
    if (c.l.k === 'prop' && c.l.path === path && c.r.k === 'lit') lit = c.r;
    else if (c.r.k === 'prop' && c.r.path === path && c.l.k === 'lit') {
      lit = c.l;
      op = FLIP[op];
    } else continue;
    if (typeof lit.v === 'string' && op === 'eq') {
      b.eq = lit.v.toLowerCase();
      continue;
    }
    if (typeof lit.v !== 'number') continue;
    const x = Math.ceil(lit.v);
    const floorX = Math.floor(lit.v);
    const raise = (lo: number) => (b.lo = b.lo === undefined ? lo : Math.max(b.lo, lo));
    const lower = (hi: number) => (b.hi = b.hi === undefined ? hi : Math.min(b.hi, hi));
    if (op === 'ge') raise(x);
    else if (op === 'gt') raise(floorX + 1);
    else if (op === 'lt') lower(x);
    else if (op === 'le') lower(floorX + 1);
    else if (op === 'eq') {
      raise(x);
      lower(floorX + 1);
    }
  }
  return b;
}
