/**
 * The Dataverse paging cookie carried by `$skiptoken` in `@odata.nextLink`:
 * `<cookie pagenumber="2" pagingcookie="<percent-encoded inner cookie>" istracking="False" />` (so the inner cookie
 * is encoded twice once the whole cookie is URL-encoded into the nextLink), where the inner
 * cookie is `<cookie page="1"><col last="…" first="…" />…<pk last="{GUID}" first="{GUID}" /></cookie>` with
 * one element per `$orderby` column plus the primary key. The simulator honours it: the next page resumes
 * strictly after the `last` values.
 */

/** One ordering column's boundary values on a page. */
export interface CookieKey {
  readonly attr: string;
  readonly last: string;
  readonly first: string;
}

/** A decoded paging cookie. */
export interface PagingCookie {
  /** Number of the page this cookie asks for (2 for the first nextLink). */
  readonly pageNumber: number;
  readonly keys: readonly CookieKey[];
  readonly tracking: boolean;
  /** Extra simulator state (change-tracking snapshot version), kept as outer-cookie attributes. */
  readonly extra: Readonly<Record<string, string>>;
}

/** Percent-encodes every byte outside [A-Za-z0-9-_.~] with lower-case hex, as Dataverse does. */
export function pctEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16))
    .replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlUnescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Renders the outer cookie (the `$skiptoken` value before its own URL encoding). */
export function encodePagingCookie(cookie: PagingCookie): string {
  const inner =
    `<cookie page="${cookie.pageNumber - 1}">` +
    cookie.keys.map((k) => `<${k.attr} last="${xmlEscape(k.last)}" first="${xmlEscape(k.first)}" />`).join('') +
    '</cookie>';
  const extra = Object.entries(cookie.extra)
    .map(([k, v]) => ` ${k}="${xmlEscape(v)}"`)
    .join('');
  return (
    `<cookie pagenumber="${cookie.pageNumber}" pagingcookie="${pctEncode(inner)}"` +
    ` istracking="${cookie.tracking ? 'True' : 'False'}"${extra} />`
  );
}

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([\w.:-]+)="([^"]*)"/g)) out.set(m[1] ?? '', xmlUnescape(m[2] ?? ''));
  return out;
}

/** Parses a `$skiptoken` value (already URL-decoded once). Returns undefined when it is not a paging cookie. */
export function decodePagingCookie(token: string): PagingCookie | undefined {
  const outer = /^\s*<cookie\s([^>]*?)\/?>\s*$/.exec(token);
  if (!outer) return undefined;
  const attrs = attributes(outer[1] ?? '');
  const pageNumber = Number(attrs.get('pagenumber'));
  const encoded = attrs.get('pagingcookie');
  if (!Number.isInteger(pageNumber) || pageNumber < 2 || encoded === undefined) return undefined;
  let inner: string;
  try {
    inner = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  const body = /^<cookie page="\d+">(.*)<\/cookie>$/s.exec(inner);
  if (!body) return undefined;
  const keys: CookieKey[] = [];
  for (const m of (body[1] ?? '').matchAll(/<([\w.]+)\s([^>]*?)\/>/g)) {
    const a = attributes(m[2] ?? '');
    keys.push({ attr: m[1] ?? '', last: a.get('last') ?? '', first: a.get('first') ?? '' });
  }
  const extra: Record<string, string> = {};
  for (const [k, v] of attrs) if (k !== 'pagenumber' && k !== 'pagingcookie' && k !== 'istracking') extra[k] = v;
  return { pageNumber, keys, tracking: attrs.get('istracking') === 'True', extra };
}

/** How a GUID appears inside a paging cookie: upper-case in braces. */
export function cookieGuid(id: string): string {
  return `{${id.toUpperCase()}}`;
}
