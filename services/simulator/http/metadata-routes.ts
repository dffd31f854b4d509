/**
 * EntityDefinitions and its Attributes, and the RetrieveMetadataChanges function (core/metadata-changes.ts) over the
 * same documents. EntityDefinitions: `$select`, `$filter` (including `X/Value` paths and enum literals),
 * key syntax `(LogicalName='x')` or `(MetadataId)`, cast segments (`/Microsoft.Dynamics.CRM.PicklistAttributeMetadata`),
 * `$expand=Attributes(...)`, `$expand=OptionSet,GlobalOptionSet`. No paging: everything in one body, as Dataverse.
 */
import { evaluate, type FilterValue } from '../core/filter-eval.ts';
import type { FilterExpr } from '../core/filter-parser.ts';
import { encodeDeltaToken } from '../core/delta-token.ts';
import { metadataChangesQueryText, metadataChangesResponse } from '../core/metadata-changes.ts';
import { attributeDoc, baseAttributeDoc, castProperties, entityDoc, hasOptionSet, optionSetDoc } from '../core/metadata-docs.ts';
import { parseQueryOptions, QueryOptionError, type ExpandSpec } from '../core/query-options.ts';
import { KIND_INFO, type ColumnDef, type ColumnKind } from '../core/schema.ts';
import type { Catalog } from '../store/catalog.ts';
import type { TableStore } from '../store/table-store.ts';
import { ALL_METADATA, parseEntityQuery } from '../core/metadata-query.ts';

type Json = Record<string, unknown>;

/** A metadata response: status and JSON body. */
export interface MetadataResult {
  readonly status: number;
  readonly body: Json;
}

/** Thrown for unknown tables/attributes: 404 with the Dataverse code. */
export class MetadataNotFound extends Error {
  readonly code = '0x80040217';
}

function readPath(doc: Json, path: string): FilterValue {
  let cur: unknown = doc;
  for (const seg of path.split('/')) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Json)[seg];
  }
  return cur === undefined ? null : typeof cur === 'object' ? null : (cur as FilterValue);
}

function applySelectFilter(items: Json[], select: readonly string[] | undefined, filter: FilterExpr | undefined, known: Set<string>, typeName: string): Json[] {
  for (const s of select ?? []) if (!known.has(s)) throw new QueryOptionError(`Could not find a property named '${s}' on type 'Microsoft.Dynamics.CRM.${typeName}'.`);
  const kept = filter ? items.filter((d) => evaluate(filter, (p) => readPath(d, p))) : items;
  if (!select) return kept;
  return kept.map((d) => {
    const out: Json = {};
    if ('@odata.type' in d) out['@odata.type'] = d['@odata.type'];
    out.MetadataId = d.MetadataId;
    for (const s of select) if (s in d) out[s] = d[s];
    for (const nav of ['Attributes', 'OptionSet', 'GlobalOptionSet']) if (nav in d) out[nav] = d[nav];
    return out;
  });
}

const ENTITY_PROPS = new Set(Object.keys(entityDoc({ logicalName: 'x', entitySetName: 'xs', displayName: '', displayCollectionName: '', primaryId: 'xid', primaryName: 'name', changeTracking: false, custom: false, ownership: 'UserOwned', objectTypeCode: 0, rows: () => 0, columns: [] })));

function propsOfCast(cast: string | undefined): Set<string> {
  const dummy: ColumnDef = { logicalName: 'x', kind: 'String', displayName: '' };
  const base = Object.keys(baseAttributeDoc({ logicalName: 'x' } as never, dummy, 0)).filter((k) => k !== '@odata.type');
  if (!cast) return new Set(base);
  const kinds = (Object.keys(KIND_INFO) as ColumnKind[]).filter((k) => KIND_INFO[k].cast === cast);
  const extra = kinds.flatMap((k) => Object.keys(castProperties({ ...dummy, kind: k })));
  return new Set([...base, ...extra]);
}

function attributeDocs(store: TableStore, cast: string | undefined, expand: readonly ExpandSpec[]): Json[] {
  const t = store.model.def;
  const wantOptionSet = expand.some((e) => e.name === 'OptionSet');
  const wantGlobal = expand.some((e) => e.name === 'GlobalOptionSet');
  return store.columns
    .map((c, n) => ({ c, n }))
    .filter(({ c }) => !cast || KIND_INFO[c.kind].cast === cast)
    .map(({ c, n }) => {
      const doc = cast ? attributeDoc(t, c, n + 1) : baseAttributeDoc(t, c, n + 1);
      if (hasOptionSet(c)) {
        const os = optionSetDoc(t.logicalName, c);
        if (wantOptionSet) doc.OptionSet = os;
        if (wantGlobal) doc.GlobalOptionSet = c.globalOptionSet ? os : null;
      }
      return doc;
    });
}

const CAST_RE = /^Microsoft\.Dynamics\.CRM\.(\w+AttributeMetadata)$/;

function tableByKey(catalog: Catalog, key: string): TableStore {
  const byName = /^LogicalName='([^']*)'$/.exec(key);
  const found = byName
    ? catalog.table(byName[1] ?? '')
    : catalog.tables().find((t) => (entityDoc(t.model.def).MetadataId as string) === key.toLowerCase());
  if (!found) throw new MetadataNotFound(`Could not find entity with ${byName ? `name '${byName[1]}'` : `id '${key}'`}.`);
  return found;
}

/** Serves `EntityDefinitions…`; `path` starts with "EntityDefinitions". */
export function handleMetadata(catalog: Catalog, path: string, params: URLSearchParams, base: string): MetadataResult {
  const m = /^EntityDefinitions(?:\(([^)]*)\))?(?:\/Attributes(?:\(([^)]*)\))?(?:\/([\w.]+))?(?:\/(OptionSet|GlobalOptionSet))?)?$/.exec(path);
  if (!m) throw new MetadataNotFound(`Resource not found for the segment '${path}'.`);
  const [, entityKey, attrKey, castSeg, optionSetSeg] = m;
  const isAttributes = path.includes('/Attributes');
  const q = parseQueryOptions(params);
  let cast: string | undefined;
  if (castSeg) {
    const cm = CAST_RE.exec(castSeg);
    if (!cm || cm[1] === 'EnumAttributeMetadata' || !Object.values(KIND_INFO).some((i) => i.cast === cm[1])) {
      throw new QueryOptionError(`The type '${castSeg}' is not a valid cast for the Attributes collection.`);
    }
    cast = cm[1];
  }
  const ctx = `${base}/$metadata#`;
  if (!isAttributes) {
    const stores = entityKey === undefined ? catalog.tables() : [tableByKey(catalog, entityKey)];
    const attrsExpand = q.expand.find((e) => e.name === 'Attributes');
    let docs: Json[] = stores.map((s) => {
      const d = entityDoc(s.model.def);
      if (attrsExpand) {
        const inner = new URLSearchParams(Object.entries(attrsExpand.options));
        const iq = parseQueryOptions(inner);
        d.Attributes = applySelectFilter(attributeDocs(s, undefined, iq.expand), iq.select, iq.filter, propsOfCast(undefined), 'AttributeMetadata');
      }
      return d;
    });
    docs = applySelectFilter(docs, q.select, q.filter, new Set([...ENTITY_PROPS, 'Attributes']), 'EntityMetadata');
    const sel = q.select ? `(${q.select.join(',')})` : '';
    if (entityKey === undefined) return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions${sel}`, value: docs } };
    return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions${sel}/$entity`, ...docs[0] } };
  }
  const store = tableByKey(catalog, entityKey ?? '');
  let docs = attributeDocs(store, cast, q.expand);
  if (attrKey !== undefined) {
    const name = /^LogicalName='([^']*)'$/.exec(attrKey)?.[1];
    docs = docs.filter((d) => (name !== undefined ? d.LogicalName === name : d.MetadataId === attrKey.toLowerCase()));
    if (docs.length === 0) throw new MetadataNotFound(`Could not find attribute '${attrKey}' on entity '${store.model.def.logicalName}'.`);
    if (!cast) docs = [{ ...docs[0], ...castProperties(store.columns.find((c) => c.logicalName === docs[0]?.LogicalName) as ColumnDef) }];
    if (optionSetSeg) {
      const col = store.columns.find((c) => c.logicalName === docs[0]?.LogicalName);
      const os = col ? optionSetDoc(store.model.def.logicalName, col) : null;
      if (!os) throw new MetadataNotFound('No option set.');
      return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions('${store.model.def.logicalName}')/Attributes/${optionSetSeg}/$entity`, ...os } };
    }
    const one = applySelectFilter(docs, q.select, undefined, propsOfCast(cast ?? String(docs[0]?.['@odata.type']).replace('#Microsoft.Dynamics.CRM.', '')), cast ?? 'AttributeMetadata')[0];
    return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions('${store.model.def.logicalName}')/Attributes/$entity`, ...one } };
  }
  docs = applySelectFilter(docs, q.select, q.filter, propsOfCast(cast), cast ?? 'AttributeMetadata');
  const sel = q.select ? `(${q.select.join(',')})` : '';
  const castCtx = cast ? `/Microsoft.Dynamics.CRM.${cast}` : '';
  return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions('${store.model.def.logicalName}')/Attributes${castCtx}${sel}`, value: docs } };
}

/**
 * Serves `RetrieveMetadataChanges[(Query=@alias)]`: `params` is the text between the parentheses (percent-encoded or
 * not), `aliases` the query string holding the alias. The ServerVersionStamp is the metadata version and the time.
 */
export function handleMetadataChanges(catalog: Catalog, params: string, aliases: URLSearchParams, base: string, nowMs: number): Json {
  let decoded = params;
  try {
    decoded = decodeURIComponent(params);
  } catch {
    // not percent-encoded: used as it is
  }
  const text = metadataChangesQueryText(decoded, aliases);
  const query = text === undefined ? ALL_METADATA : parseEntityQuery(text);
  const tables = catalog.tables().map((s) => ({ def: s.model.def, columns: s.columns }));
  const stamp = encodeDeltaToken({ version: catalog.metadataVersion, issuedMs: Math.floor(nowMs / 1000) * 1000 });
  return metadataChangesResponse(tables, query, base, stamp);
}
