/**
 * Exact numbers in the simulator: comparing decimal texts without going through doubles (filters and `$orderby` on
 * money, decimals and BigInt beyond 2^53), and telling whether a JSON number survived `JSON.parse` (the control API
 * keeps the source text of the numbers a double cannot hold). Pure.
 */
import { parseDecimal, rescale } from '../../dataverse/mapping/decimal.ts';

const NUMERIC_TEXT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** True for a decimal text (`12`, `-0.5000`, `1E-10`). */
export function isNumericText(v: unknown): v is string {
  return typeof v === 'string' && NUMERIC_TEXT.test(v);
}

/** Compares two numbers given as JS numbers or decimal texts, exactly; undefined when one is not a number. */
export function compareExact(a: number | string, b: number | string): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const x = parseDecimal(typeof a === 'number' ? String(a) : a);
  const y = parseDecimal(typeof b === 'number' ? String(b) : b);
  if (!x || !y) return undefined;
  const scale = Math.max(x.scale, y.scale);
  const u = rescale(x, scale)!;
  const v = rescale(y, scale)!;
  return u < v ? -1 : u > v ? 1 : 0;
}

/** True when the JSON number text `source` means the same decimal as the double `value` prints as. */
export function exactAsDouble(source: string, value: number): boolean {
  return Number.isFinite(value) && compareExact(source, String(value)) === 0;
}

/**
 * A `JSON.parse` reviver that keeps, as its source text, every number a double cannot hold exactly
 * (`922337203685477.5807`, `9007199254740993`); other numbers stay numbers.
 */
export function exactNumberReviver(_key: string, value: unknown, context?: { source?: string }): unknown {
  return typeof value === 'number' && context?.source !== undefined && !exactAsDouble(context.source, value) ? context.source : value;
}
