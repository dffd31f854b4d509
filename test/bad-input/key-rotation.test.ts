/**
 * Security, key rotation (issue #22, item 4), in the middle of a running full sync, as SECURITY.md ("Rotating the
 * encryption key") says: the services run with key k1; while the run is extracting, the coordinator and the extractor
 * restart with k2 as the current key and k1 in DYNSYNC_PREVIOUS_ENCRYPTION_KEYS, and `dynsync secrets reseal` re-seals
 * every secret with k2. The run ends loaded and MongoDB equals the simulator; a second reseal changes nothing; then the
 * old key is dropped and an incremental run still works. Real processes on the real servers and the simulator.
 */
import { randomBytes } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import { request, type Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynsync } from '../../harness/cli-process.ts';
import { truthVersions, verifyTable } from '../../harness/ground-truth.ts';
import { eventually, startService, type ServiceProcess } from '../../harness/service-process.ts';
import { watchRun } from '../../harness/run-watch.ts';
import { createHttpAgent, readCaCertificate } from '../../services/dataverse/client/http-agent.ts';
import { startSimulator, type SimulatorHandle } from '../../services/simulator/simulator.ts';
import { runDynsync } from '../cli/cli-harness.ts';
import { servers, testMongo } from '../support/servers.ts';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const connection = `rot${randomBytes(3).toString('hex')}`;
const stateDb = `state_${connection}`;
const TABLES = ['account', 'contact'];

describe('key rotation in the middle of a run', { timeout: 600_000 }, () => {
  let sim: SimulatorHandle;
  let agent: Agent;
  let mongo: MongoClient;
  let base: Record<string, string>;
  const services = new Map<string, ServiceProcess>();
  const withKey = (current: 'k1' | 'k2', previous: boolean) => ({
    ...base,
    DYNSYNC_ENCRYPTION_KEY: current === 'k1' ? K1 : K2,
    DYNSYNC_ENCRYPTION_KEY_ID: current,
    ...(previous ? { DYNSYNC_PREVIOUS_ENCRYPTION_KEYS: `k1:${K1}` } : {}),
  });
  const env = (role: 'coordinator' | 'extractor' | 'loader', keys: Record<string, string>) => ({
    ...keys,
    ...servers.principalEnv(role),
    ...(role === 'coordinator'
      ? { COORDINATOR_GROUP_ID: `dynsync-coordinator-${connection}`, COORDINATOR_LOADER_GROUP_ID: `dynsync-loader-${connection}`, COORDINATOR_CONNECTIONS: `^${connection}$`, COORDINATOR_OPS_PORT: '0', COORDINATOR_STATUS_PORT: '0', COORDINATOR_SCHEDULE_ENABLED: 'false', COORDINATOR_TICK_MS: '500' }
      : role === 'extractor'
        ? { EXTRACTOR_GROUP_ID: `dynsync-extractor-${connection}`, EXTRACTOR_CONNECTIONS: `^${connection}$`, EXTRACTOR_OPS_PORT: '0', EXTRACTOR_FROM_BEGINNING: 'false', DATAVERSE_PAGE_SIZE: '50' }
        : { LOADER_GROUP_ID: `dynsync-loader-${connection}`, LOADER_TOPIC_PATTERN: `^dynamics\\.${connection}\\.`, LOADER_OPS_PORT: '0', LOADER_TOPIC_REFRESH_MS: '1000' }),
  });
  const start = async (role: 'coordinator' | 'extractor' | 'loader', keys: Record<string, string>) => {
    const p = startService(role, env(role, keys));
    services.set(role, p);
    await eventually(async () => (await fetch(`http://127.0.0.1:${await p.opsPort()}/health/ready`)).ok, 120_000, 250);
  };
  const faults = (body: unknown) => request(`${sim.controlUrl}/faults`, { method: body ? 'POST' : 'DELETE', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined }).then((r) => r.body.dump());
  const secrets = () => mongo.db(stateDb).collection<{ _id: string; keyId: string; aad?: number }>('secrets').find({ connectionId: connection }).toArray();
  const verify = async () => Promise.all(TABLES.map(async (t) => verifyTable(mongo.db(`dynsync_${connection}`), t, await truthVersions(sim.controlUrl!, agent, t, `${t}id`))));

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, control: true, logLevel: 'silent', rows: 600, tableRows: { account: 1500, contact: 600 } });
    agent = createHttpAgent({ connections: 2, caPem: readCaCertificate(sim.caCertPath) });
    mongo = await testMongo();
    base = {
      ...servers.env(), DYNSYNC_STATE_DB: stateDb, DYNSYNC_SECRETS_DB: stateDb,
      DYNSYNC_DEV_ORIGINS: sim.orgUrl, DYNSYNC_DEV_AUTHORITY: sim.orgUrl, DYNSYNC_DEV_CA_PATH: sim.caCertPath, LOG_LEVEL: 'info',
    };
    const ops = { ...withKey('k1', false), ...servers.principalEnv('ops') };
    const connect = await runDynsync(['connect', '--name', connection, '--org', sim.orgUrl, '--tenant', sim.tenantId, '--client-id', sim.clientId, '--client-secret-stdin', '--flow', 'client-credentials', '--tables', TABLES.join(',')], ops, `${sim.clientSecret}\n`);
    expect(connect.code, connect.stderr).toBe(0);
    for (const role of ['loader', 'extractor', 'coordinator'] as const) await start(role, withKey('k1', false));
  });

  afterAll(async () => {
    await Promise.allSettled([...services.values()].map((s) => s.kill('SIGTERM')));
    await Promise.allSettled([agent?.close(), mongo?.close(), sim?.close()]);
  });

  it('rotates k1 → k2 while a full sync runs: the run ends loaded and whole, every secret sealed with k2', async () => {
    expect((await secrets()).map((s) => s.keyId)).toEqual(expect.arrayContaining(['k1']));
    await faults({ latencyMs: 150 }); // a slow organisation: the run is still extracting when the key changes
    const since = new Date(Date.now() - 1000);
    await dynsync(['resync', connection], { ...withKey('k1', false), ...servers.principalEnv('ops') });
    const running = await eventually(async () => {
      const run = await mongo.db(stateDb).collection('runs').findOne({ connection, kind: 'full', startedAt: { $gte: since } });
      return run && run.status === 'running' ? run : undefined;
    }, 120_000, 250);

    // the rotation: the services restart on k2 (k1 only to read), the secrets are re-sealed while the run goes on
    for (const role of ['coordinator', 'extractor'] as const) {
      await services.get(role)!.kill('SIGTERM');
      await start(role, withKey('k2', true));
    }
    const out = await dynsync(['secrets', 'reseal', '--json'], { ...withKey('k2', true), ...servers.principalEnv('ops') });
    const report = JSON.parse(out) as { resealed: number; current: number; failed: number };
    expect(report.failed).toBe(0);
    expect(report.resealed + report.current).toBe((await secrets()).length);
    await faults(undefined);

    const run = await watchRun(mongo.db(stateDb), connection, 'full', since, () => undefined, 300_000);
    expect(run.runId).toBe(running._id); // the run that was extracting when the key changed, loaded
    for (const v of await verify()) expect(v, v.table).toMatchObject({ missing: 0, stale: 0, extra: 0 });
    for (const s of await secrets()) expect(s, s._id).toMatchObject({ keyId: 'k2', aad: 2 });
  });

  it('a second reseal changes nothing; with the old key dropped the next run still works', async () => {
    const dry = JSON.parse(await dynsync(['secrets', 'reseal', '--dry-run', '--json'], { ...withKey('k2', true), ...servers.principalEnv('ops') })) as { resealed: number };
    expect(dry.resealed).toBe(0);
    for (const role of ['coordinator', 'extractor'] as const) {
      await services.get(role)!.kill('SIGTERM');
      await start(role, withKey('k2', false));
    }
    const since = new Date(Date.now() - 1000);
    await dynsync(['sync', connection], { ...withKey('k2', false), ...servers.principalEnv('ops') });
    const run = await watchRun(mongo.db(stateDb), connection, 'incremental', since, () => undefined, 300_000); // loaded, or it throws
    expect(run.kind).toBe('incremental');
    // and a process still on the old key alone can read nothing: it names the key id it lacks
    const old = await dynsync(['tables', connection], withKey('k1', false)).then(() => 'read', (err: Error) => err.message);
    expect(old).toMatch(/encrypted with key id "k2", which is not configured/);
  });
});
