import { describe, expect, it } from 'vitest';
import { countProbePath, deltaCountPath, readCount, readTotalRecordCount, totalRecordCountPath } from './row-counts.ts';

const ORG = 'https://contoso.crm.dynamics.com/api/data/v9.2';

describe('countProbePath', () => {
  it('asks for the primary id of one row with the count of the filter', () => {
    expect(countProbePath('accounts', 'accountid', 'modifiedon ge 2026-01-01T00:00:00Z')).toBe(
      'accounts?$select=accountid&$filter=modifiedon%20ge%202026-01-01T00%3A00%3A00Z&$top=1&$count=true',
    );
  });
});

describe('deltaCountPath', () => {
  it.each([
    ['absolute link', `${ORG}/accounts?$select=accountid,modifiedon&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44`, 'accounts/$count?$deltatoken=919042!08%2F22%2F2017%2008%3A10%3A44'],
    ['relative link', 'new_gen001s?$deltatoken=5!01/02/2026 03:04:05', 'new_gen001s/$count?$deltatoken=5!01%2F02%2F2026%2003%3A04%3A05'],
    ['no token', `${ORG}/accounts?$select=accountid`, null],
    ['no entity set in the path', `${ORG}/?$deltatoken=5!01/02/2026 03:04:05`, null],
    ['a nested path', `${ORG}/accounts(1)/contacts?$deltatoken=5!01/02/2026 03:04:05`, null],
    ['not a URL at all', 'http://[', null],
  ])('%s', (_n, link, want) => expect(deltaCountPath(link)).toBe(want));
});

describe('readCount', () => {
  it.each([
    ['a number', 12, 12],
    ['text', '12', 12],
    ['text with a newline', '0\n', 0],
  ])('%s', (_n, body, want) => expect(readCount(body, 'x')).toBe(want));

  it.each([
    ['negative', -1],
    ['a fraction', 1.5],
    ['words', 'twelve'],
    ['an object', { value: 1 }],
    ['null', null],
  ])('%s is DATAVERSE_PAYLOAD_INVALID', (_n, body) => expect(() => readCount(body, 'changes')).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' })));
});

describe('RetrieveTotalRecordCount', () => {
  it('names the tables in one call', () => {
    expect(totalRecordCountPath(['account', 'new_gen001'])).toBe("RetrieveTotalRecordCount(EntityNames=['account','new_gen001'])");
  });

  it.each([
    ['counts by name', { EntityRecordCountCollection: { Keys: ['account', 'contact'], Values: [10, 0] } }, [['account', 10], ['contact', 0]]],
    ['counts as text', { EntityRecordCountCollection: { Keys: ['account'], Values: ['7'] } }, [['account', 7]]],
    ['unusable counts are left out', { EntityRecordCountCollection: { Keys: ['a', 'b', 'c', 4], Values: [-1, 'x', null, 3] } }, []],
    ['more keys than values', { EntityRecordCountCollection: { Keys: ['a', 'b'], Values: [1] } }, [['a', 1]]],
  ])('%s', (_n, body, want) => expect([...readTotalRecordCount(body)]).toEqual(want));

  it.each([
    ['no collection', {}],
    ['no Values', { EntityRecordCountCollection: { Keys: [] } }],
    ['not an object', 'x'],
    ['null', null],
  ])('%s is DATAVERSE_PAYLOAD_INVALID', (_n, body) => expect(() => readTotalRecordCount(body)).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' })));
});
