/**
 * The classification of `AttributeTypeName.Value` (architecture.md §3, the contract). Never `AttributeType`: it shows
 * multi-select choices, images and files as `Virtual`.
 */
import type { OurType } from './table-definition.ts';

/** What to do with a Dataverse attribute type. */
export type TypeClass = { sync: true; ourType: OurType } | { sync: false; reason: string };

/** Every synced `AttributeTypeName.Value` and its type. */
export const SYNCED_TYPES: Readonly<Record<string, OurType>> = {
  DecimalType: 'number',
  IntegerType: 'number',
  BigIntType: 'number',
  DoubleType: 'number',
  MoneyType: 'amount',
  StringType: 'string',
  MemoType: 'string',
  UniqueidentifierType: 'string',
  PicklistType: 'picklist',
  StateType: 'picklist',
  StatusType: 'picklist',
  MultiSelectPicklistType: 'multipicklist',
  BooleanType: 'bool',
  DateTimeType: 'date',
  LookupType: 'reference',
  CustomerType: 'reference',
  OwnerType: 'reference',
};

/** The documented types we do not sync, with the reason discovery reports. */
export const SKIPPED_TYPES: Readonly<Record<string, string>> = {
  VirtualType: 'virtual column: not stored, not queryable',
  ImageType: 'image column: binary content is not synced',
  FileType: 'file column: binary content is not synced',
  CalendarRulesType: 'calendar rules: not exposed as a Web API property',
  PartyListType: 'party list: a collection, not a column value',
  ManagedPropertyType: 'managed property: solution metadata, not data',
  EntityNameType: 'entity name: internal type code, not synced',
};

/**
 * Classifies an `AttributeTypeName.Value`: a synced type with our type, or a skip with its reason. Unknown and
 * future types (e.g. `CustomType`) are skipped rather than guessed.
 */
export function classifyAttributeType(typeName: string): TypeClass {
  const ourType = Object.hasOwn(SYNCED_TYPES, typeName) ? SYNCED_TYPES[typeName] : undefined;
  if (ourType !== undefined) return { sync: true, ourType };
  const reason = Object.hasOwn(SKIPPED_TYPES, typeName) ? SKIPPED_TYPES[typeName] : undefined;
  return { sync: false, reason: reason ?? `unknown attribute type "${typeName}": not synced` };
}
