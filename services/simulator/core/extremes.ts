/**
 * Values at the limits of every Dataverse type, seeded into a small share of every table's rows (and always into
 * the first rows of `new_widget`): money at ±922,337,203,685,477.0000 and with 4 significant decimals, decimals at
 * their column's scale with the full range, BigInt beyond 2^53 up to the int64 limits, doubles that are not exact
 * in binary, strings with multi-byte Unicode, emoji, quotes, backslashes and control characters at the column's
 * maximum length, memos of hundreds of kilobytes, DateOnly 1753-01-01 and 9999-12-31, date-times at the supported
 * minimum and maximum, and rows where every nullable column is null.
 *
 * Pure: which rows are extreme, and their values, are functions of (seed, table, index) like every other value.
 */
import { combine } from './hash.ts';
import type { ColumnDef, GenContext, TableDef, Value } from './schema.ts';
import { CURRENCIES, TEST_CURRENCY_INDEX } from './tables-reference.ts';
import { fitLength, textOfLength, TRICKY_TEXT } from './tricky-text.ts';

/** Money range of Dataverse (MoneyAttributeMetadata MinValue/MaxValue), as the wire writes it (4 decimals). */
export const MONEY_MAX = '922337203685477.0000';
export const MONEY_MIN = '-922337203685477.0000';
/** Decimal and Double range of Dataverse (MinValue/MaxValue). */
export const DECIMAL_LIMIT = '100000000000';
/** Integer and BigInt ranges. */
export const INT32_MAX = 2_147_483_647;
export const INT32_MIN = -2_147_483_648;
export const INT64_MAX = '9223372036854775807';
export const INT64_MIN = '-9223372036854775808';
/** 2^53 + 1: the first integer a double cannot hold. */
export const BEYOND_DOUBLE = '9007199254740993';
/** Supported date-time range (DateTimeAttributeMetadata MinSupportedValue/MaxSupportedValue). */
export const DATETIME_MIN = '1753-01-01T00:00:00Z';
export const DATETIME_MAX = '9999-12-30T23:59:59Z';
/** DateOnly limits. */
export const DATEONLY_MIN = '1753-01-01';
export const DATEONLY_MAX = '9999-12-31';
/** Length of the huge memo values (UTF-16 code units, mostly one UTF-8 byte each: about 300 KB). */
export const HUGE_MEMO_LENGTH = 300_000;
/** The memo column that carries the huge values (its MaxLength is the Dataverse maximum, 1,048,576). */
export const HUGE_MEMO_COLUMN = 'new_notes';

/** Ordinals cycle through this many variants; ordinal ≡ NULL_ROW (mod VARIANTS) is the row of nulls. */
export const VARIANTS = 8;
const NULL_ROW = VARIANTS - 1;
/** Share of extreme rows beyond the fixed ones: 4 in 2048 (about 0.2 %). */
const SHARE_BITS = 21;
const SHARE = 4;
/** One extreme row in this many carries a huge memo (in tables with {@link HUGE_MEMO_COLUMN}). */
const HUGE_MEMO_EVERY = 64;

/** Money: the range limits, 4 significant decimals beyond what a double holds, the smallest amounts and zero. */
const MONEY: readonly string[] = [MONEY_MAX, MONEY_MIN, '922337203685476.9999', '-922337203685476.9999', '0.0001', '-0.0001', '0.0000'];
/** BigInt: the int64 limits, 2^53 + 1 on both sides, zero. */
const BIGINT: readonly string[] = [INT64_MAX, INT64_MIN, BEYOND_DOUBLE, `-${BEYOND_DOUBLE}`, '0'];
const INTEGER: readonly number[] = [INT32_MAX, INT32_MIN, 0];
/** Doubles whose decimal text is not exact in binary, and the range limits. */
const DOUBLE: readonly number[] = [0.1, -0.3, 0.00001, 100_000_000_000, -100_000_000_000, 33_333.33333, 1_234.56789];
const DATETIME: readonly number[] = [Date.parse(DATETIME_MIN), Date.parse(DATETIME_MAX)];
const DATEONLY: readonly string[] = [DATEONLY_MIN, DATEONLY_MAX];
const GUIDS: readonly string[] = ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];

/** The decimal variants of a column at `scale` (Dataverse Decimal range ±100,000,000,000). */
export function decimalVariants(scale: number): string[] {
  const frac = (d: string) => (scale > 0 ? `.${d.repeat(scale)}` : '');
  const tiny = scale > 0 ? `0.${'0'.repeat(scale - 1)}1` : '1';
  return [`${DECIMAL_LIMIT}${frac('0')}`, `-${DECIMAL_LIMIT}${frac('0')}`, `99999999999${frac('9')}`, `-99999999999${frac('9')}`, tiny, `-${tiny}`, `0${frac('0')}`];
}

/** A huge memo value: `length` code units of long lines ending in {@link TRICKY_TEXT} (about `length` bytes of UTF-8). */
export function hugeText(length: number, ordinal: number): string {
  return fitLength(`${ordinal}: ${'The quick brown fox jumps over the lazy dog. '.repeat(40)}${TRICKY_TEXT}\n`, length);
}

/** Columns whose values carry meaning for other columns or rows; extremes never touch them. */
function fixed(t: TableDef, c: ColumnDef): boolean {
  return (
    // the currencies' extreme row is XTS, whose values tables-reference.ts sets
    t.logicalName === 'transactioncurrency' ||
    c.system !== undefined ||
    c.kind === 'State' ||
    c.kind === 'Status' ||
    c.kind === 'Owner' ||
    c.logicalName === 'createdby' ||
    c.logicalName === 'modifiedby' ||
    c.logicalName === 'transactioncurrencyid' ||
    (c.logicalName === 'exchangerate' && t.logicalName !== 'transactioncurrency')
  );
}

/** Whether `c` may be null in an extreme row of nulls (Dataverse requires the primary name and two-option values). */
export function nullableInExtremes(t: TableDef, c: ColumnDef): boolean {
  return !fixed(t, c) && c.logicalName !== t.primaryName && c.kind !== 'Boolean';
}

/** Which rows of a table are extreme. */
export interface ExtremePolicy {
  /** Ordinals of the first rows (row i has ordinal `leading[i]`), so their variants are in the first page. */
  readonly leading: readonly number[];
  /** Rows from the end that are extreme (for small reference tables whose first rows carry meaning). */
  readonly trailing: number;
  /** Whether about 0.2 % of the other rows are extreme too. */
  readonly share: boolean;
}

/** The extreme rows of each table (the currencies' is the XTS test currency, the last row). */
export function extremePolicy(t: TableDef): ExtremePolicy {
  switch (t.logicalName) {
    case 'new_widget':
      return { leading: [0, 1, 2, 3, 4, 5, 6, NULL_ROW], trailing: 0, share: true };
    case 'transactioncurrency':
    case 'systemuser':
    case 'team':
      return { leading: [], trailing: 1, share: false };
    default:
      return { leading: [0, NULL_ROW], trailing: 0, share: true };
  }
}

/**
 * The extreme ordinal of row `index` (variant selector; `NULL_ROW` modulo {@link VARIANTS} = every nullable column
 * null), or -1 for an ordinary row. `rowHash` is the row's hash, `rows` the table's base row count.
 */
export function extremeOrdinal(p: ExtremePolicy, index: number, rows: number, rowHash: number): number {
  const lead = p.leading[index];
  if (lead !== undefined) return lead;
  if (p.trailing > 0 && index >= rows - p.trailing && index < rows) return rows - 1 - index;
  if (!p.share) return -1;
  const h = combine(rowHash, 0xe7e3e3e);
  return h >>> SHARE_BITS < SHARE ? (h & 0xffff) + 1 : -1;
}

/** True when row `ordinal` is the row of nulls. */
export function isNullRow(ordinal: number): boolean {
  return ordinal % VARIANTS === NULL_ROW;
}

/** True when an extreme row carries a huge memo in {@link HUGE_MEMO_COLUMN}. */
export function hasHugeMemo(ordinal: number): boolean {
  return ordinal % HUGE_MEMO_EVERY === 1;
}

function pickVariant<T>(list: readonly T[], ordinal: number, salt: number): T {
  return list[(ordinal + salt) % list.length]!;
}

/**
 * The value of column `c` in an extreme row of table `t` with `ordinal`, or undefined when the column keeps its
 * ordinary generated value (lookups, choices, booleans and the columns other values depend on).
 */
export function extremeValue(t: TableDef, c: ColumnDef, ordinal: number, salt: number, ctx: GenContext): Value | undefined {
  if (t.logicalName !== 'transactioncurrency') {
    // money of extreme rows is in the XTS test currency (4 decimals)
    if (c.logicalName === 'transactioncurrencyid') return ctx.guidOf('transactioncurrency', TEST_CURRENCY_INDEX);
    if (c.logicalName === 'exchangerate') return CURRENCIES[TEST_CURRENCY_INDEX]?.rate ?? null;
  }
  if (fixed(t, c)) return undefined;
  if (isNullRow(ordinal)) return nullableInExtremes(t, c) ? null : undefined;
  const k = ordinal % VARIANTS;
  switch (c.kind) {
    case 'String': {
      const max = c.maxLength ?? 100;
      // variant 0: the maximum length; others: shorter texts starting elsewhere in the tricky text
      return k % 2 === 0 ? textOfLength(max, k * 7 + salt) : textOfLength(Math.min(max, 1 + ((k * 37 + salt) % 60)), k * 13 + salt);
    }
    case 'Memo':
      if (c.logicalName === HUGE_MEMO_COLUMN && hasHugeMemo(ordinal)) return hugeText(HUGE_MEMO_LENGTH, ordinal);
      return textOfLength(k % 2 === 0 ? Math.min(c.maxLength ?? 2000, 20_000) : 1 + (salt % 300), k * 11 + salt);
    case 'Integer':
      return pickVariant(INTEGER, k, salt);
    case 'BigInt':
      return pickVariant(BIGINT, k, salt);
    case 'Decimal':
      return pickVariant(decimalVariants(c.precision ?? 2), k, salt);
    case 'Money':
      return pickVariant(MONEY, k, salt);
    case 'Double':
      return pickVariant(DOUBLE, k, salt);
    case 'DateTime':
      return c.behavior === 'DateOnly' ? pickVariant(DATEONLY, k, salt) : pickVariant(DATETIME, k, salt);
    case 'Uniqueidentifier':
      return pickVariant(GUIDS, k, salt);
    case 'Picklist':
      return c.options && c.options.length > 0 ? (k % 2 === 0 ? c.options[0]!.value : c.options[c.options.length - 1]!.value) : undefined;
    case 'MultiSelectPicklist':
      return c.options && c.options.length > 0 ? c.options.map((o) => o.value).join(',') : undefined;
    default:
      return undefined;
  }
}
