/**
 * The `Prefer` request header (`odata.maxpagesize=N`, `odata.include-annotations="…"`, `odata.track-changes`)
 * and the matcher for annotation names with `*` wildcards and `-` exclusions.
 */

/** The preferences the simulator honours. */
export interface Preferences {
  /** Requested page size (uncapped; callers cap at 5,000). */
  readonly maxPageSize?: number;
  /** Raw `odata.include-annotations` value without quotes. */
  readonly includeAnnotations?: string;
  readonly trackChanges: boolean;
}

/** Splits on commas outside double quotes. */
function splitOutsideQuotes(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

/** Parses one or more `Prefer` header values (Node joins repeated headers with ", "). */
export function parsePrefer(header: string | string[] | undefined): Preferences {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  let maxPageSize: number | undefined;
  let includeAnnotations: string | undefined;
  let trackChanges = false;
  for (const part of splitOutsideQuotes(text)) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim().replace(/^"|"$/g, '');
    if (name === 'odata.maxpagesize') {
      const n = Number(value);
      if (Number.isInteger(n) && n > 0) maxPageSize = n;
    } else if (name === 'odata.include-annotations') includeAnnotations = value;
    else if (name === 'odata.track-changes') trackChanges = true;
  }
  return { ...(maxPageSize ? { maxPageSize } : {}), ...(includeAnnotations !== undefined ? { includeAnnotations } : {}), trackChanges };
}

/** Decides whether an annotation term (e.g. `OData.Community.Display.V1.FormattedValue`) is requested. */
export type AnnotationMatcher = (term: string) => boolean;

/** Builds a matcher from an `odata.include-annotations` value: `*`, exact terms, `prefix*`, `-excluded`. */
export function annotationMatcher(spec: string | undefined): AnnotationMatcher {
  if (!spec) return () => false;
  const include: string[] = [];
  const exclude: string[] = [];
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (raw.startsWith('-')) exclude.push(raw.slice(1));
    else include.push(raw);
  }
  const hit = (patterns: string[], term: string) =>
    patterns.some((p) => (p.endsWith('*') ? term.startsWith(p.slice(0, -1)) : p === term));
  return (term) => hit(include, term) && !hit(exclude, term);
}
