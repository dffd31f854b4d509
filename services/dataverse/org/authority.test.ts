import { describe, expect, it } from 'vitest';
import type { Cloud } from './cloud.ts';
import { authorityFor, normaliseTenantId, scopesFor } from './authority.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

describe('authorityFor', () => {
  it.each<[Cloud, string]>([
    ['public', `https://login.microsoftonline.com/${TENANT}`],
    ['gcc', `https://login.microsoftonline.com/${TENANT}`],
    ['gcc-high', `https://login.microsoftonline.us/${TENANT}`],
    ['dod', `https://login.microsoftonline.us/${TENANT}`],
    ['china', `https://login.partner.microsoftonline.cn/${TENANT}`],
  ])('%s → %s', (cloud, authority) => {
    expect(authorityFor(cloud, TENANT)).toBe(authority);
    expect(authorityFor(cloud, TENANT, 'https://127.0.0.1:8443')).toBe(authority);
  });

  it('uses the dev authority origin only for the dev cloud', () => {
    expect(authorityFor('dev', TENANT.toUpperCase(), 'https://127.0.0.1:8443/')).toBe(`https://127.0.0.1:8443/${TENANT}`);
  });

  it.each([[undefined], ['http://127.0.0.1:8443'], ['https://127.0.0.1:8443/x'], ['https://u:p@h:1'], ['nope'], ['https://login.example.com'], ['https://10.0.0.5:8443']])(
    'refuses dev authority %s',
    (dev) => {
      expect(() => authorityFor('dev', TENANT, dev)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    },
  );
});

describe('normaliseTenantId', () => {
  it.each([
    [TENANT, TENANT],
    [TENANT.toUpperCase(), TENANT],
    [' contoso.onmicrosoft.com ', 'contoso.onmicrosoft.com'],
    ['Contoso.COM', 'contoso.com'],
    ['sub-1.contoso.co.uk', 'sub-1.contoso.co.uk'],
  ])('%s → %s', (input, out) => {
    expect(normaliseTenantId(input)).toBe(out);
  });

  it.each([
    [''],
    ['common'],
    ['organizations'],
    ['consumers'],
    ['contoso'],
    ['72f988bf-86f1-41af-91ab-2d7cd011db4'],
    ['{72f988bf-86f1-41af-91ab-2d7cd011db47}'],
    ['contoso.com/evil'],
    ['contoso.com?x=1'],
    ['evil.com#'],
    ['-contoso.com'],
    ['contoso.123'],
    ['xn--cntoso-8va.com'],
    ['contoso..com'],
    ['a b.com'],
  ])('refuses %j', (input) => {
    expect(() => normaliseTenantId(input)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('scopesFor', () => {
  it.each([
    ['client-credentials' as const, ['https://org.crm.dynamics.com/.default']],
    ['delegated' as const, ['https://org.crm.dynamics.com/.default', 'offline_access']],
  ])('%s', (flow, scopes) => {
    expect(scopesFor('https://org.crm.dynamics.com', flow)).toEqual(scopes);
    expect(scopesFor('https://org.crm.dynamics.com/', flow)).toEqual(scopes);
  });
});
