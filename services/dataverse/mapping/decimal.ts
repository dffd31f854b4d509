/**
 * Exact decimals without JS numbers: text ↔ (unscaled bigint, scale) ↔ Avro `decimal` bytes (two's-complement,
 * big-endian unscaled integer, as the Avro specification says). Money must stay exact to the last decimal
 * (architecture.md §3), so nothing here ever goes through a `number`.
 */

/** A decimal value: `unscaled × 10^-scale`. */
export interface ExactDecimal {
  unscaled: bigint;
  scale: number;
}

/** Longest decimal text accepted (a Dataverse value has at most 38 digits plus sign, point and exponent). */
const MAX_TEXT = 200;
/** Largest exponent magnitude accepted, so `1e999999` cannot make a huge bigint. */
const MAX_EXPONENT = 100;
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses decimal text as JSON or Dataverse writes it (`-12.5000`, `0`, `1E-10`, `.5`, `5.`) into an exact value;
 * undefined when the text is not a finite decimal number.
 */
export function parseDecimal(text: string): ExactDecimal | undefined {
  if (text.length === 0 || text.length > MAX_TEXT) return undefined;
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return undefined;
  const [, sign = '', intPart = '', fracPart = '', expPart] = m;
  if (intPart === '' && fracPart === '') return undefined;
  const exponent = expPart === undefined ? 0 : Number(expPart);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_EXPONENT) return undefined;
  let unscaled = BigInt(`${intPart}${fracPart}` || '0');
  let scale = fracPart.length - exponent;
  if (scale < 0) {
    unscaled *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { unscaled: sign === '-' ? -unscaled : unscaled, scale };
}

/**
 * The unscaled integer of `value` at `scale`: exact when `scale` ≥ the value's scale, or when the digits dropped
 * are all zeros (`1.2300` at scale 2 is 123); undefined when digits would be lost (never rounds).
 */
export function rescale(value: ExactDecimal, scale: number): bigint | undefined {
  if (scale >= value.scale) return value.unscaled * 10n ** BigInt(scale - value.scale);
  const factor = 10n ** BigInt(value.scale - scale);
  return value.unscaled % factor === 0n ? value.unscaled / factor : undefined;
}

/** The number of decimal digits of `n` (0 has one digit). */
export function digitCount(n: bigint): number {
  return (n < 0n ? -n : n).toString().length;
}

/** Canonical text of `unscaled × 10^-scale` with exactly `scale` decimals: (-1234n, 2) → `-12.34`, (5n, 3) → `0.005`. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** Below this magnitude the bytes are computed with exact double arithmetic (|n| < 2^47 fits 6 bytes). */
const NUMBER_PATH_LIMIT = 2n ** 47n;

/** Minimal two's-complement big-endian bytes of `n` (0 → one zero byte), as Avro `decimal` stores it. */
export function toTwosComplement(n: bigint): Buffer {
  if (n < NUMBER_PATH_LIMIT && n > -NUMBER_PATH_LIMIT) {
    // common case (money, ordinary decimals): no bigint arithmetic, a pooled buffer (every byte is written)
    const v = Number(n);
    let bytes = 1;
    while (v >= 2 ** (8 * bytes - 1) || v < -(2 ** (8 * bytes - 1))) bytes += 1;
    let x = v < 0 ? v + 2 ** (8 * bytes) : v; // < 2^48: exact
    const out = Buffer.allocUnsafe(bytes);
    for (let i = bytes - 1; i >= 0; i -= 1) {
      out[i] = x % 256;
      x = Math.floor(x / 256);
    }
    return out;
  }
  let bytes = 1;
  // Smallest byte count whose signed range holds n: [-2^(8b-1), 2^(8b-1) - 1].
  while (n >= 1n << BigInt(8 * bytes - 1) || n < -(1n << BigInt(8 * bytes - 1))) bytes += 1;
  let v = BigInt.asUintN(8 * bytes, n);
  const out = Buffer.allocUnsafe(bytes);
  for (let i = bytes - 1; i >= 0; i -= 1) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The signed integer of two's-complement big-endian bytes (empty → 0). */
export function fromTwosComplement(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return BigInt.asIntN(8 * bytes.length, v);
}
