/**
 * The `EntityQueryExpression` of `RetrieveMetadataChanges` (metadata-changes.ts), parsed and checked: which entity
 * and attribute properties may be requested or filtered on (those of the documents EntityDefinitions serves,
 * metadata-docs.ts), conditions, filters and the label query. What it cannot run is a 400 naming it. Pure.
 */
import { attributeDoc, entityDoc, optionSetDoc } from './metadata-docs.ts';
import { QueryOptionError } from './query-options.ts';
import { KIND_INFO, type ColumnDef, type ColumnKind, type TableDef } from './schema.ts';

export type Json = Record<string, unknown>;

/** Dataverse's InvalidArgument code: the 400 of a query the function cannot run. */
export const INVALID_ARGUMENT = '0x80040203';

/** A table as the function describes it: its definition and its current columns. */
export interface MetadataTable {
  readonly def: TableDef;
  readonly columns: readonly ColumnDef[];
}

type ConditionOperator = 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'GreaterThan' | 'LessThan';
export type Scalar = string | number | boolean;

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
export const ALWAYS = new Set(['MetadataId', 'LogicalName', 'HasChanged']);

/** The query of a call without `Query`: every table with every property. */
export const ALL_METADATA: EntityQuery = { properties: { all: true, names: new Set() } };

const CHOICE_KINDS: ReadonlySet<ColumnKind> = new Set(['Picklist', 'MultiSelectPicklist', 'State', 'Status', 'Boolean']);

export function invalid(message: string): QueryOptionError {
  return new QueryOptionError(message, INVALID_ARGUMENT);
}

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The text of a number written with `JSON.rawJSON` (int64 limits), else undefined. */
export function rawNumberText(v: unknown): string | undefined {
  return (JSON as unknown as { isRawJSON(v: unknown): boolean }).isRawJSON(v) ? String((v as { rawJSON: string }).rawJSON) : undefined;
}

/** The complex type of a column in `EntityMetadata[].Attributes` (undefined for the base type). */
export function complexType(kind: ColumnKind): string | undefined {
  const cast = KIND_INFO[kind].cast;
  return cast === 'AttributeMetadata' ? undefined : `Complex${cast}`;
}

/** Every property of a column's complex attribute type, filled (OptionSet for the choice kinds). */
export function fullAttribute(t: TableDef, c: ColumnDef, columnNumber: number): Json {
  const { '@odata.type': _type, ...doc } = attributeDoc(t, c, columnNumber);
  if (CHOICE_KINDS.has(c.kind)) doc.OptionSet = optionSetDoc(t.logicalName, c);
  return doc;
}

/** Every property of a table's complex entity type, filled (`Attributes` apart). */
export function fullEntity(t: TableDef): Json {
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
