/**
 * The table list: the `EntityDefinitions` request and the parser of its body.
 */
import type { TableSummary } from './table-definition.ts';
import { bool, collectionItems, LOGICAL_NAME, str } from './metadata-reader.ts';

/**
 * Path (relative to `apiBase`, already URL-encoded) of the one table-list request. Never `$expand=Attributes`:
 * metadata has no paging and the whole schema in one body is what makes other connectors run out of memory.
 */
export const ENTITY_DEFINITIONS_PATH =
  'EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,' +
  'ChangeTrackingEnabled,IsIntersect,IsPrivate,IsValidForAdvancedFind,IsCustomEntity,TableType';

/** A table that cannot be synced, with why. */
export interface SkippedTable {
  logicalName: string;
  reason: string;
}

/** The parsed table list. */
export interface EntityDefinitionsResult {
  /** Syncable tables, sorted by logical name. */
  tables: TableSummary[];
  /** Tables that cannot be read through the Web API, sorted by logical name. */
  skipped: SkippedTable[];
}

/**
 * Parses the body of `GET EntityDefinitions?$select=...` ({@link ENTITY_DEFINITIONS_PATH}). A table without an
 * `EntitySetName` or `PrimaryIdAttribute`, or whose names are not valid logical names, is listed as skipped.
 * Throws `DATAVERSE_PAYLOAD_INVALID` when the body is not an OData collection.
 */
export function parseEntityDefinitions(body: unknown): EntityDefinitionsResult {
  const tables: TableSummary[] = [];
  const skipped: SkippedTable[] = [];
  for (const item of collectionItems(body, 'EntityDefinitions')) {
    const logicalName = str(item, 'LogicalName');
    if (logicalName === undefined) continue;
    const entitySetName = str(item, 'EntitySetName');
    const primaryIdAttribute = str(item, 'PrimaryIdAttribute');
    const primaryNameAttribute = str(item, 'PrimaryNameAttribute') ?? null;
    let reason: string | undefined;
    if (!LOGICAL_NAME.test(logicalName)) reason = 'not a valid logical name';
    else if (entitySetName === undefined) reason = 'no EntitySetName: not readable through the Web API';
    else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(entitySetName)) reason = `invalid EntitySetName "${entitySetName}"`;
    else if (primaryIdAttribute === undefined || !LOGICAL_NAME.test(primaryIdAttribute)) reason = 'no valid PrimaryIdAttribute';
    else if (primaryNameAttribute !== null && !LOGICAL_NAME.test(primaryNameAttribute)) reason = 'invalid PrimaryNameAttribute';
    if (reason !== undefined || entitySetName === undefined || primaryIdAttribute === undefined) {
      skipped.push({ logicalName, reason: reason ?? 'incomplete definition' });
      continue;
    }
    tables.push({
      logicalName,
      entitySetName,
      primaryIdAttribute,
      primaryNameAttribute,
      changeTrackingEnabled: bool(item, 'ChangeTrackingEnabled', false),
      isIntersect: bool(item, 'IsIntersect', false),
      isPrivate: bool(item, 'IsPrivate', false),
      tableType: str(item, 'TableType') ?? null,
    });
  }
  const byName = (a: { logicalName: string }, b: { logicalName: string }): number =>
    a.logicalName < b.logicalName ? -1 : a.logicalName > b.logicalName ? 1 : 0;
  return { tables: tables.sort(byName), skipped: skipped.sort(byName) };
}
