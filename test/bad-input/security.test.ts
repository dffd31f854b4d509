/**
 * Security findings of issue #22 that are not about Kafka (kafka-auth.test.ts, forged-events.test.ts) or the key
 * rotation (key-rotation.test.ts), each with the check that fails on the code before the fix:
 * - development switches: loopback only, the authority one of them, the dev CA for dev origins only, refused with
 *   NODE_ENV=production;
 * - a secret bound to its connection's organisation, tenant and app; secrets stored before that binding re-sealed;
 * - the status page: Host allow-list whatever the bind address, bearer and basic authentication;
 * - smaller items: `--client-secret` warned about, GCM tag and IV lengths, the retired `germany` cloud, the redirect URI
 *   on 127.0.0.1, the browser opener's environment, a column named `_id`, core dumps and patch-package in the image.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MongoClient } from 'mongodb';
import { generate } from 'selfsigned';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../../harness/service-process.ts';
import { browserEnv } from '../../services/cli/open-browser.ts';
import { startConsentCallback } from '../../services/cli/consent-callback.ts';
import { loadCoordinatorConfig } from '../../services/coordinator/config.ts';
import { statusAccess } from '../../services/coordinator/status/status-access.ts';
import { startStatusServer, type StatusServer } from '../../services/coordinator/status/status-server.ts';
import { ConnectionStore } from '../../services/dataverse/connections/connection-store.ts';
import { checkDevSwitches } from '../../services/dataverse/connections/dev-switches.ts';
import { dataverseAgent } from '../../services/dataverse/connections/open-connection.ts';
import { parseOrgUrl } from '../../services/dataverse/org/org-url.ts';
import { secretId } from '../../services/dataverse/secrets/encrypted-secrets.ts';
import { SecretCipher } from '../../services/dataverse/secrets/secret-cipher.ts';
import { loadExtractorConfig } from '../../services/extractor/config.ts';
import { planUpserts } from '../../services/loader/core/upsert-plan.ts';
import { systemClock } from '../../services/shared/clock.ts';
import { isSyncError } from '../../services/shared/errors.ts';
import { createLogger } from '../../services/shared/log.ts';
import { startSimulator, type SimulatorHandle } from '../../services/simulator/simulator.ts';
import { cliEnv, runDynsync } from '../cli/cli-harness.ts';
import { trustCertificate } from '../../harness/sim-fixture.ts';
import { testMongo, uniqueName } from '../support/servers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const configError = (load: () => unknown): string => {
  try {
    load();
  } catch (err) {
    if (isSyncError(err, 'CONFIG_INVALID')) return err.message;
    throw err;
  }
  throw new Error('accepted');
};

describe('development switches', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ['a dev origin off loopback', { DYNSYNC_DEV_ORIGINS: 'https://127.0.0.1:8443,https://sim.example.com:8443' }, /DYNSYNC_DEV_ORIGINS \(item 2\): is on sim\.example\.com, not on this machine's loopback/],
    ['a dev origin on another machine of the network', { DYNSYNC_DEV_ORIGINS: 'https://10.0.0.7:8443' }, /DYNSYNC_DEV_ORIGINS \(item 1\): is on 10\.0\.0\.7/],
    ['a dev authority off loopback', { DYNSYNC_DEV_AUTHORITY: 'https://login.example.com' }, /DYNSYNC_DEV_AUTHORITY: is on login\.example\.com, not on this machine's loopback/],
  ])('%s is refused by the configuration, naming the variable', (_name, env, reason) => {
    expect(configError(() => loadExtractorConfig(env))).toMatch(reason);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['an authority that is not one of the dev origins', { DYNSYNC_DEV_ORIGINS: 'https://127.0.0.1:8443', DYNSYNC_DEV_AUTHORITY: 'https://127.0.0.1:9443' }, /DYNSYNC_DEV_AUTHORITY: must be one of DYNSYNC_DEV_ORIGINS/],
    ['a dev CA without dev origins', { DYNSYNC_DEV_CA_PATH: '/tmp/ca.pem' }, /DYNSYNC_DEV_CA_PATH: is trusted only for DYNSYNC_DEV_ORIGINS, which is empty/],
    ['any switch with NODE_ENV=production', { NODE_ENV: 'production', DYNSYNC_DEV_ORIGINS: 'https://127.0.0.1:8443', DYNSYNC_DEV_CA_PATH: '/tmp/ca.pem' }, /DYNSYNC_DEV_ORIGINS: a development switch, refused with NODE_ENV=production[\s\S]*DYNSYNC_DEV_CA_PATH: a development switch/],
  ])('%s is refused at start-up', (_name, env, reason) => {
    expect(configError(() => checkDevSwitches('coordinator', loadCoordinatorConfig(env)))).toMatch(reason);
  });

  it('the extractor refuses them with NODE_ENV=production: exit 2, one line per switch', async () => {
    const p = startService('extractor', { NODE_ENV: 'production', DYNSYNC_DEV_ORIGINS: 'https://127.0.0.1:8443', DYNSYNC_ENCRYPTION_KEY: randomBytes(32).toString('base64'), EXTRACTOR_OPS_PORT: '0' });
    let err = '';
    p.child.stderr!.on('data', (c: string) => (err += c));
    expect(await p.exited()).toBe(2);
    expect(err).toMatch(/^CONFIG_INVALID: extractor: invalid configuration \(1 problem\); fix these environment variables:\n {2}DYNSYNC_DEV_ORIGINS: a development switch, refused with NODE_ENV=production/);
  });

  describe('the dev CA is trusted for the dev origins only', () => {
    let server: Server;
    let caPath: string;
    let port: number;
    beforeAll(async () => {
      // one certificate for 127.0.0.1 and localhost, signed by nobody the system trusts (like the simulator's)
      const pems = await generate([{ name: 'commonName', value: 'dev server' }], {
        keySize: 2048, algorithm: 'sha256',
        extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
      });
      caPath = join(tmpdir(), `dynsync-dev-ca-${randomBytes(4).toString('hex')}.pem`);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(caPath, pems.cert);
      server = createHttpsServer({ cert: pems.cert, key: pems.private }, (_req, res) => res.end('ok'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('reaches the dev origin with it, and refuses the same certificate for any other origin', async () => {
      const agent = dataverseAgent({ DATAVERSE_MAX_CONNECTIONS: 2, DYNSYNC_DEV_CA_PATH: caPath, DYNSYNC_DEV_ORIGINS: [`https://127.0.0.1:${port}`] });
      try {
        const ok = await request(`https://127.0.0.1:${port}/`, { dispatcher: agent });
        expect(await ok.body.text()).toBe('ok');
        // the same server under another name: the certificate names it, but the dev CA is not trusted there
        const other = await request(`https://localhost:${port}/`, { dispatcher: agent }).then(() => 'trusted', (err: Error) => `${(err as { code?: string }).code ?? ''} ${err.message}`);
        expect(other).toMatch(/SELF_SIGNED|self[- ]signed|unable to verify/i);
      } finally {
        await agent.close();
      }
    });
  });
});

describe('a secret is bound to its connection', () => {
  let simA: SimulatorHandle;
  let simB: SimulatorHandle;
  let mongo: MongoClient;
  let env: Record<string, string>;
  const name = `bound${randomBytes(3).toString('hex')}`;
  const entra = async (sim: SimulatorHandle) => ((await (await fetch(`${sim.controlUrl}/stats`)).json()) as { entraRequests: number }).entraRequests;

  beforeAll(async () => {
    const stateDir = join(tmpdir(), 'dynsync-sim-test-state');
    [simA, simB] = await Promise.all([
      startSimulator({ port: 0, control: true, logLevel: 'silent', stateDir, seed: 31, rows: 20 }),
      startSimulator({ port: 0, control: true, logLevel: 'silent', stateDir, seed: 32, rows: 20 }),
    ]);
    trustCertificate(simA.caCertPath);
    mongo = await testMongo();
    env = { ...cliEnv(simA), DYNSYNC_DEV_ORIGINS: `${simA.orgUrl},${simB.orgUrl}` };
    const r = await runDynsync(['connect', '--name', name, '--org', simA.orgUrl, '--tenant', simA.tenantId, '--client-id', simA.clientId, '--client-secret-stdin', '--flow', 'client-credentials', '--tables', 'account'], env, `${simA.clientSecret}\n`);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await Promise.allSettled([mongo?.close(), simA?.close(), simB?.close()]);
  });

  it('a connection re-pointed at another organisation no longer decrypts its secret, which is never sent there', async () => {
    const state = mongo.db(env.DYNSYNC_STATE_DB!);
    await state.collection('connections').updateOne({ _id: name as never }, { $set: { orgUrl: simB.orgUrl } });
    const before = await entra(simB);
    const r = await runDynsync(['tables', name], { ...env, DYNSYNC_DEV_AUTHORITY: simB.orgUrl });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot decrypt secret .*client-secret.*: the encryption key \(id "1"\) does not match .* or the stored data was altered/);
    expect(r.stderr).not.toContain(simA.clientSecret);
    expect(await entra(simB)).toBe(before); // not even the sign-in discovery: the secret stayed sealed
    await state.collection('connections').updateOne({ _id: name as never }, { $set: { orgUrl: simA.orgUrl } });
    expect((await runDynsync(['tables', name], env)).code).toBe(0);
  });

  it('dynsync secrets reseal binds a secret stored before the binding, once (idempotent)', async () => {
    const state = mongo.db(env.DYNSYNC_STATE_DB!);
    const key = { id: '1', key: Buffer.from(env.DYNSYNC_ENCRYPTION_KEY!, 'base64') };
    const legacy = 'legacy';
    const now = new Date();
    await new ConnectionStore(state).put({ id: legacy, orgUrl: simA.orgUrl, tenantId: simA.tenantId, clientId: simA.clientId, flow: 'client-credentials', tables: ['account'], schedule: { full: '0 2 * * *', incremental: '0 */2 * * *', timeZone: 'UTC' }, createdAt: now, updatedAt: now });
    const id = secretId(legacy, 'client-secret');
    // sealed as before: the id alone as associated data, no `aad` marker
    await state.collection('secrets').insertOne({ _id: id as never, connectionId: legacy, name: 'client-secret', ...new SecretCipher(key).seal(simA.clientSecret, id), updatedAt: now });
    const first = await runDynsync(['secrets', 'reseal', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ resealed: 1, failed: 0, orphans: 0 });
    expect(await state.collection('secrets').findOne({ _id: id as never })).toMatchObject({ aad: 2, keyId: '1' });
    const again = await runDynsync(['secrets', 'reseal', '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ resealed: 0, failed: 0 });
    expect((await runDynsync(['tables', legacy, '--table', 'account'], env)).code).toBe(0);
  });

  it('--client-secret works but warns that other users can read it', async () => {
    const r = await runDynsync(['connect', '--name', `${name}b`, '--org', simA.orgUrl, '--tenant', simA.tenantId, '--client-id', simA.clientId, '--client-secret', simA.clientSecret, '--flow', 'client-credentials'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: --client-secret puts the secret on the command line, where other users of this machine can read it (ps, /proc) and shell history keeps it: prefer --client-secret-stdin');
  });
});

describe('the status page', () => {
  let mongo: MongoClient;
  const servers: StatusServer[] = [];
  const get = async (s: StatusServer, host: string, authorization?: string) => {
    const res = await request(`http://127.0.0.1:${s.port}/api/status`, { headers: { host, ...(authorization ? { authorization } : {}) } });
    await res.body.dump();
    return { status: res.statusCode, challenge: res.headers['www-authenticate'] };
  };
  const start = async (env: Record<string, string>, host = '0.0.0.0') => {
    const access = statusAccess(loadCoordinatorConfig(env));
    const s = await startStatusServer({ db: mongo.db(uniqueName('statusstate')), loaderGroupId: 'none', clock: systemClock, log: createLogger('status-test', 'silent'), port: 0, host, access, sampleEveryMs: 0 });
    servers.push(s);
    return s;
  };
  beforeAll(async () => {
    mongo = await testMongo();
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await mongo.close();
  });

  it('checks the Host header even when bound to 0.0.0.0 (DNS rebinding): 421 for another name', async () => {
    const s = await start({});
    expect((await get(s, 'attacker.example:9180')).status).toBe(421);
    expect((await get(s, `127.0.0.1:${s.port}`)).status).toBe(200);
  });

  it('answers the names of COORDINATOR_STATUS_ALLOWED_HOSTS behind a proxy', async () => {
    const s = await start({ COORDINATOR_STATUS_ALLOWED_HOSTS: 'status.example.com' });
    expect((await get(s, 'status.example.com')).status).toBe(200);
    expect((await get(s, `127.0.0.1:${s.port}`)).status).toBe(421);
  });

  it('requires the bearer token when one is set', async () => {
    const token = randomBytes(18).toString('base64url');
    const s = await start({ COORDINATOR_STATUS_TOKEN: token });
    expect(await get(s, '127.0.0.1')).toEqual({ status: 401, challenge: 'Bearer realm="dynsync status"' });
    expect((await get(s, '127.0.0.1', 'Bearer nope-nope-nope-nope')).status).toBe(401);
    expect((await get(s, '127.0.0.1', `Bearer ${token}`)).status).toBe(200);
  });

  it('asks a browser for the user and password of basic authentication', async () => {
    const s = await start({ COORDINATOR_STATUS_USERNAME: 'ops', COORDINATOR_STATUS_PASSWORD: 'pw-of-the-status-page' });
    expect(await get(s, '127.0.0.1')).toEqual({ status: 401, challenge: 'Basic realm="dynsync status", charset="UTF-8"' });
    expect((await get(s, '127.0.0.1', `Basic ${Buffer.from('ops:pw-of-the-status-page').toString('base64')}`)).status).toBe(200);
  });
});

describe('smaller items', () => {
  it('GCM: a secret whose tag is cut to 4 bytes (forgeable with 2^32 tries) or whose IV is not 12 bytes is refused', () => {
    const c = new SecretCipher({ id: '1', key: randomBytes(32) });
    const sealed = c.seal('value', 'ctx');
    const short = { ...sealed, tag: Buffer.from(sealed.tag, 'base64').subarray(0, 4).toString('base64') };
    expect(() => c.open(short, 'ctx')).toThrow(/tag 4 \(expected 12 and 16\)/);
    expect(() => c.open({ ...sealed, iv: randomBytes(16).toString('base64') }, 'ctx')).toThrow(/IV is 16 bytes/);
  });

  it('the retired Microsoft Cloud Germany is refused: no token is requested from login.microsoftonline.de', () => {
    expect(() => parseOrgUrl('https://firma.crm.microsoftdynamics.de')).toThrow(/Microsoft Cloud Germany, closed in October 2021/);
  });

  it('the consent redirect URI is the loopback literal where the callback listens (RFC 8252 §8.3)', async () => {
    const cb = await startConsentCallback({ port: 0, state: 's', timeoutMs: 5_000 });
    try {
      expect(cb.redirectUri).toBe(`http://127.0.0.1:${cb.port}/callback`);
    } finally {
      await cb.close();
    }
  });

  it('the browser opener gets the desktop variables only, never the encryption key or a Kafka password', () => {
    const env = browserEnv({ PATH: '/usr/bin', DISPLAY: ':0', DYNSYNC_ENCRYPTION_KEY: 'k', KAFKA_SASL_PASSWORD: 'p', MONGODB_URI: 'mongodb://u:p@h/' });
    expect(env).toEqual({ PATH: '/usr/bin', DISPLAY: ':0' });
  });

  it('a column named _id never replaces the record id (fixed in upsert-plan.ts, tested there too)', () => {
    const [op] = planUpserts([{ id: 'real', version: 1n, modifiedOnMs: 0, runStartMs: 0, hash: 'h', fields: { _id: 'evil', name: 'x' }, meta: { runId: 'r' } }], (n) => n);
    expect(op!.replacement._id).toBe('real');
  });

  it('the image disables core dumps and ships no patch-package (a build tool)', () => {
    const dockerfile = readFileSync(join(root, 'infra/Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/ENTRYPOINT \["\/bin\/sh", "-c", "ulimit -c 0; /);
    expect(runtime).not.toMatch(/patch-package|npm ci|npx/);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.dependencies['patch-package']).toBeUndefined();
    expect(pkg.devDependencies['patch-package']).toBeDefined();
    expect(readFileSync(join(root, 'infra/docker-compose.pipeline.yml'), 'utf8')).toMatch(/ulimits: \{ core: 0 \}/);
  });
});
