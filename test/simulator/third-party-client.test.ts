/**
 * The simulator against well-known clients used unchanged: @azure/msal-node (client credentials; auth code with
 * PKCE through the authorize redirect; refresh token) and dynamics-web-api (metadata, paging 20,000 rows of the
 * wide table 5,000 at a time, WhoAmI).
 */
import { ConfidentialClientApplication, CryptoProvider } from '@azure/msal-node';
import { DynamicsWebApi } from 'dynamics-web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDataverseJson } from '../../services/dataverse/mapping/parse-dataverse-json.ts';
import { startFixture, type SimFixture } from '../../harness/sim-fixture.ts';

let f: SimFixture;
let msal: ConfidentialClientApplication;

beforeAll(async () => {
  f = await startFixture({ rows: 300, tableRows: { new_widget: 20_000 } });
  const host = new URL(f.sim.orgUrl).host;
  msal = new ConfidentialClientApplication({
    auth: { clientId: f.sim.clientId, clientSecret: f.sim.clientSecret, authority: f.sim.authority, knownAuthorities: [host] },
  });
});
afterAll(async () => f?.sim.close());

function client(token: () => Promise<string>): DynamicsWebApi {
  return new DynamicsWebApi({ serverUrl: f.sim.orgUrl, dataApi: { version: '9.2' }, onTokenRefresh: token });
}

describe('msal-node + dynamics-web-api against the simulator', () => {
  it('authenticates with client credentials and reads WhoAmI', async () => {
    const result = await msal.acquireTokenByClientCredential({ scopes: [`${f.sim.orgUrl}/.default`] });
    expect(result?.accessToken).toBeTruthy();
    const api = client(async () => result?.accessToken ?? '');
    const who = await api.callFunction<{ UserId: string }>({ functionName: 'WhoAmI' });
    expect(who.UserId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('authenticates a user with auth code + PKCE through the authorize redirect, then refreshes', async () => {
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    const scopes = [`${f.sim.orgUrl}/user_impersonation`];
    const redirectUri = 'http://localhost:53117/callback';
    const url = await msal.getAuthCodeUrl({ scopes, redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state: 'xyz' });
    const redirect = await fetch(url, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code') ?? '';
    const first = await msal.acquireTokenByCode({ code, scopes, redirectUri, codeVerifier: verifier });
    expect(first.account?.homeAccountId).toContain(f.sim.tenantId);
    const refreshed = await msal.acquireTokenSilent({ account: first.account!, scopes, forceRefresh: true });
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    const who = await client(async () => refreshed.accessToken).callFunction<{ UserId: string }>({ functionName: 'WhoAmI' });
    expect(who.UserId).toMatch(/^[0-9a-f-]{36}$/);
    // the same code cannot be redeemed twice, and a wrong verifier is refused
    await expect(msal.acquireTokenByCode({ code, scopes, redirectUri, codeVerifier: verifier })).rejects.toThrow(/AADSTS54005/);
  });

  it('lists tables and reads column metadata with casts and option sets', async () => {
    const token = await f.appToken();
    const api = client(async () => token);
    const tables = await api.retrieveEntities({ select: ['LogicalName', 'EntitySetName', 'PrimaryIdAttribute', 'ChangeTrackingEnabled'] });
    const widget = tables.value.find((t: { LogicalName: string }) => t.LogicalName === 'new_widget');
    expect(widget).toMatchObject({ EntitySetName: 'new_widgetset', PrimaryIdAttribute: 'new_widgetid', ChangeTrackingEnabled: true });
    expect(tables.value.find((t: { LogicalName: string }) => t.LogicalName === 'new_importlog')?.ChangeTrackingEnabled).toBe(false);

    const attrs = await api.retrieveAttributes({ entityKey: "LogicalName='new_widget'", select: ['LogicalName', 'AttributeType', 'AttributeTypeName', 'AttributeOf'] });
    const byName = new Map(attrs.value.map((a: { LogicalName: string }) => [a.LogicalName, a]));
    expect(byName.get('new_price')).toMatchObject({ AttributeType: 'Money', AttributeTypeName: { Value: 'MoneyType' } });
    expect(byName.get('new_tags')).toMatchObject({ AttributeType: 'Virtual', AttributeTypeName: { Value: 'MultiSelectPicklistType' } });
    expect(byName.get('new_picture')).toMatchObject({ AttributeTypeName: { Value: 'ImageType' } });
    expect(byName.get('owneridname')).toMatchObject({ AttributeOf: 'ownerid' });

    const picklists = await api.retrieveAttributes({
      entityKey: "LogicalName='new_widget'",
      castType: 'Microsoft.Dynamics.CRM.PicklistAttributeMetadata',
      select: ['LogicalName'],
      expand: [{ property: 'OptionSet' }, { property: 'GlobalOptionSet' }],
    });
    const color = picklists.value.find((a: { LogicalName: string }) => a.LogicalName === 'new_color');
    expect(color.GlobalOptionSet.Name).toBe('new_color');
    expect(color.OptionSet.Options.map((o: { Label: { UserLocalizedLabel: { Label: string } } }) => o.Label.UserLocalizedLabel.Label)).toContain('Blue');

    const dates = await api.retrieveAttributes({ entityKey: "LogicalName='new_widget'", castType: 'Microsoft.Dynamics.CRM.DateTimeAttributeMetadata', select: ['LogicalName', 'DateTimeBehavior'] });
    const release = dates.value.find((a: { LogicalName: string }) => a.LogicalName === 'new_releasedate');
    expect(release.DateTimeBehavior.Value).toBe('DateOnly');
  });

  it('the first page of the wide table holds values a float-parsing client cannot keep, which the exact parser keeps', async () => {
    const token = await f.appToken();
    const request = { collection: 'new_widgetset', select: ['new_widgetid', 'new_budget', 'new_serialnumber', 'new_ratio'], maxPageSize: 8 };
    const floats = (await client(async () => token).retrieveMultiple<Record<string, number>>(request)).value;
    const res = await f.get('new_widgetset?$select=new_widgetid,new_budget,new_serialnumber,new_ratio', token, { Prefer: 'odata.maxpagesize=8' });
    const exact = (parseDataverseJson(await res.text()) as { value: Record<string, string>[] }).value;
    // rows whose value the float client holds differently (its integer part already differs)
    const lost = (col: string) => exact.filter((r, i) => r[col] != null && BigInt(Math.trunc(floats[i]![col]!)) !== BigInt(r[col]!.split('.')[0]!));
    expect(exact.map((r) => r.new_budget)).toContain('922337203685476.9999');
    expect(exact.map((r) => r.new_serialnumber)).toContain('9223372036854775807');
    expect(exact.map((r) => r.new_ratio)).toContain('99999999999.9999999999');
    // the float client rounds them: 922337203685476.9999 reads as 922337203685477
    expect(floats.map((r) => r.new_budget)).toContain(922337203685477);
    expect(lost('new_budget').length).toBeGreaterThan(0);
    expect(lost('new_serialnumber').length).toBeGreaterThan(0);
  });

  it('pages through a 20,000-row table 5,000 rows at a time', async () => {
    const token = await f.appToken();
    const api = client(async () => token);
    const request = { collection: 'new_widgetset', select: ['new_widgetid', 'new_name', 'new_price', 'modifiedon', 'versionnumber'], maxPageSize: 5000 };
    const ids = new Set<string>();
    let pages = 0;
    let next: string | undefined;
    do {
      const page = await api.retrieveMultiple<{ new_widgetid: string; new_price: number }>(request, next);
      pages++;
      expect(page.value.length).toBeLessThanOrEqual(5000);
      for (const row of page.value) ids.add(row.new_widgetid);
      next = page.oDataNextLink;
    } while (next);
    expect(pages).toBe(4);
    expect(ids.size).toBe(20_000);
    const stats = await f.control<{ tables: Record<string, { rows: number }> }>('GET', '/stats');
    expect(stats.tables.new_widget?.rows).toBe(20_000);
  });
});
