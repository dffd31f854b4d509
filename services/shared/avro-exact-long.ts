/**
 * Avro `long` without precision loss. avsc's own long refuses (when writing) and throws on (when reading) any value
 * beyond ±2^53, but a Dataverse BigInt goes to ±9,223,372,036,854,775,807. This long takes and gives a JS number
 * when the value is a safe integer and a `bigint` beyond, so every existing reader of small longs is unchanged.
 *
 * {@link exactLongTypeHook} is avsc's `typeHook` for it: every registry client of registry.ts uses it, and so does the
 * extractor's record writer; `avroTypeOptions()` of services/dataverse/mapping/logical-types.ts bundles it with the
 * logical types for direct `forSchema` calls. Longs under a logical type (`timestamp-millis`) keep avsc's own long.
 * The bytes on the wire are Avro's, whatever the JS representation.
 */
import avro from 'avsc';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_32 = 2 ** 32;

/** Written into, then consumed at once by avsc (its long packer), so one buffer serves every write. */
const scratch = Buffer.alloc(8);

const isExactLong = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX);

/** A safe integer as a number, anything larger as a bigint. */
const fromBigInt = (n: bigint): number | bigint => (n >= -SAFE && n <= SAFE ? Number(n) : n);

/** The exact long: numbers for safe integers, bigints beyond. */
export const exactLongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => fromBigInt(buf.readBigInt64LE(0)),
  toBuffer: (v: number | bigint) => {
    if (typeof v === 'bigint') {
      scratch.writeBigInt64LE(v, 0);
    } else {
      // a safe integer: two exact 32-bit halves (two's complement), no bigint per value
      const hi = Math.floor(v / TWO_32);
      scratch.writeUInt32LE(v - hi * TWO_32, 0);
      scratch.writeInt32LE(hi, 4);
    }
    return scratch;
  },
  fromJSON: (v: unknown) => (typeof v === 'string' && /^-?\d+$/.test(v) ? fromBigInt(BigInt(v)) : v),
  toJSON: (v: number | bigint) => (typeof v === 'bigint' ? v.toString() : v),
  isValid: isExactLong,
  compare: (a: number | bigint, b: number | bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

/** avsc `typeHook`: plain `long` (not under a logical type) becomes {@link exactLongType}. */
export function exactLongTypeHook(schema: unknown): avro.Type | undefined {
  if (schema === 'long') return exactLongType;
  if (typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'long' && !('logicalType' in schema)) return exactLongType;
  return undefined;
}
