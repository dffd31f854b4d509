/**
 * Conversions of single Dataverse JSON values (as `parseDataverseJson` returns them: numbers as exact strings)
 * into the JS values the Avro logical types and avsc expect. Each converter gets a non-null value and throws
 * {@link ValueInvalid} with a reason (never the value: it is customer data); the row mapper adds table, record
 * and column. A JS number where an exact decimal is expected is a programming error (`INTERNAL`): the body was
 * parsed with `JSON.parse`, and precision may already be lost.
 */
import { SyncError } from '../../shared/errors.ts';
import { digitCount, formatDecimal, parseDecimal, rescale, toTwosComplement } from './decimal.ts';
import { daysFromIsoDate } from './logical-types.ts';

/** A value that cannot be mapped; `reason` names what was expected. */
export class ValueInvalid extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'ValueInvalid';
    this.reason = reason;
  }
}

/** Avro value of a Money column. */
export interface MoneyValue {
  value: string;
  currency: string | null;
}
/** Avro value of a choice (Picklist, State, Status, one item of a MultiSelect). */
export interface ChoiceValue {
  value: number;
  label: string | null;
}
/** Avro value of a Lookup, Customer or Owner column. */
export interface ReferenceValue {
  id: string;
  table: string;
  name: string | null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER = /^-?\d{1,20}$/;
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const kind = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** A GUID, lower-cased. */
export function toGuid(raw: unknown): string {
  if (typeof raw !== 'string' || !GUID.test(raw)) throw new ValueInvalid(`expected a GUID, got ${kind(raw)}`);
  return raw.toLowerCase();
}

/** A text value (String, Memo), unchanged (NUL, emoji, RTL kept as they are). */
export function toText(raw: unknown): string {
  if (typeof raw !== 'string') throw new ValueInvalid(`expected a string, got ${kind(raw)}`);
  return raw;
}

/** A 32-bit integer from a numeric string or a JS integer. */
export function toInt(raw: unknown): number {
  const n = typeof raw === 'string' && INTEGER.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) {
    throw new ValueInvalid(`expected a 32-bit integer, got ${kind(raw)}`);
  }
  return n;
}

/** Limits of a Dataverse BigInt (int64). */
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A 64-bit integer: a JS number when it is a safe integer, a `bigint` beyond ±2^53 (Dataverse BigInt goes to the
 * int64 limits); written and read by the exact long of shared/avro-exact-long.ts. Values beyond int64 are refused.
 */
export function toLong(raw: unknown): number | bigint {
  if (typeof raw === 'string' && INTEGER.test(raw)) {
    const big = BigInt(raw);
    if (big >= -SAFE && big <= SAFE) return Number(big);
    if (big >= INT64_MIN && big <= INT64_MAX) return big;
    throw new ValueInvalid('integer beyond the 64-bit range');
  }
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
  throw new ValueInvalid(`expected a 64-bit integer, got ${kind(raw)}`);
}

/** A double from a JSON number text or a finite JS number. */
export function toDouble(raw: unknown): number {
  const n = typeof raw === 'string' && JSON_NUMBER.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ValueInvalid(`expected a number, got ${kind(raw)}`);
  return n;
}

/** The unscaled integer of a decimal at `scale`, with the checks of {@link toDecimal}. */
function unscaledDecimal(raw: unknown, precision: number, scale: number): bigint {
  if (typeof raw === 'number') {
    throw new SyncError('INTERNAL', 'a decimal arrived as a JS number: parse Dataverse bodies with parseDataverseJson');
  }
  const parsed = typeof raw === 'string' && JSON_NUMBER.test(raw) ? parseDecimal(raw) : undefined;
  if (!parsed) throw new ValueInvalid(`expected a decimal number, got ${kind(raw)}`);
  const unscaled = rescale(parsed, scale);
  if (unscaled === undefined) throw new ValueInvalid(`decimal has more than ${scale} decimals (refused, not rounded)`);
  if (digitCount(unscaled) > precision) throw new ValueInvalid(`decimal exceeds ${precision} digits`);
  return unscaled;
}

/**
 * An exact decimal string with exactly `scale` decimals. Refuses more significant decimals than `scale` (never
 * rounds) and more than `precision` digits.
 */
export function toDecimal(raw: unknown, precision: number, scale: number): string {
  return formatDecimal(unscaledDecimal(raw, precision, scale), scale);
}

/**
 * The same decimal as {@link toDecimal} (same checks), in its Avro wire form: the two's-complement big-endian
 * unscaled bytes that the `decimal` logical type writes for the string {@link toDecimal} returns.
 */
export function toDecimalBytes(raw: unknown, precision: number, scale: number): Buffer {
  return toTwosComplement(unscaledDecimal(raw, precision, scale));
}

/** A boolean. */
export function toBool(raw: unknown): boolean {
  if (typeof raw !== 'boolean') throw new ValueInvalid(`expected a boolean, got ${kind(raw)}`);
  return raw;
}

/**
 * Milliseconds since the epoch of an ISO-8601 date-time with `Z` or an offset (`2024-01-01T00:00:00Z`); fractions
 * beyond milliseconds are truncated. Refuses impossible dates and times. The Avro wire form of a timestamp-millis.
 */
export function toTimestampMs(raw: unknown): number {
  const m = typeof raw === 'string' ? TIMESTAMP.exec(raw) : null;
  const days = m?.[1] === undefined ? undefined : daysFromIsoDate(m[1]);
  if (!m || days === undefined) throw new ValueInvalid(`expected an ISO-8601 date-time, got ${kind(raw)}`);
  const [h, min, s] = [Number(m[2]), Number(m[3]), Number(m[4] ?? '0')];
  const ms = m[5] === undefined ? 0 : Number(m[5].padEnd(3, '0').slice(0, 3));
  const zone = m[6] ?? 'Z';
  if (h > 23 || min > 59 || s > 59) throw new ValueInvalid('expected a valid time of day');
  let offsetMin = 0;
  if (zone !== 'Z') {
    const [oh, om] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
    if (oh > 23 || om > 59) throw new ValueInvalid('expected a valid time-zone offset');
    offsetMin = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return days * 86_400_000 + ((h * 60 + min - offsetMin) * 60 + s) * 1000 + ms;
}

/** {@link toTimestampMs} as a `Date` (the JS value of a timestamp-millis). */
export function toTimestamp(raw: unknown): Date {
  return new Date(toTimestampMs(raw));
}

/** A DateOnly value: `YYYY-MM-DD` (also accepted: the same day at midnight UTC, `YYYY-MM-DDT00:00:00Z`). */
export function toDateOnly(raw: unknown): string {
  const text = typeof raw === 'string' ? raw.replace(/T00:00(:00(\.0+)?)?Z$/, '') : undefined;
  if (text === undefined || daysFromIsoDate(text) === undefined) throw new ValueInvalid(`expected a YYYY-MM-DD date, got ${kind(raw)}`);
  return text;
}

/** {@link toDateOnly} in its Avro wire form: days since 1970-01-01. */
export function toDateDays(raw: unknown): number {
  const text = typeof raw === 'string' ? raw.replace(/T00:00(:00(\.0+)?)?Z$/, '') : undefined;
  const days = text === undefined ? undefined : daysFromIsoDate(text);
  if (days === undefined) throw new ValueInvalid(`expected a YYYY-MM-DD date, got ${kind(raw)}`);
  return days;
}

/** A choice: its value and the label from the column's options, else from the formatted-value annotation. */
export function toChoice(raw: unknown, options: Readonly<Record<number, string>> | undefined, formatted: unknown): ChoiceValue {
  const value = toInt(raw);
  const label = options && Object.hasOwn(options, value) ? options[value] : undefined;
  return { value, label: label ?? (typeof formatted === 'string' ? formatted : null) };
}

/**
 * A multi-select value `"1,2,3"` → choices in the order given; labels from the options, else from the formatted
 * value `"A; B; C"` when it has as many parts. An empty string maps to null, like a missing value.
 */
export function toChoices(raw: unknown, options: Readonly<Record<number, string>> | undefined, formatted: unknown): ChoiceValue[] | null {
  if (typeof raw !== 'string') throw new ValueInvalid(`expected a comma-separated list of choice values, got ${kind(raw)}`);
  if (raw.trim() === '') return null;
  const values = raw.split(',').map((part) => toInt(part.trim()));
  const parts = typeof formatted === 'string' ? formatted.split('; ') : [];
  return values.map((value, i) => toChoice(value, options, parts.length === values.length ? parts[i] : undefined));
}

/** A Money value: exact decimal(38,4) and the currency ISO code (or null). */
export function toMoney(raw: unknown, currency: string | null): MoneyValue {
  return { value: toDecimal(raw, 38, 4), currency };
}

/** {@link toMoney} in its Avro wire form: the decimal(38,4) as its unscaled two's-complement bytes. */
export function toMoneyBytes(raw: unknown, currency: string | null): { value: Buffer; currency: string | null } {
  return { value: toDecimalBytes(raw, 38, 4), currency };
}

/**
 * A reference: the GUID, the target table from the `lookuplogicalname` annotation (or the only target of the
 * column), and the display name from the formatted-value annotation (or null).
 */
export function toReference(raw: unknown, lookupTable: unknown, targets: readonly string[] | undefined, formatted: unknown): ReferenceValue {
  const id = toGuid(raw);
  let table: string | undefined;
  if (typeof lookupTable === 'string' && /^[a-z][a-z0-9_]*$/.test(lookupTable)) table = lookupTable;
  else if (targets?.length === 1) table = targets[0];
  if (table === undefined) {
    throw new ValueInvalid('target table unknown: request the Microsoft.Dynamics.CRM.lookuplogicalname annotation');
  }
  return { id, table, name: typeof formatted === 'string' ? formatted : null };
}
