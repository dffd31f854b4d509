/**
 * What a data request asks for, for the request counters of `/_control/stats` (`byKind`): a benchmark tells where a
 * client's requests go (metadata, counts, rows, change tracking). Pure.
 */

/** The kinds of data requests. */
export type RequestKind = 'whoami' | 'metadata' | 'function' | 'count' | 'delta' | 'rows' | 'batch' | 'other';

/** The kind of a request to `/api/data/v9.x/<rest>` with `params` and whether it asked for change tracking. */
export function requestKind(method: string, rest: string, params: URLSearchParams, trackChanges: boolean): RequestKind {
  if (method === 'POST' && rest === '$batch') return 'batch';
  if (/^WhoAmI(\(\))?$/.test(rest)) return 'whoami';
  if (rest.startsWith('EntityDefinitions') || /^RetrieveMetadataChanges(\(|$)/.test(rest)) return 'metadata';
  if (/^[A-Z][A-Za-z]*\(/.test(rest)) return 'function'; // functions are PascalCase, entity sets lower case
  if (params.has('$deltatoken') && !rest.endsWith('/$count')) return 'delta';
  if (rest.endsWith('/$count') || params.get('$count') === 'true') return 'count';
  if (trackChanges) return 'delta';
  return /^[A-Za-z_]\w*(\(.*\))?$/.test(rest) ? 'rows' : 'other';
}
