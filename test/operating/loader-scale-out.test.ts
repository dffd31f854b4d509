/**
 * Scale-out on the real broker (issue #21, item 6): three loaders of one group on a table topic with six
 * partitions each get partitions and each loads records, and the result equals the source; a loader killed with
 * `kill -9` while a run is being loaded hands its partitions over (a rebalance after the session timeout) and the
 * run still ends loaded with nothing lost.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignerProtocol, type Admin } from 'kafkajs';
import type { MongoClient } from 'mongodb';
import { request, type Agent } from 'undici';
import { dynsync } from '../../harness/cli-process.ts';
import { matches, truthVersions, verifyTable } from '../../harness/ground-truth.ts';
import { startPipeline, type Pipeline } from '../../harness/pipeline.ts';
import { watchRun } from '../../harness/run-watch.ts';
import { eventually, type ServiceProcess } from '../../harness/service-process.ts';
import { createHttpAgent, readCaCertificate } from '../../services/dataverse/client/http-agent.ts';
import { startSimulator, type SimulatorHandle } from '../../services/simulator/simulator.ts';
import { servers, testKafka, testMongo } from '../support/servers.ts';
import { tableTopic } from '../../services/contracts/topic-names.ts';

const BASE_ROWS = 3000;
const NEW_ROWS = 9000;

/** Partitions of `topic` each member of `group` holds (one array per member). */
async function assignments(admin: Admin, group: string, topic: string): Promise<number[][]> {
  const [g] = (await admin.describeGroups([group])).groups;
  return (g?.members ?? []).map((m) => [...(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [])].sort((a, b) => a - b));
}

/** Records a loader process handled with `outcome` (any outcome when absent), from its own metrics. */
async function handled(loader: ServiceProcess, outcome?: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${await loader.opsPort()}/metrics`)).text();
  const which = outcome ? `[^}]*outcome="${outcome}"` : '';
  return [...text.matchAll(new RegExp(`^dynsync_loader_records_total\\{${which}[^}]*\\} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
}
const written = (loader: ServiceProcess) => handled(loader, 'written');

describe('three loaders on a table topic with six partitions', { timeout: 900_000 }, () => {
  let sim: SimulatorHandle;
  let agent: Agent;
  let mongo: MongoClient;
  let admin: Admin;
  let pipeline: Pipeline;
  let loaders: ServiceProcess[];
  const connection = `scale${randomBytes(3).toString('hex')}`;
  const topic = tableTopic(connection, 'account');
  let env: Record<string, string>;
  const verify = async () => verifyTable(mongo.db(`dynsync_${connection}`), 'account', await truthVersions(sim.controlUrl!, agent, 'account', 'accountid'));
  const run = async (args: string[], kind: 'full' | 'incremental', onStarted?: () => Promise<void>) => {
    const since = new Date(Date.now() - 1000);
    await dynsync([...args, connection], env);
    const watching = watchRun(mongo.db(env.DYNSYNC_STATE_DB!), connection, kind, since, () => undefined, 600_000);
    watching.catch(() => undefined); // awaited below; not unhandled while onStarted runs
    await onStarted?.();
    return watching;
  };

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, control: true, rows: 10, tableRows: { account: BASE_ROWS }, logLevel: 'silent' });
    agent = createHttpAgent({ connections: 2, caPem: readCaCertificate(sim.caCertPath) });
    mongo = await testMongo();
    admin = testKafka().admin();
    await admin.connect();
    env = {
      KAFKA_BROKERS: servers.brokers().join(','), SCHEMA_REGISTRY_URL: servers.registryUrl(), MONGODB_URI: servers.mongoUri(),
      DYNSYNC_ENCRYPTION_KEY: randomBytes(32).toString('base64'), DYNSYNC_STATE_DB: `state_${connection}`, DYNSYNC_SECRETS_DB: `state_${connection}`,
      DYNSYNC_DEV_ORIGINS: sim.orgUrl, DYNSYNC_DEV_AUTHORITY: sim.orgUrl, DYNSYNC_DEV_CA_PATH: sim.caCertPath,
      KAFKA_TABLE_PARTITIONS: '6', KAFKA_TABLE_PARTITION_ROWS: '0',
    };
    await dynsync(['connect', '--name', connection, '--org', sim.orgUrl, '--tenant', sim.tenantId, '--client-id', sim.clientId,
      '--client-secret', sim.clientSecret, '--flow', 'client-credentials', '--tables', 'account'], env);
    pipeline = await startPipeline(connection, env, { loaders: 3 });
    loaders = pipeline.services.filter((s) => s.name === 'loader');
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled([pipeline?.stop(), admin?.deleteTopics({ topics: [topic] })]);
    await Promise.allSettled([admin?.disconnect(), agent?.close(), mongo?.close(), sim?.close()]);
  });

  it('a full run: the six partitions end spread two per loader; MongoDB equals the source', async () => {
    const full = await run(['resync'], 'full');
    expect(full.records).toBe(BASE_ROWS);
    expect((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions).toHaveLength(6);
    // the topic is created by the run: each loader subscribes to it when its own topic refresh finds it, and the
    // group rebalances once per loader, so the spread is reached shortly after, not necessarily before the run ends
    const held = await eventually(async () => {
      const h = await assignments(admin, pipeline.loaderGroup, topic);
      return h.length === 3 && h.every((p) => p.length === 2) ? h : undefined;
    }, 120_000, 1000);
    expect(held.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await Promise.all(loaders.map(written))).reduce((a, b) => a + b, 0)).toBe(BASE_ROWS);
    const verdict = await verify();
    expect(matches(verdict), JSON.stringify(verdict)).toBe(true);
  });

  it('the next full run is loaded by all three loaders, each from its own partitions', async () => {
    const before = await Promise.all(loaders.map((l) => handled(l)));
    const full = await run(['resync'], 'full');
    expect(full.records).toBe(BASE_ROWS);
    const after = await Promise.all(loaders.map((l) => handled(l)));
    for (const [i, n] of after.entries()) expect(n - before[i]!, `loader ${i}`).toBeGreaterThan(0);
    expect(after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)).toBe(BASE_ROWS);
  });

  it('kill -9 of a loader while a run is loaded: the other two take its partitions over and nothing is lost', async () => {
    const control = async (path: string, body: unknown) => {
      const res = await request(`${sim.controlUrl}${path}`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.statusCode, await res.body.text()).toBe(200);
    };
    await control('/tables/account/bulk', { count: NEW_ROWS });
    // the coordinator reads up to Dataverse time minus a safety lag (60 s): let two minutes pass on the source
    await control('/clock', { shiftSeconds: 120 });
    const victim = loaders[0]!;
    const before = await written(victim);
    let loadedWhenKilled: string | undefined;
    const incremental = await run(['sync'], 'incremental', async () => {
      // as soon as the victim loads records of this run, and before the run is loaded
      await eventually(async () => (await written(victim)) > before, 300_000, 100);
      expect(await victim.kill('SIGKILL')).toBe('SIGKILL');
      const doc = await mongo.db(env.DYNSYNC_STATE_DB!).collection('runs').findOne({ connection, kind: 'incremental' }, { sort: { startedAt: -1 } });
      loadedWhenKilled = doc?.status as string | undefined;
    });
    expect(loadedWhenKilled).not.toBe('loaded');
    expect(incremental.records).toBeGreaterThanOrEqual(NEW_ROWS);
    const held = await eventually(async () => {
      const h = await assignments(admin, pipeline.loaderGroup, topic);
      return h.length === 2 ? h : undefined;
    }, 120_000, 1000);
    expect(held.map((p) => p.length)).toEqual([3, 3]);
    expect(held.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const verdict = await verify();
    expect(verdict.stored).toBe(BASE_ROWS + NEW_ROWS);
    expect(matches(verdict), JSON.stringify(verdict)).toBe(true);
  });
});
