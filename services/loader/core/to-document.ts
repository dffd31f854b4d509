/**
 * Avro value → MongoDB document (architecture.md §3, MongoDB column), compiled once per writer schema. Pure.
 *
 * | Avro | decoded JS (avsc + our logical types) | stored |
 * |---|---|---|
 * | bytes decimal(p, s) | exact decimal string | Decimal128 (exact) |
 * | int `date` | `YYYY-MM-DD` | Date at 00:00 UTC |
 * | long `timestamp-millis` | Date | Date |
 * | long | number or bigint | number, or Int64 when it does not fit a double exactly |
 * | record / array / union with null | object / array / value or null | object / array / value or null |
 */
import avro from 'avsc';
import { Decimal128, Long } from 'bson';
import { SyncError } from '../../shared/errors.ts';

type AvscType = InstanceType<typeof avro.Type>;
/** Converts one decoded Avro value into its stored form. */
export type Converter = (value: unknown) => unknown;

const identity: Converter = (v) => v;

/** The logical type name of an avsc type created with our logical types (typeName `logical:<name>`). */
function logicalName(type: AvscType): string | undefined {
  const name = type.typeName;
  return name?.startsWith('logical:') ? name.slice('logical:'.length) : undefined;
}

const EXPONENT_BIAS = 6176;
const COEFFICIENT_LIMIT = 10n ** 34n;
const LOW_64 = (1n << 64n) - 1n;

/**
 * The IEEE 754-2008 BID bytes (little-endian, as bson stores them) of a plain decimal text (`-`? digits, `.` digits?)
 * whose coefficient has at most 34 digits: the coefficient in the low 113 bits, the exponent (minus the number of
 * decimals) biased by 6176 above it, the sign on top; trailing zeros are kept, as `Decimal128.fromString` keeps them.
 * Undefined for any other text, which `Decimal128.fromString` then decides: parsing the text it was given cost the
 * loader more CPU than decoding the rest of the record.
 */
export function decimal128Bytes(text: string): Buffer | undefined {
  const negative = text.charCodeAt(0) === 45; // '-'
  let scale = 0;
  for (let i = negative ? 1 : 0, dot = false; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 46 && !dot) dot = true; // '.'
    else if (c >= 48 && c <= 57) scale += dot ? 1 : 0;
    else return undefined;
  }
  const digits = text.slice(negative ? 1 : 0).replace('.', '');
  if (digits.length === 0 || digits.length > 40) return undefined;
  const out = Buffer.allocUnsafe(16);
  const signAndExponent = (negative ? 0x8000_0000 : 0) + (EXPONENT_BIAS - scale) * 2 ** 17; // the top 32 bits
  if (digits.length <= 15) {
    const coefficient = Number(digits); // exact below 2^53
    out.writeUInt32LE(coefficient % 2 ** 32, 0);
    out.writeUInt32LE(Math.floor(coefficient / 2 ** 32), 4);
    out.writeUInt32LE(0, 8);
    out.writeUInt32LE(signAndExponent, 12);
    return out;
  }
  const coefficient = BigInt(digits);
  if (coefficient >= COEFFICIENT_LIMIT) return undefined;
  out.writeBigUInt64LE(coefficient & LOW_64, 0);
  out.writeBigUInt64LE((BigInt(signAndExponent) << 32n) | (coefficient >> 64n), 8);
  return out;
}

/**
 * The exact Decimal128 of a decimal text. Decimal128 holds 34 significant digits; a value with more (possible in a
 * decimal(38, s) column, though beyond Dataverse's ranges) is refused rather than rounded.
 */
function toDecimal128(text: string): Decimal128 {
  const bytes = decimal128Bytes(text);
  if (bytes !== undefined) return new Decimal128(bytes);
  try {
    return Decimal128.fromString(text);
  } catch {
    throw new SyncError('RECORD_INVALID', `decimal value ${text.slice(0, 60)} has more significant digits than MongoDB's Decimal128 holds exactly (34): it is not stored rounded`);
  }
}

/** Builds the converter of an avsc type (recursively). */
export function compileConverter(type: AvscType): Converter {
  const recurse = (t: AvscType) => compileConverter(t);
  switch (logicalName(type)) {
    case 'decimal':
      return (v) => (v === null || v === undefined ? null : toDecimal128(String(v)));
    case 'date':
      return (v) => (typeof v === 'string' ? new Date(`${v}T00:00:00.000Z`) : v instanceof Date ? v : v === null ? null : new Date(Number(v) * 86_400_000));
    case 'timestamp-millis':
      return (v) => (v instanceof Date ? v : typeof v === 'number' ? new Date(v) : (v ?? null));
    default:
      break;
  }
  if (avro.Type.isType(type, 'record')) {
    const fields = (type as unknown as { fields: { name: string; type: AvscType }[] }).fields.map((f) => [f.name, recurse(f.type)] as const);
    return (v) => {
      if (v === null || v === undefined) return null;
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, convert] of fields) out[name] = convert(src[name] ?? null);
      return out;
    };
  }
  if (avro.Type.isType(type, 'array')) {
    const item = recurse((type as unknown as { itemsType: AvscType }).itemsType);
    return (v) => (Array.isArray(v) ? v.map(item) : null);
  }
  if (avro.Type.isType(type, 'union')) {
    const branches = (type as unknown as { types: AvscType[] }).types.filter((t) => !avro.Type.isType(t, 'null'));
    if (branches.length === 1) {
      const inner = recurse(branches[0]!);
      return (v) => (v === null || v === undefined ? null : inner(v));
    }
    return identity;
  }
  if (avro.Type.isType(type, 'long')) {
    return (v) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : Long.fromBigInt(v)) : v);
  }
  return identity;
}
