/**
 * The metadata requests needed to discover one table's columns, as data: the I/O layer GETs each path (relative
 * to `apiBase`) and hands the bodies, keyed by `key`, to `parseAttributes`. Type-specific properties are only
 * returned by casting the `Attributes` collection, one cast per derived type (no cast to EnumAttributeMetadata).
 */
import { SyncError } from '../../shared/errors.ts';
import { LOGICAL_NAME, collectionItems, valueOf } from './metadata-reader.ts';

/** Identifies one metadata request of a table. */
export type AttributeQueryKey =
  | 'attributes'
  | 'picklist'
  | 'multiselect'
  | 'state'
  | 'status'
  | 'boolean'
  | 'datetime'
  | 'decimal'
  | 'money'
  | 'lookup';

/** One metadata GET: `path` is relative to `apiBase` and already URL-encoded. */
export interface AttributeQuery {
  key: AttributeQueryKey;
  path: string;
}

/** The cast keys, i.e. every key but `attributes`; `parseAttributes` takes their bodies. */
export type CastKey = Exclude<AttributeQueryKey, 'attributes'>;

/** Base query: every attribute, unfiltered, so children and unreadable columns can be reported as skipped. */
const BASE_SELECT =
  'LogicalName,SchemaName,AttributeType,AttributeTypeName,AttributeOf,IsValidForRead,IsPrimaryId,IsPrimaryName,IsLogical,IsCustomAttribute';

const OPTIONS = '$select=LogicalName&$expand=OptionSet,GlobalOptionSet';

/** The cast and query string of each type-specific request. */
export const CAST_QUERIES: Readonly<Record<CastKey, { cast: string; query: string }>> = {
  picklist: { cast: 'PicklistAttributeMetadata', query: OPTIONS },
  multiselect: { cast: 'MultiSelectPicklistAttributeMetadata', query: OPTIONS },
  state: { cast: 'StateAttributeMetadata', query: OPTIONS },
  status: { cast: 'StatusAttributeMetadata', query: OPTIONS },
  boolean: { cast: 'BooleanAttributeMetadata', query: '$select=LogicalName&$expand=OptionSet' },
  datetime: { cast: 'DateTimeAttributeMetadata', query: '$select=LogicalName,DateTimeBehavior,Format' },
  decimal: { cast: 'DecimalAttributeMetadata', query: '$select=LogicalName,Precision' },
  money: { cast: 'MoneyAttributeMetadata', query: '$select=LogicalName,Precision,PrecisionSource' },
  lookup: { cast: 'LookupAttributeMetadata', query: '$select=LogicalName,Targets' },
};

/**
 * The requests (base plus one per cast, in a fixed order) that describe table `logicalName`, e.g.
 * `EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?...`.
 * Throws `CONFIG_INVALID` when `logicalName` is not a Dataverse logical name (it is spliced into the path).
 */
export function attributeQueries(logicalName: string): AttributeQuery[] {
  if (!LOGICAL_NAME.test(logicalName)) {
    throw new SyncError('CONFIG_INVALID', `"${logicalName}" is not a Dataverse table logical name`);
  }
  const base = `EntityDefinitions(LogicalName='${logicalName}')/Attributes`;
  const queries: AttributeQuery[] = [{ key: 'attributes', path: `${base}?$select=${BASE_SELECT}` }];
  for (const key of Object.keys(CAST_QUERIES) as CastKey[]) {
    const { cast, query } = CAST_QUERIES[key];
    queries.push({ key, path: `${base}/Microsoft.Dynamics.CRM.${cast}?${query}` });
  }
  return queries;
}

/**
 * The `AttributeTypeName` values each cast reads properties of. Money is never needed: every Money value has scale 4
 * whatever the column's precision (attributes.ts), so its cast would be read for nothing.
 */
export const CAST_TYPES: Readonly<Record<CastKey, readonly string[]>> = {
  picklist: ['PicklistType'],
  multiselect: ['MultiSelectPicklistType'],
  state: ['StateType'],
  status: ['StatusType'],
  boolean: ['BooleanType'],
  datetime: ['DateTimeType'],
  decimal: ['DecimalType'],
  money: [],
  lookup: ['LookupType', 'CustomerType', 'OwnerType'],
};

/**
 * The cast requests of table `logicalName` that its base `Attributes` body (the first of {@link attributeQueries})
 * makes necessary: one per type it has columns of, so a table of text and dates costs two or three requests instead
 * of ten. Throws `DATAVERSE_PAYLOAD_INVALID` when the body is not an OData collection.
 */
export function castQueriesFor(logicalName: string, baseBody: unknown): AttributeQuery[] {
  const present = new Set(collectionItems(baseBody, 'Attributes').map((item) => valueOf(item, 'AttributeTypeName')));
  return attributeQueries(logicalName).filter((q) => q.key !== 'attributes' && CAST_TYPES[q.key].some((t) => present.has(t)));
}
