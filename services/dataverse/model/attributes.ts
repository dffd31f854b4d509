/**
 * Column discovery: attribute items with their type-specific details (from the base `Attributes` body plus the cast
 * bodies of attribute-queries.ts, or from a RetrieveMetadataChanges entity, metadata-changes.ts) → synced columns and
 * skipped columns with reasons; and the assembly of a {@link TableDefinition}.
 */
import { readAttributeDetails, type AttributeDetails, type CastBodies } from './attribute-details.ts';
import { classifyAttributeType } from './column-types.ts';
import { bool, collectionItems, LOGICAL_NAME, payloadInvalid, str, valueOf, type JsonObject } from './metadata-reader.ts';
import type { ColumnDefinition, SkippedColumn, TableDefinition, TableSummary } from './table-definition.ts';

export type { CastBodies } from './attribute-details.ts';

/** The columns of one table, as discovered. */
export interface ParsedAttributes {
  /** Synced columns: primary id first, then sorted by logical name. */
  columns: ColumnDefinition[];
  /** Skipped columns, sorted by logical name. */
  skipped: SkippedColumn[];
}

/** Total digits of every Money value (architecture.md §3: decimal(38,4)). */
export const MONEY_PRECISION = 38;
/** Decimals of every Money value, whatever the column's display precision (Dataverse stores 4). */
export const MONEY_SCALE = 4;
/** Total digits of every Decimal column's Avro decimal; the scale comes from the column's metadata. */
export const DECIMAL_PRECISION = 38;
/** Largest Decimal scale accepted from metadata (Dataverse allows 0..10). */
export const MAX_DECIMAL_SCALE = 18;

type Built = { column: ColumnDefinition } | { skip: string };

function build(name: string, dataverseType: string, isPrimaryId: boolean, d: AttributeDetails | undefined): Built {
  const cls = classifyAttributeType(dataverseType);
  if (!cls.sync) return { skip: cls.reason };
  const column: ColumnDefinition = { logicalName: name, dataverseType, ourType: cls.ourType, wireName: name, isPrimaryId };
  switch (dataverseType) {
    case 'DecimalType': {
      const scale = d?.precision;
      if (scale === undefined) return { skip: 'decimal precision missing from DecimalAttributeMetadata' };
      if (scale < 0 || scale > MAX_DECIMAL_SCALE) return { skip: `unsupported decimal precision ${scale}` };
      return { column: { ...column, precision: DECIMAL_PRECISION, scale } };
    }
    case 'MoneyType':
      return { column: { ...column, precision: MONEY_PRECISION, scale: MONEY_SCALE } };
    case 'DateTimeType': {
      const behaviour = d?.dateTimeBehavior;
      if (behaviour === undefined) return { skip: 'date-time behaviour missing from DateTimeAttributeMetadata' };
      return { column: { ...column, dateOnly: behaviour === 'DateOnly', dateTimeBehavior: behaviour } };
    }
    case 'PicklistType':
    case 'StateType':
    case 'StatusType':
    case 'MultiSelectPicklistType':
    case 'BooleanType':
      return { column: { ...column, options: d?.options ?? {} } };
    case 'LookupType':
    case 'CustomerType':
    case 'OwnerType':
      return { column: { ...column, wireName: `_${name}_value`, targets: d?.targets ?? [] } };
    default:
      return { column };
  }
}

const byName = (a: { logicalName: string }, b: { logicalName: string }): number =>
  a.logicalName < b.logicalName ? -1 : a.logicalName > b.logicalName ? 1 : 0;

/**
 * Parses the base `Attributes` body and the cast bodies of one table. Skips, with a stated reason: `AttributeOf`
 * children, columns not valid for read, invalid logical names, Virtual/Image/File/CalendarRules/PartyList/
 * ManagedProperty/EntityName and unknown types, DateTime columns without a behaviour and Decimal columns without
 * a precision in their cast body (guessing would change their meaning). Duplicate logical names keep the first.
 * Throws `DATAVERSE_PAYLOAD_INVALID` when a body is not an OData collection.
 */
export function parseAttributes(body: unknown, casts: CastBodies): ParsedAttributes {
  return parseAttributeItems(collectionItems(body, 'Attributes'), readAttributeDetails(casts));
}

/**
 * Parses attribute items with the type-specific details of each column (by logical name), with the rules of
 * {@link parseAttributes}.
 */
export function parseAttributeItems(items: readonly JsonObject[], details: ReadonlyMap<string, AttributeDetails>): ParsedAttributes {
  const columns: ColumnDefinition[] = [];
  const skipped: SkippedColumn[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const logicalName = str(item, 'LogicalName');
    if (logicalName === undefined || seen.has(logicalName)) continue;
    seen.add(logicalName);
    const typeName = valueOf(item, 'AttributeTypeName');
    const dataverseType = typeName ?? str(item, 'AttributeType') ?? 'unknown';
    const attributeOf = str(item, 'AttributeOf');
    let reason: string | undefined;
    if (!LOGICAL_NAME.test(logicalName)) reason = 'not a valid logical name';
    else if (attributeOf !== undefined) reason = `child of ${attributeOf}: its value travels with the parent column`;
    else if (!bool(item, 'IsValidForRead', true)) reason = 'not valid for read';
    else if (typeName === undefined) reason = 'AttributeTypeName missing';
    if (reason !== undefined) {
      skipped.push({ logicalName, dataverseType, reason });
      continue;
    }
    const built = build(logicalName, dataverseType, bool(item, 'IsPrimaryId', false), details.get(logicalName));
    if ('skip' in built) skipped.push({ logicalName, dataverseType, reason: built.skip });
    else columns.push(built.column);
  }
  columns.sort((a, b) => (a.isPrimaryId !== b.isPrimaryId ? (a.isPrimaryId ? -1 : 1) : byName(a, b)));
  return { columns, skipped: skipped.sort(byName) };
}

/**
 * Assembles a table definition. The primary key is `table.primaryIdAttribute` (the `IsPrimaryId` flags of the
 * columns are recomputed from it) and goes first. Throws `DATAVERSE_PAYLOAD_INVALID` when that column is not
 * among the synced columns or is not a `UniqueidentifierType` (records could not be keyed).
 */
export function buildTableDefinition(table: TableSummary, attributes: ParsedAttributes): TableDefinition {
  const columns = attributes.columns.map((c) => ({ ...c, isPrimaryId: c.logicalName === table.primaryIdAttribute }));
  const primary = columns.find((c) => c.isPrimaryId);
  if (!primary || primary.dataverseType !== 'UniqueidentifierType') {
    throw payloadInvalid(`table ${table.logicalName}: primary id ${table.primaryIdAttribute} is not a readable unique identifier`, {
      table: table.logicalName,
    });
  }
  columns.sort((a, b) => (a.isPrimaryId !== b.isPrimaryId ? (a.isPrimaryId ? -1 : 1) : byName(a, b)));
  return { ...table, columns, skipped: [...attributes.skipped] };
}
