/**
 * `--hostname`: the simulator answers as `https://contoso.crm.dynamics.com:PORT` to a client that resolves that name
 * to 127.0.0.1 (here a custom DNS lookup instead of a hosts-file entry): the certificate carries the name, tokens
 * are issued for that org URL and accepted, and the links it answers with use the name.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSimulatorConfig } from '../../services/simulator/config.ts';
import { startSimulator, type SimulatorHandle } from '../../services/simulator/simulator.ts';

const NAME = 'contoso.crm.dynamics.com';
let sim: SimulatorHandle;
let ca: string;
/** Resolves every name to 127.0.0.1, as a hosts-file entry would. */
let agent: Agent;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, rows: 20, control: true, logLevel: 'silent', stateDir: mkdtempSync(join(tmpdir(), 'dynsync-sim-hostname-')), hostnames: [NAME, 'org2.api.crm4.dynamics.com'] });
  ca = readFileSync(sim.caCertPath, 'utf8');
  agent = new Agent({ connect: { ca, lookup: (_host, _opts, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]) } });
});
afterAll(async () => {
  await agent?.close();
  await sim?.close();
});

async function tokenFor(resource: string): Promise<{ status: number; token: string; aud: string }> {
  const res = await request(`${sim.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${resource}/.default` }).toString(),
  });
  const body = (await res.body.json()) as { access_token?: string };
  const token = body.access_token ?? '';
  const aud = token ? String(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).aud) : '';
  return { status: res.statusCode, token, aud };
}

describe('--hostname', () => {
  it('puts the names in the certificate', () => {
    const names = new X509Certificate(ca).subjectAltName ?? '';
    expect(names).toContain(`DNS:${NAME}`);
    expect(names).toContain('DNS:org2.api.crm4.dynamics.com');
    expect(names).toContain('IP Address:127.0.0.1');
  });

  it('serves the org under the name: token for that resource, data with links under that name', async () => {
    const org = `https://${NAME}:${sim.port}`;
    expect(sim.aliasUrls).toEqual([org, `https://org2.api.crm4.dynamics.com:${sim.port}`]);
    const { status, token, aud } = await tokenFor(org);
    expect(status).toBe(200);
    expect(aud).toBe(org);
    const res = await request(`${org}/api/data/v9.2/accounts?$select=name`, { dispatcher: agent, headers: { authorization: `Bearer ${token}`, prefer: 'odata.maxpagesize=5' } });
    expect(res.statusCode).toBe(200);
    const page = (await res.body.json()) as { '@odata.context': string; '@odata.nextLink': string; value: unknown[] };
    expect(page.value).toHaveLength(5);
    expect(page['@odata.context']).toBe(`${org}/api/data/v9.2/$metadata#accounts(name)`);
    expect(page['@odata.nextLink'].startsWith(`${org}/api/data/v9.2/accounts?`)).toBe(true);
  });

  it('challenges with the name as resource, and a token for 127.0.0.1 works under the name too (one organisation)', async () => {
    const org = `https://${NAME}:${sim.port}`;
    const anonymous = await request(`${org}/api/data/v9.2/WhoAmI`, { dispatcher: agent });
    await anonymous.body.dump();
    expect(anonymous.statusCode).toBe(401);
    expect(String(anonymous.headers['www-authenticate'])).toContain(`resource_id=${org}/`);
    const { token } = await tokenFor(sim.orgUrl);
    const who = await request(`${org}/api/data/v9.2/WhoAmI`, { dispatcher: agent, headers: { authorization: `Bearer ${token}` } });
    expect(who.statusCode).toBe(200);
    await who.body.dump();
  });

  it('refuses resources that are not one of its names, and a name missing from the certificate fails TLS', async () => {
    expect((await tokenFor('https://other.crm.dynamics.com')).status).toBe(400);
    await expect(request(`https://other.crm.dynamics.com:${sim.port}/api/data/v9.2/WhoAmI`, { dispatcher: agent })).rejects.toThrow(/altnames|ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match/i);
  });

  it('reads repeated --hostname flags and SIM_HOSTNAMES, and refuses a name that is not a DNS name in one line', () => {
    expect(loadSimulatorConfig(['--hostname', 'Contoso.crm.dynamics.com', '--hostname', 'b.example.com'], {}).hostnames).toEqual(['contoso.crm.dynamics.com', 'b.example.com']);
    expect(loadSimulatorConfig([], { SIM_HOSTNAMES: 'a.crm.dynamics.com, b.crm4.dynamics.com' }).hostnames).toEqual(['a.crm.dynamics.com', 'b.crm4.dynamics.com']);
    expect(() => loadSimulatorConfig(['--hostname', 'https://x.com/'], {})).toThrow(/SIM_HOSTNAMES.*DNS names/);
  });
});
