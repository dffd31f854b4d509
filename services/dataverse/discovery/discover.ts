/**
 * Discovery over the wire: lists tables (one EntityDefinitions GET with $select, never the whole-schema
 * `$expand=Attributes` that makes peers run out of memory) and describes tables with RetrieveMetadataChanges GETs,
 * up to 50 tables per request (model/metadata-changes.ts), then builds their {@link TableDefinition}s. The parsing is
 * the pure model/ code; this module only issues the GETs.
 */
import type { DataverseClient } from '../client/dataverse-client.ts';
import { metadataChangesRequests, parseMetadataChanges, type MetadataChangesRequest, type TableDescription } from '../model/metadata-changes.ts';
import { ENTITY_DEFINITIONS_PATH, parseEntityDefinitions, type EntityDefinitionsResult } from '../model/entity-definitions.ts';
import type { TableDefinition, TableSummary } from '../model/table-definition.ts';
import { SyncError, toSyncError } from '../../shared/errors.ts';

/** Every table of the organisation (and the ones skipped, with reasons). */
export async function listTables(client: DataverseClient, signal?: AbortSignal): Promise<EntityDefinitionsResult> {
  return parseEntityDefinitions(await client.getJson(ENTITY_DEFINITIONS_PATH, { signal }));
}

/** The descriptions of the tables of one request; a failed request is the error of each of its tables (an aborted one throws). */
async function describeRequest(client: DataverseClient, request: MetadataChangesRequest, summaries: readonly TableSummary[], signal?: AbortSignal): Promise<TableDescription[]> {
  const mine = summaries.filter((s) => request.logicalNames.includes(s.logicalName));
  try {
    return parseMetadataChanges(await client.getJson(request.path, { signal }), mine);
  } catch (err) {
    if (signal?.aborted) throw err;
    const error = toSyncError(err);
    return mine.map((s) => ({ logicalName: s.logicalName, error }));
  }
}

/**
 * Describes `summaries`: their columns from RetrieveMetadataChanges (as few GETs as model/metadata-changes.ts allows,
 * concurrently), one description per summary in their order, each the table's definition or its own error (a table
 * missing from the response is `DATAVERSE_NOT_FOUND`; a failed request is the error of each of its tables). Throws
 * `CONFIG_INVALID` when a logical name is not valid.
 */
export async function describeTables(client: DataverseClient, summaries: readonly TableSummary[], signal?: AbortSignal): Promise<TableDescription[]> {
  const requests = metadataChangesRequests(summaries.map((s) => s.logicalName));
  const results = (await Promise.all(requests.map((r) => describeRequest(client, r, summaries, signal)))).flat();
  const byName = new Map(results.map((d) => [d.logicalName, d]));
  return summaries.map((s) => byName.get(s.logicalName)!);
}

/** The definition of one described table, or its error thrown. */
export function definitionOf(description: TableDescription): TableDefinition {
  if (description.error) throw description.error;
  return description.table;
}

/** Describes one table (see {@link describeTables}); throws its error. */
export async function describeTable(client: DataverseClient, summary: TableSummary, signal?: AbortSignal): Promise<TableDefinition> {
  const [description] = await describeTables(client, [summary], signal);
  return definitionOf(description!);
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
