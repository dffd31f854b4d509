/**
 * The discovered metadata of a Dataverse table, in our terms. Produced by the pure parsers of this folder from
 * the Web API metadata bodies, consumed by the type mapping (Avro schema, row mapper) and the extractor
 * (`$select` list from `wireName`). Plain JSON-serialisable data.
 */

/** Our field type (architecture.md §3, column "Our type"). */
export type OurType = 'number' | 'amount' | 'string' | 'picklist' | 'multipicklist' | 'bool' | 'date' | 'reference';

/** `DateTimeAttributeMetadata.DateTimeBehavior.Value`. */
export type DateTimeBehavior = 'UserLocal' | 'DateOnly' | 'TimeZoneIndependent';

/** A table as listed by `EntityDefinitions`, before its columns are discovered. */
export interface TableSummary {
  /** e.g. `account`; also the Avro record name and the topic suffix. */
  logicalName: string;
  /** The collection segment of data URLs, e.g. `accounts` (not always logicalName + 's'). */
  entitySetName: string;
  /** The primary key column, e.g. `accountid`. */
  primaryIdAttribute: string;
  /** The primary name column, e.g. `name`; null for tables without one (some intersect tables). */
  primaryNameAttribute: string | null;
  changeTrackingEnabled: boolean;
  isIntersect: boolean;
  isPrivate: boolean;
  /** `Standard`, `Elastic`, `Virtual`, ...; null when the API version does not return it. */
  tableType: string | null;
}

/** One synced column. */
export interface ColumnDefinition {
  logicalName: string;
  /** `AttributeTypeName.Value`, e.g. `MoneyType`: the key of the mapping. */
  dataverseType: string;
  ourType: OurType;
  /** The property name in a JSON row: the logical name, or `_<name>_value` for lookups. Also what `$select` uses. */
  wireName: string;
  /** True for the table's primary key. */
  isPrimaryId: boolean;
  /** Decimal digits in total of the Avro decimal (38), for DecimalType and MoneyType only. */
  precision?: number;
  /** Digits after the point, for DecimalType (from metadata `Precision`) and MoneyType (always 4). */
  scale?: number;
  /** DateTimeType only: true for the DateOnly behaviour (Avro `date`), false otherwise (`timestamp-millis`). */
  dateOnly?: boolean;
  /** DateTimeType only: the behaviour; `TimeZoneIndependent` values are wall-clock times written with a `Z`. */
  dateTimeBehavior?: DateTimeBehavior;
  /** Choice-like columns (Picklist, State, Status, MultiSelect, Boolean): option value → label (user label). */
  options?: Readonly<Record<number, string>>;
  /** Lookup, Customer, Owner: the tables the reference may point at, sorted. */
  targets?: readonly string[];
}

/** A column that exists in metadata but is not synced, with why. */
export interface SkippedColumn {
  logicalName: string;
  /** `AttributeTypeName.Value` (or `AttributeType` when the name is missing). */
  dataverseType: string;
  reason: string;
}

/** A table with its discovered columns. */
export interface TableDefinition extends TableSummary {
  /** Synced columns: the primary id first, then the others sorted by logical name. */
  columns: ColumnDefinition[];
  /** Columns not synced, sorted by logical name. */
  skipped: SkippedColumn[];
}
