/**
 * Parsing Dataverse response bodies without losing numeric precision. `JSON.parse` turns `922337203685477.5807`
 * into a double (and `20000.0000` into `20000`); money and decimals must stay exact (DESIGN.md §3). This parser
 * keeps EVERY JSON number as its exact source text.
 *
 * How: one pass over the text wraps each well-formed number token found outside strings in double quotes, then a
 * plain `JSON.parse` runs (about 3× faster than a `JSON.parse` reviver with source-text access, which calls back
 * into JavaScript for every value). The result is the same as that reviver's. Invalid JSON stays invalid: a token
 * that is not a complete JSON number (`-`, `1.`, `1e`) is left as it is, and so is a number followed by `:` (a
 * number in key position, which quoting would otherwise make valid); anything else adjacent to a quoted number is
 * as invalid quoted as it was bare.
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
const LOWER_E = 0x65;
const UPPER_E = 0x45;

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index just after the JSON string whose opening quote is at `open` (or `text.length` when unterminated). */
function stringEnd(text: string, open: number): number {
  let close = text.indexOf('"', open + 1);
  while (close !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
    if ((backslashes & 1) === 0) return close + 1;
    close = text.indexOf('"', close + 1);
  }
  return text.length;
}

/** Index just after the JSON number starting at `start`, or -1 when the token there is not a complete number. */
function numberEnd(text: string, start: number): number {
  let i = start;
  let c = text.charCodeAt(i);
  if (c === MINUS) c = text.charCodeAt(++i);
  if (c === ZERO) c = text.charCodeAt(++i);
  else if (isDigit(c)) while (isDigit((c = text.charCodeAt(++i))));
  else return -1;
  if (c === DOT) {
    if (!isDigit((c = text.charCodeAt(++i)))) return -1;
    while (isDigit((c = text.charCodeAt(++i))));
  }
  if (c === LOWER_E || c === UPPER_E) {
    c = text.charCodeAt(++i);
    if (c === PLUS || c === MINUS) c = text.charCodeAt(++i);
    if (!isDigit(c)) return -1;
    while (isDigit(text.charCodeAt(++i)));
  }
  return i;
}

/** Whether the next non-whitespace character from `i` is `:` (the token before it is in key position). */
function colonFollows(text: string, i: number): boolean {
  let c = text.charCodeAt(i);
  while (isSpace(c)) c = text.charCodeAt(++i);
  return c === COLON;
}

/** The text with every well-formed number token outside strings wrapped in double quotes. */
export function quoteNumbers(text: string): string {
  const n = text.length;
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
    } else if (isDigit(c) || c === MINUS) {
      const end = numberEnd(text, i);
      if (end === -1) {
        i++;
      } else {
        if (!colonFollows(text, end)) {
          // two appends: the short quoted token is then a flat string, so the result has fewer pieces to flatten
          out += text.slice(copied, i);
          out += '"' + text.slice(i, end) + '"';
          copied = end;
        }
        i = end;
      }
    } else {
      i++;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Parses a Dataverse JSON body (a page of rows, a metadata body, an error body). Every JSON number comes back as
 * a string holding its exact source text (`"20000.0000"`, `"80648695"`, `"1E-10"`); strings, booleans, nulls,
 * arrays and objects are as usual. Callers convert counts with `Number(...)`; the row mapper reads numbers from
 * these strings. Throws `DATAVERSE_PAYLOAD_INVALID` when the text is not JSON (the message gives the parser's
 * reason, never the body, which may hold customer data).
 */
export function parseDataverseJson(text: string): unknown {
  try {
    return JSON.parse(quoteNumbers(text)) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/".*"/s, '…') : 'unknown error';
    throw new SyncError('DATAVERSE_PAYLOAD_INVALID', `Dataverse returned a body that is not JSON: ${reason}`);
  }
}
