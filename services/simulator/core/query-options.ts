/**
 * Parsing of OData system query options as Dataverse accepts them: `$select`, `$filter`, `$orderby`, `$top`,
 * `$count`, `$expand` (with nested options), `$skiptoken`, `$deltatoken`. `$skip` and unknown `$` options are
 * rejected with the Web API's messages.
 */
import { FilterSyntaxError, parseFilter, type FilterExpr } from './filter-parser.ts';

/** A rejected query: HTTP 400 with Dataverse code and message. */
export class QueryOptionError extends Error {
  override readonly name = 'QueryOptionError';
  readonly code: string;
  constructor(message: string, code = '0x0') {
    super(message);
    this.code = code;
  }
}

/** One `$orderby` item, by property name. */
export interface OrderSpec {
  readonly prop: string;
  readonly desc: boolean;
}

/** One `$expand` item with its nested options. */
export interface ExpandSpec {
  readonly name: string;
  readonly options: Readonly<Record<string, string>>;
}

/** Parsed system query options. */
export interface QueryOptions {
  readonly select?: readonly string[];
  readonly filter?: FilterExpr;
  readonly filterText?: string;
  readonly orderby: readonly OrderSpec[];
  readonly top?: number;
  readonly count: boolean;
  readonly expand: readonly ExpandSpec[];
  readonly skiptoken?: string;
  readonly deltatoken?: string;
}

const KNOWN = new Set(['$select', '$filter', '$orderby', '$top', '$count', '$expand', '$skiptoken', '$deltatoken', '$apply', '$format']);

/** Splits on `sep` outside parentheses and quotes. */
export function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    if (ch === sep && depth === 0 && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

/** Parses `$expand=A($select=x;$filter=y),B`. */
export function parseExpand(text: string): ExpandSpec[] {
  return splitTop(text, ',').map((item) => {
    const open = item.indexOf('(');
    if (open < 0) return { name: item, options: {} };
    const name = item.slice(0, open).trim();
    const inner = item.slice(open + 1, item.lastIndexOf(')'));
    const options: Record<string, string> = {};
    for (const part of splitTop(inner, ';')) {
      const eq = part.indexOf('=');
      if (eq > 0) options[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    return { name, options };
  });
}

/** Parses a `$filter` value, mapping syntax errors to {@link QueryOptionError}. */
export function filterOption(text: string): FilterExpr {
  try {
    return parseFilter(text);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new QueryOptionError(err.message);
    throw err;
  }
}

/** Parses and validates the query options of a request. */
export function parseQueryOptions(params: URLSearchParams): QueryOptions {
  for (const key of params.keys()) {
    if (key === '$skip') throw new QueryOptionError("The query parameter $skip is not supported");
    if (key.startsWith('$') && !KNOWN.has(key)) throw new QueryOptionError(`The query parameter ${key} is not supported`);
  }
  const select = params.get('$select');
  const filterText = params.get('$filter') ?? undefined;
  const orderby = params.get('$orderby');
  const top = params.get('$top');
  const count = params.get('$count');
  let topN: number | undefined;
  if (top !== null) {
    topN = Number(top);
    if (!Number.isInteger(topN) || topN < 0) throw new QueryOptionError(`Invalid value '${top}' for $top query option found.`);
  }
  if (count !== null && count !== 'true' && count !== 'false') throw new QueryOptionError(`'${count}' is not a valid count option.`);
  const skiptoken = params.get('$skiptoken') ?? undefined;
  const deltatoken = params.get('$deltatoken') ?? undefined;
  return {
    ...(select !== null ? { select: select.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    ...(filterText !== undefined ? { filter: filterOption(filterText), filterText } : {}),
    orderby: orderby
      ? splitTop(orderby, ',').map((item) => {
          const [prop = '', dir = 'asc'] = item.split(/\s+/);
          if (dir !== 'asc' && dir !== 'desc') throw new QueryOptionError(`Syntax error at position ${item.length} in '${orderby}'.`);
          return { prop, desc: dir === 'desc' };
        })
      : [],
    ...(topN !== undefined ? { top: topN } : {}),
    count: count === 'true',
    expand: params.get('$expand') ? parseExpand(params.get('$expand') ?? '') : [],
    ...(skiptoken !== undefined ? { skiptoken } : {}),
    ...(deltatoken !== undefined ? { deltatoken } : {}),
  };
}
