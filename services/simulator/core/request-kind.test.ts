import { describe, expect, it } from 'vitest';
import { requestKind } from './request-kind.ts';

describe('requestKind', () => {
  it.each([
    ['GET', 'WhoAmI', '', false, 'whoami'],
    ['GET', "EntityDefinitions(LogicalName='account')/Attributes", '$select=LogicalName', false, 'metadata'],
    ['GET', 'RetrieveMetadataChanges(Query=@p1)', '@p1=%7B%7D', false, 'metadata'],
    ['GET', 'RetrieveMetadataChanges', '', false, 'metadata'],
    ['GET', "RetrieveTotalRecordCount(EntityNames=['account'])", '', false, 'function'],
    ['GET', 'accounts', '$select=accountid&$filter=x&$top=1&$count=true', false, 'count'],
    ['GET', 'accounts/$count', '$deltatoken=1!01/01/2026 00:00:00', false, 'count'],
    ['GET', 'accounts', '$select=accountid&$deltatoken=1!01/01/2026 00:00:00', false, 'delta'],
    ['GET', 'accounts', '$select=accountid', true, 'delta'],
    ['GET', 'accounts', '$select=name&$filter=x', false, 'rows'],
    ['GET', 'accounts(00000000-0000-0000-0000-000000000001)', '', false, 'rows'],
    ['POST', '$batch', '', false, 'batch'],
    ['GET', 'accounts/x/y', '', false, 'other'],
  ])('%s %s?%s', (method, rest, query, track, kind) => expect(requestKind(method, rest, new URLSearchParams(query), track)).toBe(kind));
});
