import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../shared/errors.ts';
import { buildODataHeaders, buildPreferHeader, type ODataPreferences } from './odata-headers.ts';

describe('buildPreferHeader', () => {
  it.each<[string, ODataPreferences, string | undefined]>([
    ['nothing', {}, undefined],
    ['page size', { maxPageSize: 5000 }, 'odata.maxpagesize=5000'],
    ['smallest page', { maxPageSize: 1 }, 'odata.maxpagesize=1'],
    ['all annotations', { annotations: '*' }, 'odata.include-annotations="*"'],
    [
      'annotation list',
      { annotations: ['OData.Community.Display.V1.FormattedValue', 'Microsoft.Dynamics.CRM.lookuplogicalname'] },
      'odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname"',
    ],
    ['prefix wildcard', { annotations: ['Microsoft.Dynamics.CRM.*'] }, 'odata.include-annotations="Microsoft.Dynamics.CRM.*"'],
    ['empty list', { annotations: [] }, undefined],
    [
      'everything',
      { trackChanges: true, maxPageSize: 100, annotations: '*' },
      'odata.track-changes,odata.maxpagesize=100,odata.include-annotations="*"',
    ],
  ])('%s', (_name, prefs, expected) => {
    expect(buildPreferHeader(prefs)).toBe(expected);
  });

  it.each<[string, ODataPreferences]>([
    ['zero page size', { maxPageSize: 0 }],
    ['page size over 5000', { maxPageSize: 5001 }],
    ['fractional page size', { maxPageSize: 10.5 }],
    ['quote in annotation', { annotations: ['a"b'] }],
    ['comma inside one annotation', { annotations: ['a,b'] }],
  ])('refuses %s', (_name, prefs) => {
    let thrown: unknown;
    try {
      buildPreferHeader(prefs);
    } catch (err) {
      thrown = err;
    }
    expect(isSyncError(thrown, 'CONFIG_INVALID')).toBe(true);
  });
});

describe('buildODataHeaders', () => {
  it('sends the standard OData headers, the bearer token and Prefer', () => {
    expect(buildODataHeaders('tok', { maxPageSize: 10 })).toEqual({
      accept: 'application/json',
      'odata-maxversion': '4.0',
      'odata-version': '4.0',
      authorization: 'Bearer tok',
      prefer: 'odata.maxpagesize=10',
    });
  });

  it('omits Prefer when nothing is preferred', () => {
    expect(buildODataHeaders('tok')).not.toHaveProperty('prefer');
  });
});
