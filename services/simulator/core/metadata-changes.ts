/**
 * `RetrieveMetadataChanges(Query=@p1)`: the function's `EntityQueryExpression` (JSON in a parameter alias) and its
 * `RetrieveMetadataChangesResponse`, over the same documents EntityDefinitions serves (metadata-docs.ts). Served
 * subset: entity `Properties` and `Criteria` (conditions `Equals`, `NotEquals`, `In`, `NotIn`, `GreaterThan`,
 * `LessThan` on simple, enum and managed properties, `And`/`Or`, nested `Filters`), `AttributeQuery` (its `Properties`
 * and `Criteria`) and `LabelQuery` (`FilterLanguages`, `MissingLabelBehavior`). Every property of an entity and of an
 * attribute's complex type is present; the ones not requested are null (MetadataId, LogicalName and HasChanged are
 * always filled). Anything else (relationship and key queries, `ClientVersionStamp`, conditions on collections or
 * labels, unknown properties) is refused with a 400. Pure.
 */
import { attributeDoc, entityDoc, optionSetDoc } from './metadata-docs.ts';
import { QueryOptionError } from './query-options.ts';
import { KIND_INFO, type ColumnDef, type ColumnKind, type TableDef } from './schema.ts';

type Json = Record<string, unknown>;

/** Dataverse's InvalidArgument code: the 400 of a query the function cannot run. */
export const INVALID_ARGUMENT = '0x80040203';

/** A table as the function describes it: its definition and its current columns. */
export interface MetadataTable {
  readonly def: TableDef;
  readonly columns: readonly ColumnDef[];
}

type ConditionOperator = 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'GreaterThan' | 'LessThan';
type Scalar = string | number | boolean;

/** One `MetadataConditionExpression`. */
export interface MetadataCondition {
  readonly property: string;
  readonly operator: ConditionOperator;
  /** One value, or the list of `In`/`NotIn`. */
  readonly values: readonly Scalar[];
}

/** A `MetadataFilterExpression`. */
export interface MetadataFilter {
  readonly operator: 'And' | 'Or';
  readonly conditions: readonly MetadataCondition[];
  readonly filters: readonly MetadataFilter[];
}

/** A `MetadataPropertiesExpression`. */
export interface MetadataProperties {
  readonly all: boolean;
  readonly names: ReadonlySet<string>;
}

/** The parsed `EntityQueryExpression`. */
export interface EntityQuery {
  readonly properties: MetadataProperties;
  readonly criteria?: MetadataFilter;
  readonly attributes?: { readonly properties: MetadataProperties; readonly criteria?: MetadataFilter };
  readonly labels?: { readonly languages: readonly number[]; readonly returnBaseLabel: boolean };
}

/** Properties every metadata item carries whatever was requested. */
const ALWAYS = new Set(['MetadataId', 'LogicalName', 'HasChanged']);

/** The query of a call without `Query`: every table with every property. */
export const ALL_METADATA: EntityQuery = { properties: { all: true, names: new Set() } };

const CHOICE_KINDS: ReadonlySet<ColumnKind> = new Set(['Picklist', 'MultiSelectPicklist', 'State', 'Status', 'Boolean']);

function invalid(message: string): QueryOptionError {
  return new QueryOptionError(message, INVALID_ARGUMENT);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The text of a number written with `JSON.rawJSON` (int64 limits), else undefined. */
function rawNumberText(v: unknown): string | undefined {
  return (JSON as unknown as { isRawJSON(v: unknown): boolean }).isRawJSON(v) ? String((v as { rawJSON: string }).rawJSON) : undefined;
}

/** The complex type of a column in `EntityMetadata[].Attributes` (undefined for the base type). */
function complexType(kind: ColumnKind): string | undefined {
  const cast = KIND_INFO[kind].cast;
  return cast === 'AttributeMetadata' ? undefined : `Complex${cast}`;
}

/** Every property of a column's complex attribute type, filled (OptionSet for the choice kinds). */
function fullAttribute(t: TableDef, c: ColumnDef, columnNumber: number): Json {
  const { '@odata.type': _type, ...doc } = attributeDoc(t, c, columnNumber);
  if (CHOICE_KINDS.has(c.kind)) doc.OptionSet = optionSetDoc(t.logicalName, c);
  return doc;
}

/** Every property of a table's complex entity type, filled (`Attributes` apart). */
function fullEntity(t: TableDef): Json {
  return entityDoc(t);
}

const SAMPLE_TABLE: TableDef = {
  logicalName: 'x', entitySetName: 'xs', displayName: 'X', displayCollectionName: 'Xs', primaryId: 'xid', primaryName: 'name',
  changeTracking: false, custom: false, ownership: 'UserOwned', objectTypeCode: 0, rows: () => 0, columns: [],
};

/** How a property can be used in a condition: by its value, by its `Value` (managed, enum wrappers), or not at all. */
type PropertyUse = 'simple' | 'wrapped' | 'collection' | 'label' | 'complex';

function useOf(value: unknown): PropertyUse | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return 'collection';
  if (!isObject(value) || rawNumberText(value) !== undefined) return 'simple';
  if ('LocalizedLabels' in value) return 'label';
  return 'Value' in value && !isObject(value.Value) ? 'wrapped' : 'complex';
}

/** The properties of a set of sample documents and how conditions may use them. */
function propertyUses(docs: readonly Json[], extra: Readonly<Record<string, PropertyUse>>): ReadonlyMap<string, PropertyUse> {
  const uses = new Map<string, PropertyUse>(Object.entries(extra));
  for (const doc of docs) {
    for (const [key, value] of Object.entries(doc)) {
      const use = useOf(value);
      if (use !== undefined || !uses.has(key)) uses.set(key, use ?? uses.get(key) ?? 'simple');
    }
  }
  return uses;
}

const ENTITY_USES = propertyUses([fullEntity(SAMPLE_TABLE)], { Attributes: 'collection', HasChanged: 'simple' });

const ATTRIBUTE_USES = propertyUses(
  (Object.keys(KIND_INFO) as ColumnKind[]).map((kind) =>
    fullAttribute(SAMPLE_TABLE, { logicalName: 'x', kind, displayName: 'X', options: [{ value: 1, label: 'One' }], targets: ['x'] }, 1),
  ),
  { HasChanged: 'simple' },
);

const OPERATORS: ReadonlySet<string> = new Set(['Equals', 'NotEquals', 'In', 'NotIn', 'GreaterThan', 'LessThan']);
const ENUM_TYPES: ReadonlySet<string> = new Set([
  'Microsoft.Xrm.Sdk.Metadata.AttributeRequiredLevel',
  'Microsoft.Xrm.Sdk.Metadata.AttributeTypeCode',
  'Microsoft.Xrm.Sdk.Metadata.AttributeTypeDisplayName',
  'Microsoft.Xrm.Sdk.Metadata.OwnershipTypes',
]);

/** The items of a `System.String[]` value: a JSON array or the documented `"['a','b']"` text. */
function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  const text = String(value).trim();
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return inner
    .split(',')
    .map((s) => s.trim().replace(/^'(.*)'$/s, '$1'))
    .filter((s) => s !== '');
}

/** A condition's `Value` (`{Type, Value}`) as scalars. */
function conditionValues(raw: unknown, property: string): Scalar[] {
  if (!isObject(raw) || typeof raw.Type !== 'string') throw invalid(`The condition on '${property}' needs a Value of the form {"Type": "System.String", "Value": "…"}.`);
  const { Type: type, Value: value } = raw;
  switch (type) {
    case 'System.String':
    case 'System.DateTime':
      return [String(value)];
    case 'System.Guid':
      return [String(value).toLowerCase()];
    case 'System.Boolean': {
      const text = String(value).toLowerCase();
      if (text !== 'true' && text !== 'false') throw invalid(`'${String(value)}' is not a System.Boolean value (condition on '${property}').`);
      return [text === 'true'];
    }
    case 'System.Int32': {
      const n = Number(value);
      if (!Number.isInteger(n)) throw invalid(`'${String(value)}' is not a System.Int32 value (condition on '${property}').`);
      return [n];
    }
    case 'System.String[]':
      return stringList(value);
    default:
      if (ENUM_TYPES.has(type)) return [String(value)];
      throw invalid(`The value type '${type}' of the condition on '${property}' is not supported.`);
  }
}

function parseCondition(raw: unknown, uses: ReadonlyMap<string, PropertyUse>, typeName: string): MetadataCondition {
  if (!isObject(raw) || typeof raw.PropertyName !== 'string') throw invalid(`A condition of the ${typeName} query has no PropertyName.`);
  const property = raw.PropertyName;
  const use = uses.get(property);
  if (use === undefined) throw invalid(`'${property}' is not a property of ${typeName}.`);
  if (use === 'collection' || use === 'label' || use === 'complex') {
    throw invalid(`The condition on '${property}' cannot be evaluated: conditions can use only simple, enumeration and managed properties of ${typeName}, not collections, labels or complex properties.`);
  }
  const operator = String(raw.ConditionOperator ?? '');
  if (!OPERATORS.has(operator)) throw invalid(`The condition operator '${operator}' is not one of ${[...OPERATORS].join(', ')}.`);
  const values = conditionValues(raw.Value, property);
  const isList = operator === 'In' || operator === 'NotIn';
  if (!isList && values.length !== 1) throw invalid(`The ${operator} condition on '${property}' takes one value.`);
  return { property, operator: operator as ConditionOperator, values };
}

function parseFilter(raw: unknown, uses: ReadonlyMap<string, PropertyUse>, typeName: string): MetadataFilter | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw invalid(`The Criteria of the ${typeName} query must be a MetadataFilterExpression object.`);
  const operator = raw.FilterOperator ?? 'And';
  if (operator !== 'And' && operator !== 'Or') throw invalid(`The FilterOperator '${String(operator)}' is not And or Or.`);
  const list = (v: unknown, what: string): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw invalid(`The ${what} of the ${typeName} Criteria must be an array.`);
    return v;
  };
  return {
    operator,
    conditions: list(raw.Conditions, 'Conditions').map((c) => parseCondition(c, uses, typeName)),
    filters: list(raw.Filters, 'Filters').map((f) => parseFilter(f, uses, typeName)).filter((f): f is MetadataFilter => f !== undefined),
  };
}

function parseProperties(raw: unknown, uses: ReadonlyMap<string, PropertyUse>, typeName: string): MetadataProperties {
  if (raw === undefined || raw === null) return { all: false, names: new Set() };
  if (!isObject(raw)) throw invalid(`The Properties of the ${typeName} query must be a MetadataPropertiesExpression object.`);
  const all = raw.AllProperties === true || String(raw.AllProperties).toLowerCase() === 'true';
  const names = raw.PropertyNames ?? [];
  if (!Array.isArray(names)) throw invalid(`PropertyNames of the ${typeName} query must be an array.`);
  for (const name of names) {
    if (typeof name !== 'string' || !uses.has(name)) throw invalid(`'${String(name)}' is not a property of ${typeName}.`);
  }
  return { all, names: new Set(names as string[]) };
}

function parseLabels(raw: unknown): EntityQuery['labels'] {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw invalid('The LabelQuery must be a LabelQueryExpression object.');
  const languages = raw.FilterLanguages ?? [];
  if (!Array.isArray(languages) || !languages.every((l) => Number.isInteger(Number(l)))) throw invalid('FilterLanguages of the LabelQuery must be an array of language codes.');
  const missing = Number(raw.MissingLabelBehavior ?? 0);
  if (missing !== 0 && missing !== 1) throw invalid(`MissingLabelBehavior ${String(raw.MissingLabelBehavior)} is not 0 or 1.`);
  return { languages: languages.map(Number), returnBaseLabel: missing === 1 };
}

const UNSUPPORTED_PARTS = ['RelationshipQuery', 'KeyQuery'];

/**
 * Parses the `EntityQueryExpression` JSON text. Throws {@link QueryOptionError} (400, InvalidArgument) naming the
 * problem: not JSON, an unknown property, a condition on a collection or label, an AttributeQuery without
 * `Attributes` among the entity properties, a relationship or key query.
 */
export function parseEntityQuery(text: string): EntityQuery {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid('The Query parameter is not a JSON EntityQueryExpression.');
  }
  if (!isObject(raw)) throw invalid('The Query parameter is not a JSON EntityQueryExpression object.');
  for (const part of UNSUPPORTED_PARTS) if (raw[part] !== undefined && raw[part] !== null) throw invalid(`${part} is not supported by this simulator.`);
  const properties = parseProperties(raw.Properties, new Map([...ENTITY_USES, ['Attributes', 'collection']]), 'EntityMetadata');
  const criteria = parseFilter(raw.Criteria, ENTITY_USES, 'EntityMetadata');
  let attributes: EntityQuery['attributes'];
  if (raw.AttributeQuery !== undefined && raw.AttributeQuery !== null) {
    if (!isObject(raw.AttributeQuery)) throw invalid('The AttributeQuery must be an AttributeQueryExpression object.');
    if (!properties.all && !properties.names.has('Attributes')) throw invalid('When AttributeQuery is used, Attributes must be one of the Properties of the EntityQueryExpression.');
    attributes = {
      properties: parseProperties(raw.AttributeQuery.Properties, ATTRIBUTE_USES, 'AttributeMetadata'),
      criteria: parseFilter(raw.AttributeQuery.Criteria, ATTRIBUTE_USES, 'AttributeMetadata'),
    };
  }
  return { properties, criteria, attributes, labels: parseLabels(raw.LabelQuery) };
}

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
