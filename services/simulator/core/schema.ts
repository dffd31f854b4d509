/**
 * The simulator's schema model: tables and columns as Dataverse describes them, plus how each column's values
 * are generated. Every Dataverse attribute type the sync maps (architecture.md §3) has a kind here, including
 * the unsyncable ones that only appear in metadata.
 */

/** Column kinds; `AttributeType`/`AttributeTypeName` and the metadata cast derive from it. */
export type ColumnKind =
  | 'Uniqueidentifier'
  | 'String'
  | 'Memo'
  | 'Integer'
  | 'BigInt'
  | 'Decimal'
  | 'Double'
  | 'Money'
  | 'Boolean'
  | 'Picklist'
  | 'State'
  | 'Status'
  | 'MultiSelectPicklist'
  | 'DateTime'
  | 'Lookup'
  | 'Customer'
  | 'Owner'
  | 'EntityName'
  | 'Virtual'
  | 'Image'
  | 'File'
  | 'ManagedProperty';

/** An internal value: strings (decimals and money as exact strings, DateOnly as YYYY-MM-DD, GUIDs lower-case),
 * numbers (DateTime as epoch ms, whole seconds), booleans, null. */
export type Value = string | number | boolean | null;

/** One choice of an option set. */
export interface OptionDef {
  readonly value: number;
  readonly label: string;
  /** For Status options: the statecode this status belongs to. */
  readonly state?: number;
}

/** What a generator may read besides its own hash. */
export interface GenContext {
  /** Epoch ms of the newest base row. */
  readonly anchorMs: number;
  /** Base row count of a table (0 when the table does not exist). */
  rowsOf(table: string): number;
  /** Id of row `index` of a table. */
  guidOf(table: string, index: number): string;
}

/**
 * Generates a column value from `h`, a 32-bit hash of (seed, table, column, index), and `row`, a hash of
 * (seed, table, index) shared by all columns of the row (for values that must agree, e.g. state and status).
 */
export type GenFn = (h: number, index: number, ctx: GenContext, row: number) => Value;

/** A column (attribute). */
export interface ColumnDef {
  readonly logicalName: string;
  readonly kind: ColumnKind;
  readonly displayName: string;
  /** Decimal/Money scale, Double precision. */
  readonly precision?: number;
  readonly maxLength?: number;
  readonly behavior?: 'UserLocal' | 'DateOnly' | 'TimeZoneIndependent';
  readonly options?: readonly OptionDef[];
  /** Option set name; global when `globalOptionSet` is true. */
  readonly optionSetName?: string;
  readonly globalOptionSet?: boolean;
  /** Lookup targets (logical names). */
  readonly targets?: readonly string[];
  /** Parent column for child attributes such as `owneridname`. */
  readonly attributeOf?: string;
  /** System-managed columns whose values come from the row layout, not a generator. */
  readonly system?: 'pk' | 'modifiedon' | 'createdon' | 'versionnumber';
  readonly custom?: boolean;
  readonly gen?: GenFn;
}

/** A table (entity). */
export interface TableDef {
  readonly logicalName: string;
  readonly entitySetName: string;
  readonly displayName: string;
  readonly displayCollectionName: string;
  readonly primaryId: string;
  readonly primaryName: string;
  readonly changeTracking: boolean;
  readonly custom: boolean;
  readonly ownership: 'UserOwned' | 'OrganizationOwned';
  readonly objectTypeCode: number;
  /** Base row count given the simulator's default `--rows`. */
  readonly rows: (defaultRows: number) => number;
  readonly columns: readonly ColumnDef[];
}

interface KindInfo {
  readonly attributeType: string;
  readonly typeName: string;
  readonly cast: string;
  /** Whether the column is a property of data rows. */
  readonly data: boolean;
}

/** Metadata facts per kind: AttributeType, AttributeTypeName.Value, metadata cast, presence in data. */
export const KIND_INFO: Readonly<Record<ColumnKind, KindInfo>> = {
  Uniqueidentifier: { attributeType: 'Uniqueidentifier', typeName: 'UniqueidentifierType', cast: 'UniqueIdentifierAttributeMetadata', data: true },
  String: { attributeType: 'String', typeName: 'StringType', cast: 'StringAttributeMetadata', data: true },
  Memo: { attributeType: 'Memo', typeName: 'MemoType', cast: 'MemoAttributeMetadata', data: true },
  Integer: { attributeType: 'Integer', typeName: 'IntegerType', cast: 'IntegerAttributeMetadata', data: true },
  BigInt: { attributeType: 'BigInt', typeName: 'BigIntType', cast: 'BigIntAttributeMetadata', data: true },
  Decimal: { attributeType: 'Decimal', typeName: 'DecimalType', cast: 'DecimalAttributeMetadata', data: true },
  Double: { attributeType: 'Double', typeName: 'DoubleType', cast: 'DoubleAttributeMetadata', data: true },
  Money: { attributeType: 'Money', typeName: 'MoneyType', cast: 'MoneyAttributeMetadata', data: true },
  Boolean: { attributeType: 'Boolean', typeName: 'BooleanType', cast: 'BooleanAttributeMetadata', data: true },
  Picklist: { attributeType: 'Picklist', typeName: 'PicklistType', cast: 'PicklistAttributeMetadata', data: true },
  State: { attributeType: 'State', typeName: 'StateType', cast: 'StateAttributeMetadata', data: true },
  Status: { attributeType: 'Status', typeName: 'StatusType', cast: 'StatusAttributeMetadata', data: true },
  MultiSelectPicklist: { attributeType: 'Virtual', typeName: 'MultiSelectPicklistType', cast: 'MultiSelectPicklistAttributeMetadata', data: true },
  DateTime: { attributeType: 'DateTime', typeName: 'DateTimeType', cast: 'DateTimeAttributeMetadata', data: true },
  Lookup: { attributeType: 'Lookup', typeName: 'LookupType', cast: 'LookupAttributeMetadata', data: true },
  Customer: { attributeType: 'Customer', typeName: 'CustomerType', cast: 'LookupAttributeMetadata', data: true },
  Owner: { attributeType: 'Owner', typeName: 'OwnerType', cast: 'LookupAttributeMetadata', data: true },
  EntityName: { attributeType: 'EntityName', typeName: 'EntityNameType', cast: 'EntityNameAttributeMetadata', data: false },
  Virtual: { attributeType: 'Virtual', typeName: 'VirtualType', cast: 'AttributeMetadata', data: false },
  Image: { attributeType: 'Virtual', typeName: 'ImageType', cast: 'ImageAttributeMetadata', data: false },
  File: { attributeType: 'Virtual', typeName: 'FileType', cast: 'FileAttributeMetadata', data: false },
  ManagedProperty: { attributeType: 'ManagedProperty', typeName: 'ManagedPropertyType', cast: 'ManagedPropertyAttributeMetadata', data: false },
};

/** True for Lookup, Customer and Owner columns (exposed in data as `_<name>_value`). */
export function isLookup(c: ColumnDef): boolean {
  return c.kind === 'Lookup' || c.kind === 'Customer' || c.kind === 'Owner';
}

/** The name of the column in data rows (`_x_value` for lookups), or undefined when it is not a data property. */
export function dataProperty(c: ColumnDef): string | undefined {
  if (!KIND_INFO[c.kind].data || c.attributeOf !== undefined) return undefined;
  return isLookup(c) ? `_${c.logicalName}_value` : c.logicalName;
}

/** The columns of a table that are data properties, in definition order. */
export function dataColumns(t: TableDef): ColumnDef[] {
  return t.columns.filter((c) => dataProperty(c) !== undefined);
}
