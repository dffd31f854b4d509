/**
 * Describing many tables per request with the `RetrieveMetadataChanges` function (a GET):
 * `RetrieveMetadataChanges(Query=@p1)?@p1=<URL-encoded EntityQueryExpression JSON>`. The query selects tables by
 * logical name (`Equals` conditions under `Or`) and asks for their `Attributes` with only the properties discovery
 * reads, base and type-specific alike (option sets, date-time behaviour, precision, targets): one request gives what
 * the base `Attributes` query and the cast queries give per table (attribute-queries.ts), and
 * {@link parseMetadataChanges} builds the same {@link TableDefinition}s from it. No `LabelQuery`: labels come in the
 * caller's language, as the per-table queries give them. Pure.
 */
import { SyncError } from '../../shared/errors.ts';
import { readItemDetails } from './attribute-details.ts';
import { buildTableDefinition, parseAttributeItems } from './attributes.ts';
import { isObject, LOGICAL_NAME, payloadInvalid, str, type JsonObject } from './metadata-reader.ts';
import type { TableDefinition, TableSummary } from './table-definition.ts';

/** Most tables one request describes. */
export const MAX_TABLES_PER_REQUEST = 50;
/**
 * Longest path (relative to `apiBase`) of one request: with the API base of any organisation (a bare origin plus
 * `/api/data/v9.2/`, under 300 characters) the URL stays under 8 KB, far below what Dataverse accepts.
 */
export const MAX_PATH_CHARS = 7_800;

/** The attribute properties discovery reads (the base query's and the casts'); MetadataId and LogicalName always come. */
export const ATTRIBUTE_PROPERTIES: readonly string[] = [
  'LogicalName',
  'AttributeType',
  'AttributeTypeName',
  'AttributeOf',
  'IsValidForRead',
  'IsPrimaryId',
  'OptionSet',
  'DateTimeBehavior',
  'Precision',
  'Targets',
];

/** One RetrieveMetadataChanges GET: `path` is relative to `apiBase` and URL-encoded; it describes `logicalNames`. */
export interface MetadataChangesRequest {
  path: string;
  logicalNames: string[];
}

/** What describing one table gave: its definition, or the error of that table alone. */
export type TableDescription = { logicalName: string; table: TableDefinition; error?: undefined } | { logicalName: string; table?: undefined; error: SyncError };

/** Limits of {@link metadataChangesRequests}. */
export interface MetadataChangesLimits {
  maxTables: number;
  maxPathChars: number;
}

/** The EntityQueryExpression describing `logicalNames`. */
function entityQuery(logicalNames: readonly string[]): JsonObject {
  return {
    Properties: { AllProperties: false, PropertyNames: ['Attributes'] },
    Criteria: {
      FilterOperator: 'Or',
      Conditions: logicalNames.map((name) => ({ ConditionOperator: 'Equals', PropertyName: 'LogicalName', Value: { Type: 'System.String', Value: name } })),
    },
    AttributeQuery: { Properties: { AllProperties: false, PropertyNames: ATTRIBUTE_PROPERTIES } },
  };
}

/** The path of one request describing `logicalNames`. */
export function metadataChangesPath(logicalNames: readonly string[]): string {
  return `RetrieveMetadataChanges(Query=@p1)?@p1=${encodeURIComponent(JSON.stringify(entityQuery(logicalNames)))}`;
}

/**
 * The requests describing `logicalNames` (duplicates once, in their order): as few as the limits allow, each of at most
 * `maxTables` tables and `maxPathChars` characters. Throws `CONFIG_INVALID` naming a name that is not a Dataverse
 * logical name (names are spliced into the query).
 */
export function metadataChangesRequests(
  logicalNames: readonly string[],
  limits: MetadataChangesLimits = { maxTables: MAX_TABLES_PER_REQUEST, maxPathChars: MAX_PATH_CHARS },
): MetadataChangesRequest[] {
  const requests: MetadataChangesRequest[] = [];
  let current: string[] = [];
  for (const name of new Set(logicalNames)) {
    if (!LOGICAL_NAME.test(name)) throw new SyncError('CONFIG_INVALID', `"${name}" is not a Dataverse table logical name`);
    const next = [...current, name];
    if (current.length > 0 && (next.length > limits.maxTables || metadataChangesPath(next).length > limits.maxPathChars)) {
      requests.push({ path: metadataChangesPath(current), logicalNames: current });
      current = [name];
    } else {
      current = next;
    }
  }
  if (current.length > 0) requests.push({ path: metadataChangesPath(current), logicalNames: current });
  return requests;
}

/** The `EntityMetadata` items of a response by logical name (the first of a name counts). */
function entitiesByName(body: unknown): Map<string, JsonObject> {
  if (!isObject(body) || !Array.isArray(body.EntityMetadata)) throw payloadInvalid('RetrieveMetadataChanges: expected an object with an "EntityMetadata" array');
  const entities = new Map<string, JsonObject>();
  for (const item of body.EntityMetadata) {
    const name = isObject(item) ? str(item, 'LogicalName') : undefined;
    if (name !== undefined && !entities.has(name)) entities.set(name, item as JsonObject);
  }
  return entities;
}

function describe(summary: TableSummary, entity: JsonObject | undefined): TableDescription {
  const logicalName = summary.logicalName;
  try {
    if (!entity) {
      throw new SyncError('DATAVERSE_NOT_FOUND', `table "${logicalName}" is not in Dataverse's metadata (RetrieveMetadataChanges returned no entity of that name)`, { details: { table: logicalName } });
    }
    if (!Array.isArray(entity.Attributes)) throw payloadInvalid(`RetrieveMetadataChanges: table ${logicalName} has no "Attributes" array`, { table: logicalName });
    const items = entity.Attributes.filter(isObject);
    return { logicalName, table: buildTableDefinition(summary, parseAttributeItems(items, readItemDetails(items))) };
  } catch (err) {
    if (err instanceof SyncError) return { logicalName, error: err };
    throw err;
  }
}

/**
 * The description of each of `summaries` (in their order) from a RetrieveMetadataChanges response: the definition
 * `buildTableDefinition(summary, parseAttributes(...))` gives from the per-table queries, or that table's own error
 * (`DATAVERSE_NOT_FOUND` when the response has no entity of its name, `DATAVERSE_PAYLOAD_INVALID` when its attributes
 * are missing or its primary id is not readable). Throws `DATAVERSE_PAYLOAD_INVALID` when the body is not a
 * RetrieveMetadataChangesResponse.
 */
export function parseMetadataChanges(body: unknown, summaries: readonly TableSummary[]): TableDescription[] {
  const entities = entitiesByName(body);
  return summaries.map((summary) => describe(summary, entities.get(summary.logicalName)));
}
