/**
 * Converting between internal values and the Dataverse JSON wire format: JSON fragments for rows (money and
 * decimals as numbers with their scale, whole-second UTC timestamps, DateOnly dates, lower-case GUIDs),
 * formatted values for annotations, and JSON input (control API) to internal values.
 */
import { compareExact, isNumericText } from './exact-number.ts';
import { DECIMAL_LIMIT, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, MONEY_MAX, MONEY_MIN } from './extremes.ts';
import type { ColumnDef, Value } from './schema.ts';

let lastMs = NaN;
let lastIso = '';

/** ISO-8601 UTC with whole seconds: "2024-01-15T10:00:00Z" (remembers the last value: bursts repeat it). */
export function isoSeconds(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString().slice(0, 19) + 'Z';
    lastMs = ms;
  }
  return lastIso;
}

/** The JSON text of a value as Dataverse sends it. */
export function jsonFragment(col: ColumnDef, v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (col.kind === 'DateTime') return `"${isoSeconds(v)}"`;
      return Number.isFinite(v) ? String(v) : 'null';
    default:
      // money, decimals and BigInt beyond 2^53 are exact texts, written as JSON numbers with every digit
      if (col.kind === 'Decimal' || col.kind === 'Money' || col.kind === 'BigInt') return v;
      return JSON.stringify(v);
  }
}

const numberFormats = new Map<number, Intl.NumberFormat>();
function numberFormat(decimals: number): Intl.NumberFormat {
  let f = numberFormats.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    numberFormats.set(decimals, f);
  }
  return f;
}

const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d*))?$/;

/** `digits` (decimal digits only) plus one unit in its last place. */
function incremented(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 57) i -= 1; // trailing 9s become 0s
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return `${digits.slice(0, i)}${String.fromCharCode(digits.charCodeAt(i) + 1)}${'0'.repeat(digits.length - i - 1)}`;
}

/** An integer's digits with en-US thousands separators. */
function grouped(int: string): string {
  const head = int.length % 3 || 3;
  let out = int.slice(0, head);
  for (let i = head; i < int.length; i += 3) out += `,${int.slice(i, i + 3)}`;
  return out;
}

/**
 * en-US text of a plain decimal text with exactly `decimals` decimals, rounded half away from zero, as
 * `Intl.NumberFormat('en-US')` formats it (its `halfExpand`, the sign kept on a negative value rounded to zero); Intl
 * for any other text. Intl costs about as much as the rest of a row's JSON (value-codec.test.ts compares the two).
 */
export function formatDecimal(text: string, decimals: number): string {
  const m = PLAIN_DECIMAL.exec(text);
  if (!m) return numberFormat(decimals).format(text as `${number}`);
  const frac = m[3] ?? '';
  let int = m[2]!.replace(/^0+(?=\d)/, '');
  let kept = frac.length >= decimals ? frac.slice(0, decimals) : frac.padEnd(decimals, '0');
  if (frac.length > decimals && frac.charCodeAt(decimals) >= 53) {
    const up = incremented(int + kept); // '5' or more in the first dropped place
    int = up.slice(0, up.length - decimals);
    kept = up.slice(up.length - decimals);
  }
  return `${m[1]}${grouped(int)}${decimals > 0 ? `.${kept}` : ''}`;
}

/** en-US (UTC) date and time of `ms`, as Dataverse formats a user-local date-time: `4/7/2023 2:59 PM`. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const minutes = d.getUTCMinutes();
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${minutes < 10 ? '0' : ''}${minutes} ${h < 12 ? 'AM' : 'PM'}`;
}

/** The user-locale (en-US, UTC) text of a value, or undefined when Dataverse sends no formatted value. */
export function formattedValue(col: ColumnDef, v: Value, currencySymbol?: string, currencyPrecision = 2): string | undefined {
  if (v === null) return undefined;
  switch (col.kind) {
    case 'Picklist':
    case 'State':
    case 'Status':
      return col.options?.find((o) => o.value === v)?.label;
    case 'Boolean':
      return col.options?.find((o) => o.value === (v ? 1 : 0))?.label ?? (v ? 'Yes' : 'No');
    case 'MultiSelectPicklist':
      return String(v)
        .split(',')
        .map((x) => col.options?.find((o) => o.value === Number(x))?.label ?? x)
        .join('; ');
    // exact: formatted from the decimal text, never through a double
    case 'Money':
      return `${currencySymbol ?? '$'}${formatDecimal(String(v), currencyPrecision)}`;
    case 'Decimal':
      return formatDecimal(String(v), col.precision ?? 2);
    case 'Integer':
    case 'BigInt':
      return formatDecimal(String(v), 0);
    case 'Double':
      return numberFormat(col.precision ?? 2).format(Number(v));
    case 'DateTime':
      if (col.behavior === 'DateOnly') {
        const [y, m, d] = String(v).split('-').map(Number);
        return `${m}/${d}/${y}`;
      }
      return formatDateTime(v as number);
    default:
      return undefined;
  }
}

/** Renders a decimal string with exactly `scale` decimals, or undefined when `text` is not a decimal. */
export function toScale(text: string, scale: number): string | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const frac = (m[3] ?? '').padEnd(scale, '0');
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) return undefined;
  return `${m[1]}${m[2]}${scale > 0 ? '.' + frac.slice(0, scale) : ''}`;
}

/** Lower and upper limits of the numeric kinds (Dataverse MinValue/MaxValue). */
const LIMITS: Partial<Record<ColumnDef['kind'], readonly [string, string]>> = {
  Integer: [String(INT32_MIN), String(INT32_MAX)],
  BigInt: [INT64_MIN, INT64_MAX],
  Money: [MONEY_MIN, MONEY_MAX],
  Decimal: [`-${DECIMAL_LIMIT}`, DECIMAL_LIMIT],
};

/**
 * Converts a JSON input value (control API) to the internal form; throws a one-line TypeError when it does not fit.
 * BigInt, Decimal and Money take exact strings (`"9223372036854775807"`, `"922337203685477.0000"`) as well as JSON
 * numbers; BigInt beyond 2^53 stays an exact string internally.
 */
export function fromJson(col: ColumnDef, input: unknown): Value {
  if (input === null || input === undefined) return null;
  const fail = (why = ''): never => {
    throw new TypeError(`value ${JSON.stringify(input)} does not fit column '${col.logicalName}' (${col.kind})${why ? `: ${why}` : ''}`);
  };
  const inRange = (text: string | number) => {
    const [lo, hi] = LIMITS[col.kind] ?? [];
    if (lo !== undefined && hi !== undefined && ((compareExact(text, lo) ?? -1) < 0 || (compareExact(text, hi) ?? 1) > 0)) fail(`outside ${lo}..${hi}`);
  };
  switch (col.kind) {
    case 'String':
    case 'Memo':
      if (typeof input !== 'string') return fail('expected a string');
      if (col.maxLength !== undefined && input.length > col.maxLength) fail(`longer than ${col.maxLength}`);
      return input;
    case 'Picklist':
    case 'State':
    case 'Status':
      return typeof input === 'number' && Number.isInteger(input) ? input : fail('expected an integer');
    case 'Integer':
      if (typeof input !== 'number' || !Number.isInteger(input)) return fail('expected an integer');
      inRange(input);
      return input;
    case 'BigInt': {
      const text = typeof input === 'number' && Number.isSafeInteger(input) ? String(input) : typeof input === 'string' && /^-?\d{1,19}$/.test(input.trim()) ? input.trim() : fail('expected an integer as a JSON number or an exact string');
      inRange(text);
      const big = BigInt(text);
      return big >= -BigInt(Number.MAX_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
    }
    case 'Double':
      return typeof input === 'number' ? input : isNumericText(input) ? Number(input) : fail('expected a number');
    case 'Decimal':
    case 'Money': {
      const scale = col.kind === 'Money' ? 4 : (col.precision ?? 2);
      const text = typeof input === 'number' ? input.toFixed(scale) : typeof input === 'string' ? input : fail('expected an exact decimal string or a number');
      const exact = toScale(text, scale) ?? fail(`not an exact decimal with at most ${scale} decimals`);
      inRange(exact);
      return exact;
    }
    case 'Boolean':
      return typeof input === 'boolean' ? input : fail();
    case 'MultiSelectPicklist': {
      const list = Array.isArray(input) ? input.map(Number) : typeof input === 'string' ? input.split(',').map(Number) : fail();
      if (list.some((n) => !Number.isInteger(n))) fail();
      return list.length === 0 ? null : [...list].sort((a, b) => a - b).join(',');
    }
    case 'DateTime': {
      if (typeof input !== 'string') return fail();
      if (col.behavior === 'DateOnly') return /^\d{4}-\d{2}-\d{2}$/.test(input) ? input : fail();
      const ms = Date.parse(input);
      return Number.isNaN(ms) ? fail() : Math.floor(ms / 1000) * 1000;
    }
    case 'Uniqueidentifier':
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      return typeof input === 'string' && /^[0-9a-f-]{36}$/i.test(input) ? input.toLowerCase() : fail();
    default:
      return fail();
  }
}
