import { describe, expect, it } from 'vitest';
import type { SyncTask } from '../../contracts/control-messages.ts';
import { changedTimes, deleteHeaders, deletedIds, deltaMaxModifiedOn, initialDeltaPath, narrowDeltaLink, parseDeltaToken } from './delta-changes.ts';

const ORG = 'https://contoso.crm.dynamics.com/api/data/v9.2';
const ID = '2e451703-c686-e711-80e5-00155db19e6d';

describe('parseDeltaToken', () => {
  it.each([
    ['documented form, URL-encoded', `${ORG}/accounts?$select=accountid&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44`, { version: 919042n, issuedMs: Date.UTC(2017, 7, 22, 8, 10, 44) }],
    ['plain text', `${ORG}/accounts?$deltatoken=5!01/02/2026 03:04:05`, { version: 5n, issuedMs: Date.UTC(2026, 0, 2, 3, 4, 5) }],
    ['relative link', `accounts?$deltatoken=7%2112%2f31%2f2025%2023%3a59%3a59`, { version: 7n, issuedMs: Date.UTC(2025, 11, 31, 23, 59, 59) }],
    ['no token', `${ORG}/accounts?$select=accountid`, null],
    ['opaque token', `${ORG}/accounts?$deltatoken=abcdef`, null],
    ['impossible date', `${ORG}/accounts?$deltatoken=5!02/31/2026 00:00:00`, null],
    ['not a URL at all', 'http://[', null],
  ])('%s', (_n, link, expected) => expect(parseDeltaToken(link)).toEqual(expected));
});

const deleted = { '@odata.context': `${ORG}/$metadata#accounts/$deletedEntity`, id: ID, reason: 'deleted' };

describe('deletedIds', () => {
  it.each([
    ['$deletedEntity with id', [deleted], [ID], 0],
    ['changed rows are ignored', [{ '@odata.etag': 'W/"9"', accountid: 'aaaaaaaa-0000-0000-0000-000000000001' }, deleted], [ID], 0],
    ['upper-case id is lower-cased', [{ ...deleted, id: ID.toUpperCase() }], [ID], 0],
    ['OData 4.01 @removed with the key', [{ '@removed': { reason: 'deleted' }, accountid: ID }], [ID], 0],
    ['@removed with @id', [{ '@removed': { reason: 'deleted' }, '@id': `accounts(${ID})` }], [ID], 0],
    ['deletion without a usable id', [{ ...deleted, id: 'nope' }], [], 1],
    ['empty page', [], [], 0],
  ])('%s', (_n, rows, ids, unusable) => expect(deletedIds(rows as Record<string, unknown>[], 'accountid')).toEqual({ ids, unusable }));
});

describe('initialDeltaPath', () => {
  it('selects the primary key and modifiedon only', () => expect(initialDeltaPath('new_widgetset', 'new_widgetid')).toBe('new_widgetset?$select=new_widgetid,modifiedon'));
});

describe('changedTimes and deltaMaxModifiedOn', () => {
  const T0 = Date.UTC(2026, 5, 1, 12);
  const link = 'https://org/api/data/v9.2/accounts?$select=accountid,modifiedon&$deltatoken=919042%2106%2F01%2F2026%2012%3A05%3A00';
  const snapshot = Date.UTC(2026, 5, 1, 12, 5);
  const changed = (modifiedon?: string) => ({ accountid: ID, ...(modifiedon ? { modifiedon } : {}) });
  it.each([
    ['no entry', [], null],
    ['deletions only', [deleted], null],
    ['the latest modifiedon of the changed rows', [changed('2026-05-01T00:00:00Z'), changed('2026-05-03T10:00:00Z'), deleted], Date.UTC(2026, 4, 3, 10)],
    ['a changed row without modifiedon: the new snapshot time', [changed('2026-05-01T00:00:00Z'), changed()], snapshot],
  ])('%s', (_n, rows, want) => expect(deltaMaxModifiedOn(changedTimes(rows as Record<string, unknown>[]), link, T0)).toBe(want));
  it('without a readable snapshot time, at least the run start', () => {
    expect(deltaMaxModifiedOn(changedTimes([changed()]), 'https://org/api/data/v9.2/accounts?$deltatoken=nope', T0)).toBe(T0);
  });
  it('folds pages into one result', () => {
    const times = changedTimes([changed('2026-05-01T00:00:00Z')]);
    changedTimes([changed('2026-04-01T00:00:00Z'), changed()], times);
    expect(times).toEqual({ maxMs: Date.UTC(2026, 4, 1), unknown: 1 });
  });
});

describe('deleteHeaders', () => {
  const T0 = Date.UTC(2026, 5, 1, 12);
  const task = { taskId: 'r2/account/delta', runId: 'r2', connection: 'c', table: 'account', kind: 'full', runStart: new Date(T0), from: new Date(0), to: new Date(T0), attempt: 0, depth: 0, parentTaskId: null, delta: { link: 'x' } } satisfies SyncTask;
  it('takes run, task, kind and T0 from the task, version and time from the new token', () => {
    expect(deleteHeaders(task, { version: 42n, issuedMs: T0 + 1_000 })).toEqual({ runId: 'r2', taskId: 'r2/account/delta', syncKind: 'full', runStartMs: T0, modifiedOnMs: T0 + 1_000, version: 42n });
  });
});

describe('narrowDeltaLink', () => {
  const token = '$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44';
  it.each([
    ['a link of every column', `https://org/api/data/v9.2/accounts?$select=accountid,name,websiteurl,modifiedon&${token}`, `https://org/api/data/v9.2/accounts?$select=accountid,modifiedon&${token}`],
    ['the token first', `https://org/api/data/v9.2/accounts?${token}&$select=accountid,name`, `https://org/api/data/v9.2/accounts?$select=accountid,modifiedon&${token}`],
    ['an encoded $select', `https://org/api/data/v9.2/accounts?%24select=accountid,name&${token}`, `https://org/api/data/v9.2/accounts?$select=accountid,modifiedon&${token}`],
    ['no $select', `https://org/api/data/v9.2/accounts?${token}`, `https://org/api/data/v9.2/accounts?$select=accountid,modifiedon&${token}`],
    ['already narrow', `https://org/api/data/v9.2/accounts?$select=accountid,modifiedon&${token}`, `https://org/api/data/v9.2/accounts?$select=accountid,modifiedon&${token}`],
  ])('%s', (_n, link, narrowed) => expect(narrowDeltaLink(link, 'accountid')).toBe(narrowed));
});
