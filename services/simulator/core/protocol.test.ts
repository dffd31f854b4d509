import { describe, expect, it } from 'vitest';
import { decodeDeltaToken, encodeDeltaToken } from './delta-token.ts';
import { evaluate, lessOffset } from './filter-eval.ts';
import { parseFilter } from './filter-parser.ts';
import { cookieGuid, decodePagingCookie, encodePagingCookie, type PagingCookie } from './paging-cookie.ts';
import { annotationMatcher, parsePrefer } from './prefer.ts';

describe('paging cookie', () => {
  const g1 = 'd5026a4d-0000-1000-8000-000000000001';
  const g2 = '49b0be2e-0000-1000-8000-000000000002';
  it.each<PagingCookie>([
    { pageNumber: 2, keys: [{ attr: 'contactid', last: cookieGuid(g1), first: cookieGuid(g2) }], tracking: false, extra: {} },
    {
      pageNumber: 7,
      keys: [
        { attr: 'modifiedon', last: '2024-01-01T00:00:00Z', first: '2023-12-31T23:59:59Z' },
        { attr: 'fullname', last: 'O"Brien & <Sons>', first: 'A' },
        { attr: 'contactid', last: cookieGuid(g1), first: cookieGuid(g2) },
      ],
      tracking: true,
      extra: { snapshot: '1234' },
    },
  ])('round-trips page $pageNumber', (cookie) => {
    const text = encodePagingCookie(cookie);
    expect(decodePagingCookie(text)).toEqual(cookie);
    // as it travels in a nextLink: URL-encoded once more, decoded once by the server
    expect(decodePagingCookie(decodeURIComponent(encodeURIComponent(text)))).toEqual(cookie);
  });

  it('matches the documented shape (inner cookie encoded twice in the URL, lower-case hex, braces)', () => {
    const text = encodePagingCookie({ pageNumber: 2, keys: [{ attr: 'contactid', last: cookieGuid(g1), first: cookieGuid(g2) }], tracking: false, extra: {} });
    expect(encodeURIComponent(text)).toContain(
      'pagingcookie%3D%22%253ccookie%2520page%253d%25221%2522%253e%253ccontactid%2520last%253d%2522%257bD5026A4D-0000-1000-8000-000000000001%257d%2522%2520first%253d%2522%257b49B0BE2E-0000-1000-8000-000000000002%257d%2522%2520%252f%253e%253c%252fcookie%253e%22',
    );
    expect(text.startsWith('<cookie pagenumber="2" pagingcookie="%3ccookie%20page%3d%221%22%3e')).toBe(true);
  });

  it.each(['', 'abc', '<cookie pagenumber="1" pagingcookie="" />', '<cookie pagenumber="2" />', '<cookie pagenumber="2" pagingcookie="%25zz" />'])(
    'rejects %j',
    (text) => expect(decodePagingCookie(text)).toBeUndefined(),
  );
});

describe('delta token', () => {
  it.each([
    [{ version: 919042, issuedMs: Date.UTC(2017, 7, 22, 8, 10, 44) }, '919042!08/22/2017 08:10:44'],
    [{ version: 1, issuedMs: Date.UTC(2026, 11, 31, 23, 59, 59) }, '1!12/31/2026 23:59:59'],
  ])('%j ⇄ %s', (token, text) => {
    expect(encodeDeltaToken(token)).toBe(text);
    expect(decodeDeltaToken(text)).toEqual(token);
  });
  it.each(['', '123', 'x!08/22/2017 08:10:44', '1!2017-08-22'])('rejects %j', (t) => expect(decodeDeltaToken(t)).toBeUndefined());

  it('shows versions beyond 2^53 with a version offset, exactly, and reads them back', () => {
    const offset = 9_223_372_036_854_000_000n;
    const token = { version: 775_807, issuedMs: Date.UTC(2026, 0, 2, 3, 4, 5) };
    expect(encodeDeltaToken(token, offset)).toBe('9223372036854775807!01/02/2026 03:04:05');
    expect(decodeDeltaToken('9223372036854775807!01/02/2026 03:04:05', offset)).toEqual(token);
    expect(decodeDeltaToken('919042!08/22/2017 08:10:44', offset)).toBeUndefined();
  });
});

describe('version offset in filters', () => {
  it.each<[string, boolean]>([
    ['versionnumber gt 9007199254741992', true],
    ['versionnumber gt 9007199254741993', false],
    ['versionnumber eq 9007199254741993 and name eq 1000', true],
    ['name eq 9007199254741993', false],
  ])('%s', (filter, matches) => {
    const e = lessOffset(parseFilter(filter), 'versionnumber', 9_007_199_254_740_993n);
    expect(evaluate(e, (p) => (p === 'versionnumber' ? 1_000 : p === 'name' ? 1_000 : null))).toBe(matches);
  });
});

describe('Prefer', () => {
  it.each([
    ['odata.maxpagesize=5000', { maxPageSize: 5000, trackChanges: false }],
    ['odata.track-changes, odata.maxpagesize=10', { maxPageSize: 10, trackChanges: true }],
    [
      'odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname",odata.maxpagesize=2',
      { maxPageSize: 2, includeAnnotations: 'OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname', trackChanges: false },
    ],
    ['odata.maxpagesize=abc', { trackChanges: false }],
    ['', { trackChanges: false }],
  ])('%s', (header, expected) => expect(parsePrefer(header)).toEqual(expected));

  it.each([
    ['*', 'OData.Community.Display.V1.FormattedValue', true],
    ['OData.Community.Display.V1.FormattedValue', 'OData.Community.Display.V1.FormattedValue', true],
    ['OData.Community.Display.V1.FormattedValue', 'Microsoft.Dynamics.CRM.lookuplogicalname', false],
    ['Microsoft.Dynamics.CRM.*', 'Microsoft.Dynamics.CRM.lookuplogicalname', true],
    ['*,-Microsoft.Dynamics.CRM.lookuplogicalname', 'Microsoft.Dynamics.CRM.lookuplogicalname', false],
    [undefined, 'OData.Community.Display.V1.FormattedValue', false],
  ])('include-annotations=%s matches %s: %s', (spec, term, expected) => expect(annotationMatcher(spec)(term)).toBe(expected));
});
