/**
 * Allocation-free readings of the commonest Dataverse value texts (as `parseDataverseJson` keeps them): small
 * integers, decimals and money whose unscaled value fits 47 bits, and `YYYY-MM-DDTHH:MM:SSZ` / `YYYY-MM-DD` dates.
 * Double arithmetic is used only where it is exact (integers below 2^53); every function answers `undefined` for
 * anything else, and the caller then takes the general exact path of value-converters.ts, which also makes the
 * error. So a value either gets the result the general path gives, or goes to the general path. Pure.
 */
import { daysFromCivil } from './logical-types.ts';

const ZERO = 0x30;
const MINUS = 0x2d;
const DOT = 0x2e;
/** Most digits read with double arithmetic: 10^15 < 2^53, so the integer of 15 digits is exact. */
const MAX_DIGITS = 15;
/** Unscaled decimals below this magnitude are written by {@link twosComplementInto} (6 bytes at most). */
const SMALL_UNSCALED = 2 ** 47;
const POW10 = Array.from({ length: MAX_DIGITS + 1 }, (_, i) => 10 ** i);

/** The digit at `i` (0-9), or -1. */
const digitAt = (text: string, i: number): number => {
  const d = text.charCodeAt(i) - ZERO;
  return d >= 0 && d <= 9 ? d : -1;
};

/** The integer of `-?\d{1,15}` (leading zeros allowed, as `toInt` and `toLong` accept them), else undefined. */
export function smallInteger(text: string): number | undefined {
  const n = text.length;
  const negative = text.charCodeAt(0) === MINUS;
  let i = negative ? 1 : 0;
  if (n === i || n - i > MAX_DIGITS) return undefined;
  let v = 0;
  for (; i < n; i++) {
    const d = digitAt(text, i);
    if (d < 0) return undefined;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

/**
 * The unscaled integer at `scale` of a JSON number text without exponent (`-?(0|[1-9]\d*)(\.\d+)?`, at most 15
 * digits), when it is exact at that scale (dropped decimals are zeros), has at most `precision` digits and is
 * below 2^47 in magnitude; else undefined. `-0.00` gives 0.
 */
export function smallUnscaled(text: string, precision: number, scale: number): number | undefined {
  const n = text.length;
  let i = text.charCodeAt(0) === MINUS ? 1 : 0;
  const negative = i === 1;
  if (digitAt(text, i) < 0 || (digitAt(text, i) === 0 && i + 1 < n && text.charCodeAt(i + 1) !== DOT)) return undefined;
  let v = 0;
  let digits = 0;
  let decimals = -1; // digits after the point, -1 before it
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (decimals >= 0 || i + 1 === n) return undefined;
      decimals = 0;
      continue;
    }
    const d = c - ZERO;
    if (d < 0 || d > 9 || ++digits > MAX_DIGITS) return undefined;
    v = v * 10 + d;
    if (decimals >= 0) decimals++;
  }
  if (decimals < 0) decimals = 0;
  if (decimals > scale) {
    const factor = POW10[decimals - scale]!;
    if (v % factor !== 0) return undefined;
    v /= factor;
  } else if (v !== 0) {
    if (scale - decimals > MAX_DIGITS) return undefined;
    v *= POW10[scale - decimals]!;
  }
  if (v >= SMALL_UNSCALED || (precision <= MAX_DIGITS && v >= POW10[precision]!)) return undefined;
  return negative && v !== 0 ? -v : v;
}

/** One buffer per byte length (1-6), reused: what `twosComplementInto` writes into. */
export type Scratch = Buffer[];

/** A fresh {@link Scratch}. */
export const newScratch = (): Scratch => Array.from({ length: 6 }, (_, i) => Buffer.alloc(i + 1));

/**
 * The minimal two's-complement big-endian bytes of an integer below 2^47 in magnitude (what Avro `decimal` stores),
 * written into the scratch buffer of that length and returned: valid until the next write of the same length.
 */
export function twosComplementInto(v: number, scratch: Scratch): Buffer {
  let bytes = 1;
  while (v >= 2 ** (8 * bytes - 1) || v < -(2 ** (8 * bytes - 1))) bytes++;
  const out = scratch[bytes - 1]!;
  out.writeIntBE(v, 0, bytes);
  return out;
}

/** Days since the epoch of `YYYY-MM-DD` in `text` at `at`, or undefined (not digits there, or not a valid day). */
function daysAt(text: string, at: number): number | undefined {
  if (text.charCodeAt(at + 4) !== MINUS || text.charCodeAt(at + 7) !== MINUS) return undefined;
  const y = fixedDigits(text, at, 4);
  const mo = fixedDigits(text, at + 5, 2);
  const d = fixedDigits(text, at + 8, 2);
  return y < 0 || mo < 0 || d < 0 ? undefined : daysFromCivil(y, mo, d);
}

/** The number of the `count` digits at `at`, or -1. */
function fixedDigits(text: string, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const d = digitAt(text, i);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Days since the epoch of exactly `YYYY-MM-DD` (a valid day), else undefined. */
export function isoDays(text: string): number | undefined {
  return text.length === 10 ? daysAt(text, 0) : undefined;
}

/** Milliseconds since the epoch of exactly `YYYY-MM-DDTHH:MM:SSZ` (a valid day and time), else undefined. */
export function isoSecondsMs(text: string): number | undefined {
  if (text.length !== 20 || text.charCodeAt(10) !== 0x54 || text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a || text.charCodeAt(19) !== 0x5a) return undefined;
  const days = daysAt(text, 0);
  const h = fixedDigits(text, 11, 2);
  const min = fixedDigits(text, 14, 2);
  const s = fixedDigits(text, 17, 2);
  if (days === undefined || h < 0 || h > 23 || min < 0 || min > 59 || s < 0 || s > 59) return undefined;
  return days * 86_400_000 + ((h * 60 + min) * 60 + s) * 1000;
}
