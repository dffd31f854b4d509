/**
 * describeTables (RetrieveMetadataChanges, up to 50 tables per GET) against the simulator: every table's definition
 * equals what the per-table queries give (the base Attributes query plus the cast queries of its column types), on
 * the standard tables and generated ones, in as few metadata requests as the request builder plans, all GETs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataverseClient } from '../../services/dataverse/client/dataverse-client.ts';
import { describeTable, describeTables, listTables } from '../../services/dataverse/discovery/discover.ts';
import { attributeQueries, castQueriesFor, type CastKey } from '../../services/dataverse/model/attribute-queries.ts';
import { buildTableDefinition, parseAttributes, type CastBodies } from '../../services/dataverse/model/attributes.ts';
import { metadataChangesRequests } from '../../services/dataverse/model/metadata-changes.ts';
import type { TableDefinition, TableSummary } from '../../services/dataverse/model/table-definition.ts';
import { startHarness, type SimHarness } from './sim-harness.ts';

interface Stats {
  requests: { byKind: Record<string, number> };
  nonGetRequests: number;
}

let h: SimHarness;
let client: DataverseClient;

beforeAll(async () => {
  h = await startHarness({ rows: 20, generatedTables: 120, generatedMaxRows: 5 });
  client = h.client(h.auth('client-credentials', { connectionId: 'describe' }));
});

afterAll(async () => {
  await h?.close();
});

/** The per-table path: the base Attributes query, then the cast queries of the column types the table has. */
async function describeByCasts(summary: TableSummary): Promise<TableDefinition> {
  const [base] = attributeQueries(summary.logicalName);
  const baseBody = await client.getJson(base!.path);
  const casts: CastBodies = {};
  for (const q of castQueriesFor(summary.logicalName, baseBody)) casts[q.key as CastKey] = await client.getJson(q.path);
  return buildTableDefinition(summary, parseAttributes(baseBody, casts));
}

const metadataRequests = async () => (await h.control<Stats>('GET', '/stats')).requests.byKind.metadata ?? 0;

describe('describeTables', () => {
  it('gives every table the definition the per-table queries give, in the planned number of GETs', async () => {
    const { tables } = await listTables(client);
    expect(tables.filter((t) => t.logicalName.startsWith('new_gen'))).toHaveLength(120);
    const before = await metadataRequests();
    const described = await describeTables(client, tables);
    expect((await metadataRequests()) - before).toBe(metadataChangesRequests(tables.map((t) => t.logicalName)).length);
    expect(described.map((d) => d.logicalName)).toEqual(tables.map((t) => t.logicalName));
    for (const [i, summary] of tables.entries()) {
      expect(described[i]!.error, summary.logicalName).toBeUndefined();
      expect(described[i]!.table, summary.logicalName).toEqual(await describeByCasts(summary));
    }
    expect((await h.control<Stats>('GET', '/stats')).nonGetRequests).toBe(0);
  });

  it('fails only the table that is gone: DATAVERSE_NOT_FOUND naming it', async () => {
    const { tables } = await listTables(client);
    const account = tables.find((t) => t.logicalName === 'account')!;
    const gone: TableSummary = { ...account, logicalName: 'new_gone', entitySetName: 'new_gones', primaryIdAttribute: 'new_goneid' };
    const [a, g] = await describeTables(client, [account, gone]);
    expect(a!.table).toEqual(await describeByCasts(account));
    expect(g!.error).toMatchObject({ code: 'DATAVERSE_NOT_FOUND', message: expect.stringContaining('"new_gone"') });
    await expect(describeTable(client, gone)).rejects.toMatchObject({ code: 'DATAVERSE_NOT_FOUND' });
  });

  it('sees a column added to a table, as the per-table queries do', async () => {
    await h.control('POST', '/tables/new_gen007/columns', { logicalName: 'new_addedchoice', kind: 'Picklist', options: [{ value: 1, label: 'One' }, { value: 2, label: 'Two' }] });
    const summary = (await listTables(client)).tables.find((t) => t.logicalName === 'new_gen007')!;
    const table = await describeTable(client, summary);
    expect(table.columns.find((c) => c.logicalName === 'new_addedchoice')).toMatchObject({ ourType: 'picklist', options: { 1: 'One', 2: 'Two' } });
    expect(table).toEqual(await describeByCasts(summary));
  });
});
