/**
 * `$batch` against the simulator: a third-party client that uses batches (dynamics-web-api: startBatch/executeBatch)
 * gets one answer per request, each with its own status, equal to the same requests sent alone; a batch with a write
 * or a change set is refused and counted by `/_control/non-get`.
 */
import { parseMultipart } from '@remix-run/multipart-parser';
import { DynamicsWebApi } from 'dynamics-web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDataverseJson } from '../../services/dataverse/mapping/parse-dataverse-json.ts';
import { MONEY_MAX } from '../../services/simulator/core/extremes.ts';
import { startFixture, type SimFixture } from '../../harness/sim-fixture.ts';

let f: SimFixture;
let token: string;
let api: DynamicsWebApi;

beforeAll(async () => {
  f = await startFixture({ rows: 50 });
  token = await f.appToken();
  api = new DynamicsWebApi({ serverUrl: f.sim.orgUrl, dataApi: { version: '9.2' }, onTokenRefresh: async () => token });
});
afterAll(async () => f?.sim.close());

const nonGet = () => f.control<{ count: number; byMethod: Record<string, number>; recent: { method: string; path: string }[] }>('GET', '/non-get');

async function rawBatch(body: string, boundary = 'b1'): Promise<{ status: number; parts: string[]; contentType: string }> {
  const res = await fetch(`${f.sim.orgUrl}/api/data/v9.2/$batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/mixed; boundary=${boundary}`, Accept: 'application/json' },
    body,
  });
  const contentType = res.headers.get('content-type') ?? '';
  const bytes = new Uint8Array(await res.arrayBuffer());
  const m = /boundary=(\S+)/.exec(contentType);
  const parts = m ? [...parseMultipart(bytes, { boundary: m[1]! })].map((p) => p.text) : [new TextDecoder().decode(bytes)];
  return { status: res.status, parts, contentType };
}

const get = (target: string, headers = '') => `--b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET ${target} HTTP/1.1\r\nAccept: application/json\r\n${headers}\r\n`;

describe('$batch', () => {
  it('dynamics-web-api: a batch of reads answers each request as it is answered alone', async () => {
    const before = (await nonGet()).count;
    api.startBatch();
    api.retrieveMultiple({ collection: 'accounts', select: ['name', 'revenue'], maxPageSize: 5 });
    api.retrieveMultiple({ collection: 'new_widgetset', select: ['new_name', 'new_serialnumber'], filter: 'statecode eq 0', maxPageSize: 3 });
    api.callFunction({ functionName: 'WhoAmI' });
    const [accounts, widgets, who] = (await api.executeBatch()) as [{ value: Record<string, unknown>[] }, { value: Record<string, unknown>[] }, { UserId: string }];
    const alone = await api.retrieveMultiple({ collection: 'accounts', select: ['name', 'revenue'], maxPageSize: 5 });
    expect(accounts.value).toHaveLength(5);
    expect(accounts.value.map((r) => [r.accountid, r.name, r.revenue])).toEqual(alone.value.map((r: Record<string, unknown>) => [r.accountid, r.name, r.revenue]));
    expect(widgets.value).toHaveLength(3);
    expect(who.UserId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await nonGet()).count).toBe(before);
  });

  it('each part has its own status, and its JSON keeps exact numbers for an exact parser', async () => {
    const body = get('/api/data/v9.2/new_widgetset?$select=new_budget&$filter=new_budget%20eq%20922337203685477.0000', 'Prefer: odata.maxpagesize=2') + get('nosuchset') + get(`${f.sim.orgUrl}/api/data/v9.2/accounts/$count`) + '--b1--\r\n';
    const { status, parts, contentType } = await rawBatch(body);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    expect(parts.map((p) => p.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found', 'HTTP/1.1 200 OK']);
    const page = parseDataverseJson(parts[0]!.slice(parts[0]!.indexOf('\r\n\r\n') + 4)) as { value: { new_budget: string }[] };
    expect(page.value.map((r) => r.new_budget)).toContain(MONEY_MAX);
    expect(parts[0]).toContain('Preference-Applied: odata.maxpagesize=2');
    expect(parts[1]).toContain(`"message":"Resource not found for the segment 'nosuchset'."`);
    expect(parts[2]!.endsWith('\r\n\r\n50')).toBe(true);
  });

  it('dynamics-web-api: a batch with a create (in a change set) is refused and counted as a write', async () => {
    const before = await nonGet();
    api.startBatch();
    api.retrieveMultiple({ collection: 'accounts', select: ['name'], maxPageSize: 1 });
    api.create({ collection: 'accounts', data: { name: 'should never exist' } });
    await expect(api.executeBatch()).rejects.toMatchObject({ status: 403 });
    const after = await nonGet();
    expect(after.count).toBe(before.count + 1);
    expect(after.recent.at(-1)).toMatchObject({ method: 'POST' });
    expect(after.recent.at(-1)?.path).toMatch(/\$batch POST .*accounts/);
    const stats = await f.control<{ tables: Record<string, { rows: number }> }>('GET', '/stats');
    expect(stats.tables.account?.rows).toBe(50);
  });

  it('a DELETE or PATCH outside a change set is refused too, and every write in the batch is counted', async () => {
    const before = (await nonGet()).count;
    const write = (method: string) => `--b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${method} accounts(00000000-0000-0000-0000-000000000001) HTTP/1.1\r\n\r\n`;
    const { status, parts } = await rawBatch(get('accounts') + write('DELETE') + write('PATCH') + '--b1--\r\n');
    expect(status).toBe(403);
    expect(parts[0]).toContain('0x80040220');
    expect((await nonGet()).count).toBe(before + 2);
  });

  it('a body that is not a batch is a 400 naming the problem, counted (it could have been a write)', async () => {
    const before = (await nonGet()).count;
    const res = await fetch(`${f.sim.orgUrl}/api/data/v9.2/$batch`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/'multipart\/mixed' with a boundary/);
    expect((await nonGet()).count).toBe(before + 1);
  });

  it('a batch of reads needs a token like any read', async () => {
    const res = await fetch(`${f.sim.orgUrl}/api/data/v9.2/$batch`, { method: 'POST', headers: { 'Content-Type': 'multipart/mixed; boundary=b1' }, body: get('accounts') + '--b1--' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer authorization_uri=/);
  });
});
