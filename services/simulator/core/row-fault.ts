/**
 * Malformed-row injection (fault `rowFaults` of the control API): rewrites the JSON text of one served row so a
 * client sees a payload Dataverse should never send (a value of the wrong type, an impossible date, a missing
 * primary id, a huge string, a property the metadata does not list). Pure text manipulation on the flat row
 * object the row writer produces, so the rest of the page keeps its exact numbers.
 */

/** One corrupted row: `table` (logical or entity set name) and `id` (the row's GUID) select it. */
export interface RowFault {
  readonly table: string;
  readonly id: string;
  /** Properties (wire names, e.g. `name`, `_ownerid_value`) to give these JSON values, replacing any present. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Properties to remove (with their `name@…` annotations). */
  readonly unset?: readonly string[];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A JSON scalar as the row writer emits it: a string (with escapes) or a bare token. */
const JSON_SCALAR = '(?:"(?:[^"\\\\]|\\\\.)*"|[^,{}\\[\\]"]+)';

/** Removes property `name` and its annotations (`"name@…":…`) from a flat JSON object text. */
function removeProperty(row: string, name: string): string {
  const key = escapeRegExp(JSON.stringify(name).slice(1, -1));
  const prop = new RegExp(`([{,])"${key}(?:@[^"]*)?":${JSON_SCALAR}`, 'g');
  // keep the separator before the property only when it opens the object, and drop a comma left dangling after `{`
  return row.replace(prop, (_m, sep: string) => (sep === '{' ? '{' : '')).replace(/^\{,/, '{');
}

/**
 * Applies `fault` to `row`, the JSON text of one flat row object (`{"@odata.etag":…,"name":…}`): removes the
 * `unset` properties and every `set` property, then appends the `set` ones (JSON-encoded) before the closing brace.
 */
export function applyRowFault(row: string, fault: RowFault): string {
  let out = row;
  const set = Object.entries(fault.set ?? {});
  for (const name of [...(fault.unset ?? []), ...set.map(([k]) => k)]) out = removeProperty(out, name);
  if (set.length === 0) return out;
  const body = out.slice(0, out.lastIndexOf('}'));
  const extra = set.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
  return `${body}${body.endsWith('{') ? '' : ','}${extra}}`;
}

/** The faults of `rowFaults` that apply to a table, keyed by lower-case row id (empty map: none). */
export function rowFaultsFor(faults: readonly RowFault[] | undefined, logicalName: string, entitySetName: string): Map<string, RowFault> {
  const out = new Map<string, RowFault>();
  for (const f of faults ?? []) if (f.table === logicalName || f.table === entitySetName) out.set(String(f.id).toLowerCase(), f);
  return out;
}
