/**
 * `RetrieveMetadataChanges(Query=@p1)`: the function's `EntityQueryExpression` (JSON in a parameter alias) and its
 * `RetrieveMetadataChangesResponse`, over the same documents EntityDefinitions serves (metadata-docs.ts). Served
 * subset: entity `Properties` and `Criteria` (conditions `Equals`, `NotEquals`, `In`, `NotIn`, `GreaterThan`,
 * `LessThan` on simple, enum and managed properties, `And`/`Or`, nested `Filters`), `AttributeQuery` (its `Properties`
 * and `Criteria`) and `LabelQuery` (`FilterLanguages`, `MissingLabelBehavior`). Every property of an entity and of an
 * attribute's complex type is present; the ones not requested are null (MetadataId, LogicalName and HasChanged are
 * always filled). Anything else (relationship and key queries, `ClientVersionStamp`, conditions on collections or
 * labels, unknown properties) is refused with a 400 (the query is parsed by metadata-query.ts). Pure.
 */
import { ALWAYS, complexType, fullAttribute, fullEntity, invalid, isObject, rawNumberText, type EntityQuery, type Json, type MetadataCondition, type MetadataFilter, type MetadataProperties, type MetadataTable, type Scalar } from './metadata-query.ts';

/** The value a condition compares: the property, or its `Value` for managed properties and enum wrappers. */
function conditionSubject(doc: Json, property: string): Scalar | null {
  const v = doc[property];
  const inner = rawNumberText(v) ?? (isObject(v) ? v.Value : v);
  return typeof inner === 'string' || typeof inner === 'number' || typeof inner === 'boolean' ? inner : null;
}

function matchesCondition(doc: Json, c: MetadataCondition): boolean {
  const subject = conditionSubject(doc, c.property);
  const same = (v: Scalar) => subject !== null && (typeof subject === 'string' && typeof v === 'string' ? subject.toLowerCase() === v.toLowerCase() : subject === v);
  switch (c.operator) {
    case 'Equals':
    case 'In':
      return c.values.some(same);
    case 'NotEquals':
    case 'NotIn':
      return !c.values.some(same);
    case 'GreaterThan':
      return subject !== null && Number(subject) > Number(c.values[0]);
    case 'LessThan':
      return subject !== null && Number(subject) < Number(c.values[0]);
  }
}

/** Whether `doc` passes `filter` (no filter: every item). */
export function matchesFilter(doc: Json, filter: MetadataFilter | undefined): boolean {
  if (!filter) return true;
  const results = [...filter.conditions.map((c) => matchesCondition(doc, c)), ...filter.filters.map((f) => matchesFilter(doc, f))];
  if (results.length === 0) return true;
  return filter.operator === 'And' ? results.every(Boolean) : results.some(Boolean);
}

/** Every property of `doc`, the ones not requested set to null. */
function project(doc: Json, properties: MetadataProperties): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(doc)) out[key] = properties.all || properties.names.has(key) || ALWAYS.has(key) ? value : null;
  return out;
}

/** A Label reduced to `languages` (the user label too, unless the base label is asked for when it is missing). */
function filterLabel(label: Json, languages: ReadonlySet<number>, returnBaseLabel: boolean): Json {
  const all = Array.isArray(label.LocalizedLabels) ? label.LocalizedLabels : [];
  const kept = all.filter((l) => isObject(l) && languages.has(Number(l.LanguageCode)));
  const user = label.UserLocalizedLabel;
  const userKept = isObject(user) && (languages.has(Number(user.LanguageCode)) || returnBaseLabel) ? user : null;
  return { ...label, LocalizedLabels: kept.length > 0 || !returnBaseLabel ? kept : all, UserLocalizedLabel: userKept };
}

/** `value` with every Label in it reduced to the query's languages. */
function filterLabels(value: unknown, labels: NonNullable<EntityQuery['labels']>, languages: ReadonlySet<number>): unknown {
  if (Array.isArray(value)) return value.map((v) => filterLabels(v, labels, languages));
  if (!isObject(value)) return value;
  if (Array.isArray(value.LocalizedLabels)) return filterLabel(value, languages, labels.returnBaseLabel);
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) out[k] = filterLabels(v, labels, languages);
  return out;
}

function attributeItems(table: MetadataTable, query: EntityQuery): Json[] {
  const properties = query.attributes?.properties ?? { all: true, names: new Set<string>() };
  const items: Json[] = [];
  table.columns.forEach((c, n) => {
    const full = { ...fullAttribute(table.def, c, n + 1), HasChanged: null };
    if (!matchesFilter(full, query.attributes?.criteria)) return;
    const type = complexType(c.kind);
    items.push({ ...(type ? { '@odata.type': `#Microsoft.Dynamics.CRM.${type}` } : {}), ...project(full, properties) });
  });
  return items;
}

function entityItem(table: MetadataTable, query: EntityQuery): Json {
  const wantsAttributes = query.properties.all || query.properties.names.has('Attributes');
  const item = { ...project({ ...fullEntity(table.def), HasChanged: null }, query.properties), Attributes: wantsAttributes ? attributeItems(table, query) : null };
  if (!query.labels || query.labels.languages.length === 0) return item;
  return filterLabels(item, query.labels, new Set(query.labels.languages)) as Json;
}

/**
 * The `RetrieveMetadataChangesResponse` body of `query` over `tables` (in their order); `base` is the service root
 * and `versionStamp` the `ServerVersionStamp`.
 */
export function metadataChangesResponse(tables: readonly MetadataTable[], query: EntityQuery, base: string, versionStamp: string): Json {
  const matching = tables.filter((t) => matchesFilter({ ...fullEntity(t.def), HasChanged: null }, query.criteria));
  return {
    '@odata.context': `${base}/$metadata#Microsoft.Dynamics.CRM.RetrieveMetadataChangesResponse`,
    ServerVersionStamp: versionStamp,
    DeletedMetadata: { Count: 0, IsReadOnly: false, Keys: [], Values: [] },
    EntityMetadata: matching.map((t) => entityItem(t, query)),
  };
}

/**
 * The parameters of `RetrieveMetadataChanges(<params>)` resolved through their aliases: the `Query` text, or
 * undefined when there is none. Throws {@link QueryOptionError} for parameters other than `Query`, for a Query given
 * inline rather than as an alias, and for an alias that is not in the query string.
 */
export function metadataChangesQueryText(params: string, aliases: URLSearchParams): string | undefined {
  if (params.trim() === '') return undefined;
  let text: string | undefined;
  for (const part of params.split(',')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name !== 'Query') throw invalid(`The parameter '${name}' of RetrieveMetadataChanges is not supported by this simulator (only Query).`);
    if (!value.startsWith('@')) throw invalid('Pass the Query of RetrieveMetadataChanges as a parameter alias: RetrieveMetadataChanges(Query=@p1)?@p1=<URL-encoded JSON>.');
    const aliased = aliases.get(value);
    if (aliased === null) throw invalid(`The parameter alias '${value}' has no value in the query string.`);
    text = aliased;
  }
  return text;
}
