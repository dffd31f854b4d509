/**
 * Parsing Dataverse response bodies without losing numeric precision. `JSON.parse` turns `922337203685477.5807`
 * into a double (and `20000.0000` into `20000`); money and decimals must stay exact (architecture.md §3). This parser
 * keeps EVERY JSON number as its exact source text.
 *
 * How: one pass over the body's UTF-8 bytes wraps each well-formed number token found outside strings in double
 * quotes, then a plain `JSON.parse` runs (about 3× faster than a `JSON.parse` reviver with source-text access, which
 * calls back into JavaScript for every value). The result is the same as that reviver's. Invalid JSON stays
 * invalid: a token that is not a complete JSON number (`-`, `1.`, `1e`) is left as it is, and so is a number
 * followed by `:` (a number in key position, which quoting would otherwise make valid); anything else adjacent to a
 * quoted number is as invalid quoted as it was bare. The pass reads bytes, not a decoded string: a byte loop is
 * faster than one over the characters of a page (which is a two-byte string as soon as one row holds an emoji), and
 * only the bytes between numbers are copied, in bulk. A leading UTF-8 byte order mark is skipped, as HTTP clients do
 * when they decode a body.
 *
 * A collection body (a page of rows) can also be cut into its rows without parsing them ({@link splitCollection}):
 * the same pass notes where each element of the top-level `value` array starts and ends, so each row is decoded and
 * parsed only when it is mapped. Its objects then die young, one row at a time, instead of a whole page's tree
 * living (and being promoted by the garbage collector) while other windows' pages are mapped.
 */
import { SyncError } from '../../shared/errors.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
/** `"value"` */
const VALUE_KEY = [QUOTE, 0x76, 0x61, 0x6c, 0x75, 0x65, QUOTE];

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index just after the JSON number starting at `start`, or -1 when the token there is not a complete number. */
function numberEnd(src: Buffer, start: number): number {
  let i = start;
  let c = src[i]!;
  if (c === MINUS) c = src[++i]!;
  if (c === ZERO) c = src[++i]!;
  else if (isDigit(c)) while (isDigit((c = src[++i]!)));
  else return -1;
  if (c === DOT) {
    if (!isDigit((c = src[++i]!))) return -1;
    while (isDigit((c = src[++i]!)));
  }
  if (c === LOWER_E || c === UPPER_E) {
    c = src[++i]!;
    if (c === PLUS || c === MINUS) c = src[++i]!;
    if (!isDigit(c)) return -1;
    while (isDigit(src[++i]!));
  }
  return i;
}

/** Whether the next non-whitespace byte from `i` is `:` (the token before it is in key position). */
function colonFollows(src: Buffer, i: number): boolean {
  let c = src[i]!;
  while (isSpace(c)) c = src[++i]!;
  return c === COLON;
}

/** Whether `src[from, to)` is JSON whitespace around exactly one `:`. */
function colonBetween(src: Buffer, from: number, to: number): boolean {
  let colons = 0;
  for (let i = from; i < to; i++) {
    if (src[i] === COLON) colons++;
    else if (!isSpace(src[i]!)) return false;
  }
  return colons === 1;
}

/** What {@link scan} found in a body. */
interface Scan {
  /** The body with every number quoted, in `quoted[0, length)`. */
  readonly quoted: Buffer;
  readonly length: number;
  /** Bounds in `quoted` of the elements of the top-level `value` array. */
  readonly starts: number[];
  readonly ends: number[];
  /** Indexes in `quoted` of the `[` and `]` of the top-level `value` array; -1 when there is none. */
  readonly arrayOpen: number;
  readonly arrayClose: number;
  /** The first structural fault (unterminated string, unbalanced brackets, a malformed `value` array), if any. */
  readonly fault: string | undefined;
}

/** A Buffer over the bytes of `body` (text is encoded as UTF-8), without a leading byte order mark. */
function bodyBytes(body: string | Uint8Array): Buffer {
  const buf = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
}

/** One pass over `src`: quotes the numbers (see the module comment) and finds the rows of a collection body. */
function scan(src: Buffer): Scan {
  const n = src.length;
  let quoted = Buffer.allocUnsafe(n + (n >> 4) + 16);
  let o = 0; // bytes of `quoted` written; src[copied, i) is still to copy, so src index i is at o + (i - copied)
  let copied = 0;
  let depth = 0;
  let keyStart = -1; // src bounds of the last string closed at depth 1
  let keyEnd = -1;
  let inValue = false; // inside the top-level value array (depth 2 is its element level)
  let arrayOpen = -1;
  let arrayClose = -1;
  let elementStart = -1;
  let afterComma = false;
  let fault: string | undefined;
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  while (i < n) {
    const c = src[i]!;
    if (inValue && depth === 2 && elementStart === -1 && c !== COMMA && c !== CLOSE_BRACKET && !isSpace(c)) elementStart = o + (i - copied);
    if (c === QUOTE) {
      const start = i++;
      for (;;) {
        if (i >= n) {
          fault ??= 'unterminated string';
          break;
        }
        const d = src[i++]!;
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
      if (depth === 1) {
        keyStart = start;
        keyEnd = i;
      }
    } else if (isDigit(c) || c === MINUS) {
      const end = numberEnd(src, i);
      if (end === -1 || colonFollows(src, end)) {
        i = end === -1 ? i + 1 : end;
      } else {
        if (o + (n - copied) + 2 > quoted.length) {
          const grown = Buffer.allocUnsafe(2 * (o + (n - copied) + 2));
          quoted.copy(grown, 0, 0, o);
          quoted = grown;
        }
        o += src.copy(quoted, o, copied, i);
        quoted[o++] = QUOTE;
        o += src.copy(quoted, o, i, end);
        quoted[o++] = QUOTE;
        copied = i = end;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (c === OPEN_BRACKET && depth === 1 && arrayOpen === -1 && keyEnd - keyStart === VALUE_KEY.length && VALUE_KEY.every((b, k) => src[keyStart + k] === b) && colonBetween(src, keyEnd, i)) {
        inValue = true;
        arrayOpen = o + (i - copied);
      }
      depth++;
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (inValue && depth === 2) {
        if (c !== CLOSE_BRACKET) fault ??= 'the value array is closed by a brace';
        if (elementStart !== -1) {
          starts.push(elementStart);
          ends.push(o + (i - copied));
        } else if (afterComma) {
          fault ??= 'trailing comma in the value array';
        }
        inValue = false;
        arrayClose = o + (i - copied);
      }
      if (--depth < 0) fault ??= 'unbalanced brackets';
      i++;
    } else {
      if (c === COMMA && inValue && depth === 2) {
        if (elementStart === -1) fault ??= 'empty element in the value array';
        starts.push(elementStart);
        ends.push(o + (i - copied));
        elementStart = -1;
        afterComma = true;
      }
      i++;
    }
  }
  if (depth !== 0) fault ??= 'unbalanced brackets';
  if (copied === 0) return { quoted: src, length: n, starts, ends, arrayOpen, arrayClose, fault };
  o += src.copy(quoted, o, copied, n);
  return { quoted, length: o, starts, ends, arrayOpen, arrayClose, fault };
}

function invalidJson(err: unknown): SyncError {
  const reason = err instanceof Error ? err.message.replace(/".*"/s, '…') : String(err);
  return new SyncError('DATAVERSE_PAYLOAD_INVALID', `Dataverse returned a body that is not JSON: ${reason}`);
}

/** `JSON.parse` of `quoted[from, to)`, DATAVERSE_PAYLOAD_INVALID when it is not JSON. */
function parseSlice(quoted: Buffer, from: number, to: number): unknown {
  try {
    return JSON.parse(quoted.toString('utf8', from, to)) as unknown;
  } catch (err) {
    throw invalidJson(err);
  }
}

/** The text with every well-formed number token outside strings wrapped in double quotes. */
export function quoteNumbers(text: string): string {
  const s = scan(bodyBytes(text));
  return s.quoted.toString('utf8', 0, s.length);
}

/**
 * Parses a Dataverse JSON body (a page of rows, a metadata body, an error body), as text or as its UTF-8 bytes.
 * Every JSON number comes back as a string holding its exact source text (`"20000.0000"`, `"80648695"`, `"1E-10"`);
 * strings, booleans, nulls, arrays and objects are as usual. Callers convert counts with `Number(...)`; the row
 * mapper reads numbers from these strings. Throws `DATAVERSE_PAYLOAD_INVALID` when the body is not JSON (the
 * message gives the parser's reason, never the body, which may hold customer data).
 */
export function parseDataverseJson(body: string | Uint8Array): unknown {
  const s = scan(bodyBytes(body));
  return parseSlice(s.quoted, 0, s.length);
}

/** A collection body whose rows are parsed one at a time ({@link splitCollection}). */
export interface SplitCollection {
  /**
   * The body without its rows, parsed like {@link parseDataverseJson}: every top-level property, with `value` an
   * empty array when the body has a `value` array (else as the body has it, or absent).
   */
  readonly envelope: unknown;
  /** How many elements the `value` array has. */
  readonly length: number;
  /**
   * Element `i` of `value`, parsed with exact numbers (as {@link parseDataverseJson} would give it). Throws
   * DATAVERSE_PAYLOAD_INVALID when that element is not JSON (the cut found its bounds, not its validity).
   */
  row(i: number): unknown;
}

/**
 * Cuts a collection body (`{"@odata.context":…,"value":[{…},…],"@odata.nextLink":…}`, text or UTF-8 bytes) into its
 * envelope and its rows, in the one pass that quotes the numbers (see the module comment). The envelope is parsed at
 * once, so a truncated or malformed body outside the rows, an unterminated string or unbalanced brackets anywhere
 * (what a cut connection leaves) throw DATAVERSE_PAYLOAD_INVALID here; a malformed row throws when
 * {@link SplitCollection.row} parses it. A body without a top-level `value` array has no rows and is parsed whole
 * into the envelope. The rows are decoded from the quoted bytes one by one: the body is held once, as bytes.
 */
export function splitCollection(body: string | Uint8Array): SplitCollection {
  const s = scan(bodyBytes(body));
  if (s.fault !== undefined) throw invalidJson(new SyntaxError(s.fault));
  const { quoted, starts, ends } = s;
  let envelope: unknown;
  if (s.arrayClose === -1) envelope = parseSlice(quoted, 0, s.length);
  else {
    try {
      envelope = JSON.parse(quoted.toString('utf8', 0, s.arrayOpen + 1) + quoted.toString('utf8', s.arrayClose, s.length)) as unknown;
    } catch (err) {
      throw invalidJson(err);
    }
  }
  const length = starts.length;
  return {
    envelope,
    length,
    row(index) {
      if (!(index >= 0 && index < length)) throw new RangeError(`row ${index} of ${length}`);
      return parseSlice(quoted, starts[index]!, ends[index]!);
    },
  };
}
