/**
 * Discovery over the wire: lists tables (one EntityDefinitions GET with $select, never the whole-schema
 * `$expand=Attributes` that makes peers run out of memory) and reads one table's columns with the base
 * Attributes query plus the type-specific cast queries of the types it has, then builds the {@link TableDefinition}. The parsing
 * is the pure model/ code; this module only issues the GETs.
 */
import type { DataverseClient } from '../client/dataverse-client.ts';
import { attributeQueries, castQueriesFor, type CastKey } from '../model/attribute-queries.ts';
import { buildTableDefinition, parseAttributes, type CastBodies } from '../model/attributes.ts';
import { ENTITY_DEFINITIONS_PATH, parseEntityDefinitions, type EntityDefinitionsResult } from '../model/entity-definitions.ts';
import type { TableDefinition, TableSummary } from '../model/table-definition.ts';
import { SyncError } from '../../shared/errors.ts';

/** Every table of the organisation (and the ones skipped, with reasons). */
export async function listTables(client: DataverseClient, signal?: AbortSignal): Promise<EntityDefinitionsResult> {
  return parseEntityDefinitions(await client.getJson(ENTITY_DEFINITIONS_PATH, { signal }));
}

/**
 * Reads the columns of one table and builds its definition: the base Attributes query, then, concurrently, the cast
 * queries of the column types it has (castQueriesFor).
 */
export async function describeTable(client: DataverseClient, summary: TableSummary, signal?: AbortSignal): Promise<TableDefinition> {
  const [base] = attributeQueries(summary.logicalName);
  const baseBody = await client.getJson(base!.path, { signal });
  const bodies = await Promise.all(castQueriesFor(summary.logicalName, baseBody).map(async (q) => [q.key, await client.getJson(q.path, { signal })] as const));
  const casts: CastBodies = {};
  for (const [key, body] of bodies) casts[key as CastKey] = body;
  return buildTableDefinition(summary, parseAttributes(baseBody, casts));
}

/** The summary of table `logicalName` among `tables`; DATAVERSE_NOT_FOUND names the table when it is not there. */
export function findTable(tables: readonly TableSummary[], logicalName: string): TableSummary {
  const summary = tables.find((t) => t.logicalName === logicalName);
  if (!summary) {
    throw new SyncError('DATAVERSE_NOT_FOUND', `table "${logicalName}" does not exist in this organisation, or is not syncable (run \`dynsync tables\` to list them)`);
  }
  return summary;
}

/** Finds a table by logical name and describes it; DATAVERSE_NOT_FOUND names the table when it does not exist. */
export async function discoverTable(client: DataverseClient, logicalName: string, signal?: AbortSignal): Promise<TableDefinition> {
  const { tables } = await listTables(client, signal);
  return describeTable(client, findTable(tables, logicalName), signal);
}
