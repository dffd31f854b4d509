/**
 * OData `$filter` parser for the subset Dataverse clients use: comparison operators, `and`/`or`/`not`,
 * parentheses, `contains`/`startswith`/`endswith`, and literals (quoted strings with `''` escapes, numbers,
 * `true`/`false`/`null`, unquoted ISO date-times and dates, unquoted GUIDs, enum literals such as
 * `Microsoft.Dynamics.CRM.OwnershipTypes'UserOwned'`). Property paths may contain `/` (`X/Value`).
 * Errors carry the Dataverse message text in `FilterSyntaxError.message`.
 */

/** A comparison operator. */
import { exactAsDouble } from './exact-number.ts';

export type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** A literal: numbers are JS numbers, or their exact text when a double cannot hold them; datetimes are epoch ms, dates `YYYY-MM-DD`, GUIDs lower-case, enums their member name. */
export interface Literal {
  readonly k: 'lit';
  readonly t: 'string' | 'number' | 'bool' | 'null' | 'datetime' | 'date' | 'guid' | 'enum';
  readonly v: string | number | boolean | null;
}

/** A property reference (path segments joined by `/`). */
export interface Prop {
  readonly k: 'prop';
  readonly path: string;
}

/** An operand of a comparison. */
export type Operand = Literal | Prop;

/** The filter syntax tree. */
export type FilterExpr =
  | { readonly k: 'and' | 'or'; readonly l: FilterExpr; readonly r: FilterExpr }
  | { readonly k: 'not'; readonly e: FilterExpr }
  | { readonly k: 'cmp'; readonly op: CmpOp; readonly l: Operand; readonly r: Operand }
  | { readonly k: 'fn'; readonly name: 'contains' | 'startswith' | 'endswith'; readonly prop: Prop; readonly arg: Literal }
  | { readonly k: 'truthy'; readonly prop: Prop };

/** A `$filter` the parser rejects; the message is the Dataverse one. */
export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
}

interface Token {
  readonly t: 'lit' | 'ident' | 'op' | '(' | ')' | ',';
  readonly text: string;
  readonly pos: number;
  readonly lit?: Literal;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\d:T])/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDlLfF]?/;
const IDENT = /^[A-Za-z_$][\w.$]*(?:\/[A-Za-z_][\w.]*)*/;
const OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? '';
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      out.push({ t: ch, text: ch, pos: i });
      i++;
      continue;
    }
    if (ch === "'") {
      const { value, end } = readString(src, i);
      out.push({ t: 'lit', text: src.slice(i, end), pos: i, lit: { k: 'lit', t: 'string', v: value } });
      i = end;
      continue;
    }
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if ((m = GUID.exec(rest))) {
      out.push({ t: 'lit', text: m[0], pos: i, lit: { k: 'lit', t: 'guid', v: m[0].toLowerCase() } });
    } else if ((m = DATETIME.exec(rest))) {
      const ms = Date.parse(m[0]);
      if (Number.isNaN(ms)) throw syntax(src, i);
      out.push({ t: 'lit', text: m[0], pos: i, lit: { k: 'lit', t: 'datetime', v: ms } });
    } else if ((m = DATE.exec(rest))) {
      out.push({ t: 'lit', text: m[0], pos: i, lit: { k: 'lit', t: 'date', v: m[0] } });
    } else if ((m = NUMBER.exec(rest))) {
      // a number a double cannot hold (money, BigInt beyond 2^53) stays its exact text
      const text = m[0].replace(/[mMdDlLfF]$/, '');
      const n = Number(text);
      out.push({ t: 'lit', text: m[0], pos: i, lit: { k: 'lit', t: 'number', v: exactAsDouble(text, n) ? n : text } });
    } else if ((m = IDENT.exec(rest))) {
      const word = m[0];
      if (src[i + word.length] === "'" && word.includes('.')) {
        const { value, end } = readString(src, i + word.length);
        out.push({ t: 'lit', text: src.slice(i, end), pos: i, lit: { k: 'lit', t: 'enum', v: value } });
        i = end;
        continue;
      }
      if (src[i + word.length] === '(' && !/^(contains|startswith|endswith)$/i.test(word)) {
        throw new FilterSyntaxError(`The query function '${word}' is not supported.`);
      }
      if (word === 'true' || word === 'false') out.push({ t: 'lit', text: word, pos: i, lit: { k: 'lit', t: 'bool', v: word === 'true' } });
      else if (word === 'null') out.push({ t: 'lit', text: word, pos: i, lit: { k: 'lit', t: 'null', v: null } });
      else out.push({ t: OPS.has(word) ? 'op' : 'ident', text: word, pos: i });
    } else {
      throw syntax(src, i);
    }
    i += m[0].length;
  }
  return out;
}

function readString(src: string, start: number): { value: string; end: number } {
  let i = start + 1;
  let value = '';
  for (;;) {
    if (i >= src.length) throw new FilterSyntaxError(`There is an unterminated literal at position ${src.length} in '${src}'.`);
    const ch = src[i];
    if (ch === "'") {
      if (src[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += ch;
    i++;
  }
}

function syntax(src: string, pos: number): FilterSyntaxError {
  return new FilterSyntaxError(`Syntax error at position ${pos} in '${src}'.`);
}

/** Parses a `$filter` expression. Throws {@link FilterSyntaxError}. */
export function parseFilter(src: string): FilterExpr {
  const tokens = tokenize(src);
  let p = 0;
  const peek = (): Token | undefined => tokens[p];
  const fail = (): never => {
    throw syntax(src, peek()?.pos ?? src.length);
  };
  const expect = (t: Token['t']): Token => {
    const tok = peek();
    if (!tok || tok.t !== t) return fail();
    p++;
    return tok;
  };
  const operand = (): Operand => {
    const tok = peek();
    if (!tok) return fail();
    if (tok.t === 'lit' && tok.lit) {
      p++;
      return tok.lit;
    }
    if (tok.t === 'ident') {
      p++;
      return { k: 'prop', path: tok.text };
    }
    return fail();
  };
  const primary = (): FilterExpr => {
    const tok = peek();
    if (!tok) return fail();
    if (tok.t === '(') {
      p++;
      const e = orExpr();
      expect(')');
      return e;
    }
    if (tok.t === 'ident' && tokens[p + 1]?.t === '(') {
      const name = tok.text.toLowerCase();
      if (name !== 'contains' && name !== 'startswith' && name !== 'endswith') {
        throw new FilterSyntaxError(`The query function '${tok.text}' is not supported.`);
      }
      p += 2;
      const prop = operand();
      expect(',');
      const arg = operand();
      expect(')');
      if (prop.k !== 'prop' || arg.k !== 'lit' || arg.t !== 'string') return fail();
      return { k: 'fn', name, prop, arg };
    }
    const l = operand();
    const opTok = peek();
    if (opTok?.t === 'op' && opTok.text !== 'and' && opTok.text !== 'or' && opTok.text !== 'not') {
      p++;
      return { k: 'cmp', op: opTok.text as CmpOp, l, r: operand() };
    }
    if (l.k === 'prop') return { k: 'truthy', prop: l };
    return fail();
  };
  /** Consumes the next token when it is the operator `word`. */
  const takeOp = (word: 'and' | 'or' | 'not'): boolean => {
    if (peek()?.t !== 'op' || peek()?.text !== word) return false;
    p++;
    return true;
  };
  const unary = (): FilterExpr => (takeOp('not') ? { k: 'not', e: unary() } : primary());
  /** `next (word next)*`, grouped to the left: `not` binds tighter than `and`, `and` tighter than `or`. */
  const chain = (word: 'and' | 'or', next: () => FilterExpr) => (): FilterExpr => {
    let l = next();
    while (takeOp(word)) l = { k: word, l, r: next() };
    return l;
  };
  const andExpr = chain('and', unary);
  const orExpr = chain('or', andExpr);
  if (tokens.length === 0) fail();
  const e = orExpr();
  if (p !== tokens.length) fail();
  return e;
}

/** Every property path the expression reads (for validation against a table's columns). */
export function filterProps(e: FilterExpr, out: Set<string> = new Set()): Set<string> {
  switch (e.k) {
    case 'and':
    case 'or':
      filterProps(e.l, out);
      filterProps(e.r, out);
      break;
    case 'not':
      filterProps(e.e, out);
      break;
    case 'cmp':
      if (e.l.k === 'prop') out.add(e.l.path);
      if (e.r.k === 'prop') out.add(e.r.path);
      break;
    case 'fn':
    case 'truthy':
      out.add(e.prop.path);
      break;
  }
  return out;
}
