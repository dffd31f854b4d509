/**
 * avsc implementations of the Avro logical types our table schemas use; avsc has none built in. Pass
 * {@link avroLogicalTypes} to `avro.Type.forSchema(schema, { logicalTypes: avroLogicalTypes })` (the schema-registry
 * client forwards avsc options) on both the producing and the consuming side. Give each `forSchema` call a fresh
 * options object: avsc stores the named types it parses in `options.registry`, so reusing one object for two
 * versions of a table schema fails with "duplicate type name".
 *
 * JS representations:
 * - `decimal` (bytes): a decimal string. Encoding accepts any decimal text (`"12.5"`, `"1E-10"`) and refuses,
 *   with `RECORD_INVALID`, a value with more significant decimals than the scale (never rounds), more digits than
 *   the precision, or any JS number (precision may already be lost). Decoding gives the canonical text with exactly
 *   `scale` decimals, e.g. `"922337203685477.0000"`.
 * - `date` (int, days since 1970-01-01): a `YYYY-MM-DD` string, both ways.
 * - `timestamp-millis` (long, ms since the epoch, UTC): a valid `Date` in, a `Date` out.
 */
import avro from 'avsc';
import { SyncError } from '../../shared/errors.ts';
import { digitCount, formatDecimal, fromTwosComplement, parseDecimal, rescale, toTwosComplement } from './decimal.ts';
import { exactLongTypeHook } from '../../shared/avro-exact-long.ts';

type AvscSchema = ConstructorParameters<typeof avro.types.LogicalType>[0];
type AvscType = InstanceType<typeof avro.Type>;

const MS_PER_DAY = 86_400_000;

/**
 * Thrown for null by every `_toValue`: avsc checks each value of a `["null", logical]` union against the logical
 * branch too (`_check` swallows the error), so building a new error (with its stack) per null column per record
 * cost more than the encoding itself. One pre-built error keeps that check cheap.
 */
const NULL_VALUE = new SyncError('RECORD_INVALID', 'null is not a value of this logical type');
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since the epoch of a valid `YYYY-MM-DD` date (proleptic Gregorian, years 0001-9999); undefined otherwise. */
export function daysFromIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  return m ? daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}

/** Days since the epoch of year `y` (1-9999), month `mo` (1-12), day `d` when that day exists; undefined otherwise. */
export function daysFromCivil(y: number, mo: number, d: number): number | undefined {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return undefined;
  // days from civil (H. Hinnant): integer arithmetic, no Date object per value
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * ((mo + 9) % 12) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/** The `YYYY-MM-DD` text of a day count since the epoch. */
export function isoDateFromDays(days: number): string {
  const date = new Date(days * MS_PER_DAY);
  const y = String(date.getUTCFullYear()).padStart(4, '0');
  return `${y}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
}

function attr(schema: AvscSchema, key: string): unknown {
  return typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>)[key] : undefined;
}

/** `decimal` on `bytes`: decimal strings, exact. */
export class DecimalLogicalType extends avro.types.LogicalType {
  readonly precision: number;
  readonly scale: number;

  constructor(schema: AvscSchema, opts?: unknown) {
    super(schema, opts);
    const precision = attr(schema, 'precision');
    const scale = attr(schema, 'scale') ?? 0;
    if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) throw new Error('decimal: invalid precision');
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) throw new Error('decimal: invalid scale');
    if (!avro.Type.isType(this.underlyingType, 'bytes')) throw new Error('decimal: only the bytes representation is supported');
    this.precision = precision;
    this.scale = scale;
  }

  protected override _fromValue(buf: Buffer): string {
    return formatDecimal(fromTwosComplement(buf), this.scale);
  }

  protected override _toValue(value: unknown): Buffer {
    if (value === null || value === undefined) throw NULL_VALUE;
    if (typeof value !== 'string') throw new SyncError('RECORD_INVALID', `decimal value must be a string, not ${typeof value}`);
    const parsed = parseDecimal(value);
    if (!parsed) throw new SyncError('RECORD_INVALID', `"${value}" is not a decimal number`);
    const unscaled = rescale(parsed, this.scale);
    if (unscaled === undefined) throw new SyncError('RECORD_INVALID', `"${value}" has more than ${this.scale} decimals`);
    if (digitCount(unscaled) > this.precision) throw new SyncError('RECORD_INVALID', `"${value}" exceeds ${this.precision} digits`);
    return toTwosComplement(unscaled);
  }

  /**
   * Schema resolution: from a decimal of the same scale and no larger precision (avsc hands over the writer's
   * already-decoded string, kept as is), or from raw bytes. Any other writer is not resolvable (a different scale
   * would change the meaning of every value).
   */
  protected override _resolve(type: AvscType): ((value: string | Buffer) => string) | undefined {
    if (type instanceof DecimalLogicalType) {
      return type.scale === this.scale && type.precision <= this.precision ? (value) => value as string : undefined;
    }
    return avro.Type.isType(type, 'bytes') ? (value) => this._fromValue(value as Buffer) : undefined;
  }

  protected override _export(attrs: AvscSchema): void {
    Object.assign(attrs as object, { precision: this.precision, scale: this.scale });
  }
}

/** `date` on `int`: `YYYY-MM-DD` strings. */
export class DateLogicalType extends avro.types.LogicalType {
  protected override _fromValue(days: number): string {
    return isoDateFromDays(days);
  }

  protected override _toValue(value: unknown): number {
    if (value === null || value === undefined) throw NULL_VALUE;
    const days = typeof value === 'string' ? daysFromIsoDate(value) : undefined;
    if (days === undefined) throw new SyncError('RECORD_INVALID', `date value must be a valid YYYY-MM-DD string`);
    return days;
  }

  /** Schema resolution: from another `date` (value kept) or a plain `int` (days). */
  protected override _resolve(type: AvscType): ((value: unknown) => unknown) | undefined {
    if (type instanceof DateLogicalType) return (value) => value;
    return avro.Type.isType(type, 'int') ? (days) => this._fromValue(days as number) : undefined;
  }
}

/** `timestamp-millis` on `long`: `Date` objects. */
export class TimestampMillisLogicalType extends avro.types.LogicalType {
  protected override _fromValue(ms: number): Date {
    return new Date(ms);
  }

  protected override _toValue(value: unknown): number {
    if (value === null || value === undefined) throw NULL_VALUE;
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw new SyncError('RECORD_INVALID', 'timestamp value must be a valid Date');
    }
    return value.getTime();
  }

  /** Schema resolution: from another `timestamp-millis` (value kept) or a plain `long` (milliseconds). */
  protected override _resolve(type: AvscType): ((value: unknown) => unknown) | undefined {
    if (type instanceof TimestampMillisLogicalType) return (value) => value;
    return avro.Type.isType(type, 'long') ? (ms) => this._fromValue(ms as number) : undefined;
  }
}

type LogicalTypesOption = NonNullable<NonNullable<Parameters<typeof avro.Type.forSchema>[1]>['logicalTypes']>;

/** The `logicalTypes` option for avsc: every logical type our table schemas use. */
export const avroLogicalTypes: LogicalTypesOption = {
  decimal: DecimalLogicalType,
  date: DateLogicalType,
  'timestamp-millis': TimestampMillisLogicalType,
};

/**
 * avsc options for table schemas, a fresh object per call (avsc adds its named types to the object it is given):
 * our logical types and the exact long (BigInt beyond 2^53, shared/avro-exact-long.ts).
 */
export function avroTypeOptions(): { logicalTypes: LogicalTypesOption; typeHook: typeof exactLongTypeHook } {
  return { logicalTypes: avroLogicalTypes, typeHook: exactLongTypeHook };
}
