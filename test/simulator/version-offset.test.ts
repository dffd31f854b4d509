/**
 * `--version-offset`: an organisation whose rowversions are beyond 2^53. Version numbers, etags and delta tokens show
 * every digit, filters on `versionnumber` take them back, and changes and deletes still come through delta links.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDataverseJson } from '../../services/dataverse/mapping/parse-dataverse-json.ts';
import { loadSimulatorConfig } from '../../services/simulator/config.ts';
import { startFixture, type SimFixture } from '../../harness/sim-fixture.ts';

const OFFSET = 8_999_999_999_000_000_000n;
let f: SimFixture;
let token: string;

beforeAll(async () => {
  f = await startFixture({ rows: 30, versionOffset: OFFSET });
  token = await f.appToken();
});
afterAll(async () => f?.sim.close());

type Row = Record<string, string>;
async function page(path: string, prefer = 'odata.maxpagesize=100'): Promise<{ value: Row[]; '@odata.deltaLink'?: string }> {
  const res = await f.get(path, token, { Prefer: prefer });
  expect(res.status).toBe(200);
  return parseDataverseJson(await res.text()) as { value: Row[]; '@odata.deltaLink'?: string };
}

describe('version numbers beyond 2^53', () => {
  it('rows carry them exactly in versionnumber and @odata.etag, and filters take them back', async () => {
    const rows = (await page('accounts?$select=name,versionnumber')).value;
    expect(rows).toHaveLength(30);
    for (const r of rows) {
      expect(BigInt(r.versionnumber!)).toBeGreaterThan(OFFSET);
      expect(r['@odata.etag']).toBe(`W/"${r.versionnumber}"`);
    }
    const tenth = rows[9]!.versionnumber!;
    const after = (await page(`accounts?$select=versionnumber&$filter=versionnumber gt ${tenth}`)).value;
    expect(after.map((r) => r.versionnumber)).toEqual(rows.slice(10).map((r) => r.versionnumber));
  });

  it('delta tokens hold them, and changes and deletes come through', async () => {
    const initial = await page('accounts?$select=name', 'odata.track-changes');
    const link = initial['@odata.deltaLink']!;
    const version = BigInt(decodeURIComponent(/\$deltatoken=([^&]+)/.exec(link)![1]!).split('!')[0]!);
    expect(version).toBeGreaterThan(OFFSET);
    const [a, b] = initial.value.map((r) => r.accountid!);
    await f.control('PATCH', `/tables/account/rows/${a}`, { values: { name: 'changed' } });
    await f.control('DELETE', `/tables/account/rows/${b}`);
    const delta = await page(link, 'odata.track-changes');
    expect(delta.value.map((r) => r.name ?? r.id)).toEqual(['changed', b]);
    expect(BigInt(delta.value[0]!['@odata.etag']!.slice(3, -1))).toBeGreaterThan(version);
  });

  it('--version-offset and SIM_VERSION_OFFSET are read exactly; a value beyond int64 is refused in one line', () => {
    expect(loadSimulatorConfig(['--version-offset', '9007199254740993'], {}).versionOffset).toBe(9007199254740993n);
    expect(loadSimulatorConfig([], { SIM_VERSION_OFFSET: '1' }).versionOffset).toBe(1n);
    expect(() => loadSimulatorConfig(['--version-offset', '9300000000000000000'], {})).toThrow(/SIM_VERSION_OFFSET.*int64/);
    expect(() => loadSimulatorConfig(['--version-offset=-1'], {})).toThrow(/SIM_VERSION_OFFSET/);
  });
});
