import { describe, expect, it } from 'vitest';
import { accountTable } from '../mapping/account-table.fixture.ts';
import { ACCOUNT_ATTRIBUTES, ACCOUNT_CASTS, ACCOUNT_ENTITY } from './account-metadata.fixture.ts';
import { parseEntityDefinitions } from './entity-definitions.ts';
import { ATTRIBUTE_PROPERTIES, MAX_PATH_CHARS, MAX_TABLES_PER_REQUEST, metadataChangesPath, metadataChangesRequests, parseMetadataChanges } from './metadata-changes.ts';
import type { TableSummary } from './table-definition.ts';

type Json = Record<string, unknown>;

const queryOf = (path: string): Json => {
  const [fn, query] = path.split('?');
  expect(fn).toBe('RetrieveMetadataChanges(Query=@p1)');
  expect(query!.startsWith('@p1=')).toBe(true);
  return JSON.parse(decodeURIComponent(query!.slice(4))) as Json;
};

const names = (n: number, width = 3) => Array.from({ length: n }, (_, i) => `new_gen${String(i + 1).padStart(width, '0')}`);

describe('metadataChangesRequests', () => {
  it('asks for the tables by name under Or and for only the attribute properties discovery reads', () => {
    const [request, ...rest] = metadataChangesRequests(['account', 'contact']);
    expect(rest).toEqual([]);
    expect(request!.logicalNames).toEqual(['account', 'contact']);
    expect(queryOf(request!.path)).toEqual({
      Properties: { AllProperties: false, PropertyNames: ['Attributes'] },
      Criteria: {
        FilterOperator: 'Or',
        Conditions: ['account', 'contact'].map((n) => ({ ConditionOperator: 'Equals', PropertyName: 'LogicalName', Value: { Type: 'System.String', Value: n } })),
      },
      AttributeQuery: { Properties: { AllProperties: false, PropertyNames: [...ATTRIBUTE_PROPERTIES] } },
    });
    expect(request!.path).toMatch(/^[A-Za-z0-9()=?@%._~!*'-]+$/); // one URL-encoded parameter
  });

  it.each([
    ['500 generated tables (41 per request within 7,800 characters)', names(500), 13],
    ['40 short names: one request', Array.from({ length: 40 }, (_, i) => `t${i}`), 1],
    ['60 names of 128 characters: split by length', Array.from({ length: 60 }, (_, i) => `x${String(i).padStart(127, '0')}`), 3],
    ['one name', ['account'], 1],
    ['none', [], 0],
  ])('%s', (_name, logicalNames, count) => {
    const requests = metadataChangesRequests(logicalNames);
    expect(requests).toHaveLength(count);
    expect(requests.flatMap((r) => r.logicalNames)).toEqual(logicalNames);
    for (const r of requests) {
      expect(r.logicalNames.length).toBeLessThanOrEqual(MAX_TABLES_PER_REQUEST);
      expect(r.path.length).toBeLessThanOrEqual(MAX_PATH_CHARS);
      expect(r.path).toBe(metadataChangesPath(r.logicalNames));
    }
    // as full as the limits allow: each request but the last would break one by taking the next table
    for (let i = 0; i + 1 < requests.length; i++) {
      const more = [...requests[i]!.logicalNames, requests[i + 1]!.logicalNames[0]!];
      expect(more.length > MAX_TABLES_PER_REQUEST || metadataChangesPath(more).length > MAX_PATH_CHARS).toBe(true);
    }
  });

  it('describes a table named twice once', () => {
    expect(metadataChangesRequests(['account', 'contact', 'account']).map((r) => r.logicalNames)).toEqual([['account', 'contact']]);
  });

  it('honours smaller limits', () => {
    expect(metadataChangesRequests(names(7), { maxTables: 3, maxPathChars: MAX_PATH_CHARS }).map((r) => r.logicalNames.length)).toEqual([3, 3, 1]);
    const oneLong = metadataChangesPath(['new_gen001']).length;
    expect(metadataChangesRequests(names(4), { maxTables: 50, maxPathChars: oneLong }).map((r) => r.logicalNames.length)).toEqual([1, 1, 1, 1]);
  });

  it.each(['Account', "a'b", '', 'x y', '1table', 'a'.repeat(129), 'new_gen%27'])('refuses %j with CONFIG_INVALID naming it', (bad) => {
    expect(() => metadataChangesRequests(['account', bad])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: `"${bad}" is not a Dataverse table logical name` }));
  });
});

/** The account fixture as RetrieveMetadataChanges gives it: each base item with the properties its casts add. */
function accountEntity(): Json {
  const castItems = Object.values(ACCOUNT_CASTS).flatMap((body) => (body as { value: Json[] }).value);
  const attributes = (ACCOUNT_ATTRIBUTES.value as Json[]).map((item) => {
    const merged: Json = { ...item };
    for (const extra of castItems.filter((c) => c.LogicalName === item.LogicalName)) Object.assign(merged, extra);
    return merged;
  });
  return { LogicalName: 'account', MetadataId: ACCOUNT_ENTITY.MetadataId, HasChanged: null, SchemaName: null, Attributes: attributes };
}

const account = (): TableSummary => parseEntityDefinitions({ value: [ACCOUNT_ENTITY] }).tables[0]!;
const summary = (logicalName: string, primaryIdAttribute = `${logicalName}id`): TableSummary => ({ ...account(), logicalName, entitySetName: `${logicalName}s`, primaryIdAttribute });
const response = (entities: unknown[]): Json => ({ ServerVersionStamp: '1!01/01/2026 00:00:00', DeletedMetadata: { Count: 0 }, EntityMetadata: entities });

describe('parseMetadataChanges', () => {
  it('builds the definition the base Attributes query and the cast queries give (account fixture: every type)', () => {
    const [d] = parseMetadataChanges(response([accountEntity()]), [account()]);
    expect(d!.error).toBeUndefined();
    expect(d!.table).toEqual(accountTable());
  });

  it('gives each table its own result, in the order asked, and a missing table DATAVERSE_NOT_FOUND for it alone', () => {
    const other = { LogicalName: 'new_thing', Attributes: [{ LogicalName: 'new_thingid', AttributeTypeName: { Value: 'UniqueidentifierType' }, AttributeType: 'Uniqueidentifier', IsValidForRead: true }] };
    const result = parseMetadataChanges(response([other, accountEntity()]), [summary('missing'), account(), summary('new_thing')]);
    expect(result.map((d) => d.logicalName)).toEqual(['missing', 'account', 'new_thing']);
    expect(result[0]!.error).toMatchObject({ code: 'DATAVERSE_NOT_FOUND', message: expect.stringContaining('table "missing"') });
    expect(result[1]!.table).toEqual(accountTable());
    expect(result[2]!.table?.columns.map((c) => c.logicalName)).toEqual(['new_thingid']);
  });

  it.each([
    ['Attributes null', { LogicalName: 'account', Attributes: null }, /table account has no "Attributes" array/],
    ['no readable primary id', { LogicalName: 'account', Attributes: [] }, /primary id accountid is not a readable unique identifier/],
  ])('a table with %s is DATAVERSE_PAYLOAD_INVALID for it alone', (_name, entity, message) => {
    const [bad, good] = parseMetadataChanges(response([entity, { ...accountEntity(), LogicalName: 'other' }]), [account(), { ...account(), logicalName: 'other' }]);
    expect(bad!.error).toMatchObject({ code: 'DATAVERSE_PAYLOAD_INVALID', message: expect.stringMatching(message) });
    expect(good!.table?.logicalName).toBe('other');
  });

  it.each([null, [], { value: [] }, { EntityMetadata: {} }, 'x'])('refuses the body %j', (body) => {
    expect(() => parseMetadataChanges(body, [account()])).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID', message: expect.stringContaining('"EntityMetadata" array') }));
  });

  it('reads options from OptionSet (global option sets included) and ignores the properties of types it has no use for', () => {
    const entity = accountEntity();
    const attrs = entity.Attributes as Json[];
    const interests = attrs.find((a) => a.LogicalName === 'new_interests')!;
    interests.OptionSet = interests.GlobalOptionSet;
    delete interests.GlobalOptionSet;
    Object.assign(attrs.find((a) => a.LogicalName === 'name')!, { Targets: ['account'], Precision: 3, OptionSet: null });
    const [d] = parseMetadataChanges(response([entity]), [account()]);
    expect(d!.table).toEqual(accountTable());
  });
});
