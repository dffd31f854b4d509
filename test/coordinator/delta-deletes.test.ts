import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import type { MongoClient } from 'mongodb';
import type { Agent } from 'undici';
import { createProducer } from '../../services/shared/kafka.ts';
import { controlTopics } from '../../services/shared/topics.ts';
import { ConnectionStore } from '../../services/dataverse/connections/connection-store.ts';
import { DEFAULT_SCHEDULE } from '../../services/dataverse/connections/connection.ts';
import { saveClientSecret } from '../../services/dataverse/auth/stored-client-secret.ts';
import { createHttpAgent, readCaCertificate } from '../../services/dataverse/client/http-agent.ts';
import { EncryptedSecrets } from '../../services/dataverse/secrets/encrypted-secrets.ts';
import { MongoSecretStore } from '../../services/dataverse/secrets/mongo-secret-store.ts';
import { SecretCipher } from '../../services/dataverse/secrets/secret-cipher.ts';
import { startSimulator, type SimulatorHandle } from '../../services/simulator/simulator.ts';
import { matches, truthVersions, verifyTable } from '../../harness/ground-truth.ts';
import { eventually, startService, type ServiceProcess } from '../../harness/service-process.ts';
import { testKafka, testMongo, uniqueName } from '../support/servers.ts';
import { trustCertificate } from '../../harness/sim-fixture.ts';
import type { HealingProducer } from '../../services/shared/healing-producer.ts';
import { COMMANDS_TOPIC } from '../../services/contracts/topic-names.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';

// Deletes between full runs through delta links, on the real pipeline: simulator → coordinator → extractor →
// Kafka → loader → MongoDB, compared with the simulator's ground truth. `account` has change tracking,
// `new_importlog` has not (it keeps the full-run-only behaviour).
const KEY = randomBytes(32);
const connection = uniqueName('delta');
const stateDb = uniqueName('dstate');
const TABLES = { account: 'accountid', new_importlog: 'new_importlogid' } as const;

interface RunDoc {
  _id: string;
  kind: string;
  status: string;
  requestedBy: string;
  reconcile: string;
  error: { code: string; message: string } | null;
  tombstones: Record<string, number>;
  deltaFallbacks?: Record<string, string>;
  tables: Record<string, { records: number; windowsTotal: number; delta?: { status: string; deletes: number } | null }>;
}

describe('deletes captured by incremental runs through delta links', { timeout: 300_000 }, () => {
  let sim: SimulatorHandle;
  let agent: Agent;
  let mongo: MongoClient;
  let admin: Admin;
  let producer: HealingProducer;
  const services: ServiceProcess[] = [];

  const ctl = async (path: string, method = 'GET', body?: unknown) => {
    const res = await fetch(`${sim.controlUrl}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  const runs = () => mongo.db(stateDb).collection<RunDoc>('runs');
  const deltaLink = async () => (await mongo.db(stateDb).collection('delta_links').findOne({ _id: `${connection}/account` as never }))?.link as string | undefined;
  /** Sends a command and waits until the run it starts is loaded (and, for a full run, reconciled). */
  const runToEnd = async (body: Record<string, unknown>, kind: 'full' | 'incremental') => {
    const before = new Set((await runs().find({}).toArray()).map((r) => r._id));
    await producer.send({ topic: COMMANDS_TOPIC, acks: -1, messages: [{ key: connection, value: JSON.stringify({ connection, requestedBy: 'it', ...body }) }] });
    let failed: RunDoc | undefined;
    const doc = await eventually(async () => {
      const d = (await runs().find({ kind }).toArray()).find((r) => !before.has(r._id));
      if (d?.status === 'failed') failed = d;
      return failed ?? (d?.status === 'loaded' && d.reconcile !== 'pending' ? d : undefined);
    }, 120_000);
    expect(failed?.error, `run ${failed?._id} failed`).toBeUndefined();
    return doc;
  };
  const verdicts = async () => {
    const db = mongo.db(`dynsync_${connection}`);
    return Promise.all(Object.entries(TABLES).map(async ([t, pk]) => verifyTable(db, t, await truthVersions(sim.controlUrl!, agent, t, pk))));
  };
  /** The loader applies the last tombstones shortly after the run is loaded: poll until MongoDB equals the truth. */
  const expectEqualToTruth = async () => {
    const ok = await eventually(async () => {
      const v = await verdicts();
      return v.every(matches) ? v : undefined;
    }, 20_000).catch(async () => verdicts());
    expect(ok.filter((v) => !matches(v))).toEqual([]);
    return ok;
  };
  const deleteAccounts = async (n: number, skip: number) => {
    const ids = [...(await truthVersions(sim.controlUrl!, agent, 'account', 'accountid')).keys()].slice(skip, skip + n);
    for (const id of ids) await ctl(`/tables/account/rows/${id}`, 'DELETE');
    return ids;
  };
  const liveDocs = (ids: string[]) => mongo.db(`dynsync_${connection}`).collection('account').countDocuments({ _id: { $in: ids as never[] }, '_sync.deleted': { $ne: true } });

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, control: true, rows: 150, logLevel: 'silent', stateDir: join(tmpdir(), 'dynsync-sim-test-state') });
    trustCertificate(sim.caCertPath);
    agent = createHttpAgent({ connections: 2, caPem: readCaCertificate(sim.caCertPath) });
    mongo = await testMongo();
    admin = testKafka().admin();
    await admin.connect();
    await ensureTopics(admin, controlTopics());
    producer = createProducer(testKafka());
    await producer.connect();
    const now = new Date();
    await new ConnectionStore(mongo.db(stateDb)).put({
      id: connection, orgUrl: sim.orgUrl, tenantId: sim.tenantId, clientId: sim.clientId, flow: 'client-credentials',
      tables: Object.keys(TABLES), schedule: { ...DEFAULT_SCHEDULE }, createdAt: now, updatedAt: now,
    });
    await saveClientSecret(new EncryptedSecrets(new SecretCipher({ id: '1', key: KEY }), new MongoSecretStore(mongo.db(stateDb))), { id: connection, orgUrl: sim.orgUrl, tenantId: sim.tenantId, clientId: sim.clientId }, sim.clientSecret);
    const env = {
      DYNSYNC_STATE_DB: stateDb, DYNSYNC_SECRETS_DB: stateDb, DYNSYNC_ENCRYPTION_KEY: KEY.toString('base64'),
      DYNSYNC_DEV_ORIGINS: sim.orgUrl, DYNSYNC_DEV_CA_PATH: sim.caCertPath,
    };
    const loaderGroup = uniqueName('delta-loader');
    services.push(
      startService('loader', { ...env, LOADER_GROUP_ID: loaderGroup, LOADER_TOPIC_PATTERN: `^dynamics\\.${connection}\\.`, LOADER_OPS_PORT: '0', LOADER_TOPIC_REFRESH_MS: '500' }),
      startService('extractor', { ...env, EXTRACTOR_GROUP_ID: uniqueName('delta-extractor'), EXTRACTOR_CONNECTIONS: `^${connection}$`, EXTRACTOR_OPS_PORT: '0', EXTRACTOR_SLOTS: '2', KAFKA_TABLE_PARTITIONS: '2', KAFKA_TABLE_PARTITION_ROWS: '0' }),
      startService('coordinator', { ...env, COORDINATOR_GROUP_ID: uniqueName('delta-coordinator'), COORDINATOR_LOADER_GROUP_ID: loaderGroup, COORDINATOR_OPS_PORT: '0',
        COORDINATOR_STATUS_PORT: '0', COORDINATOR_SCHEDULE_ENABLED: 'false', COORDINATOR_TICK_MS: '300', COORDINATOR_WINDOWS_PER_TABLE: '2' }),
    );
    await Promise.all(services.map((s) => s.opsPort()));
    await eventually(async () => (await Promise.all(services.map(async (s) => (await fetch(`http://127.0.0.1:${await s.opsPort()}/health/ready`)).ok))).every(Boolean), 60_000);
  });

  afterAll(async () => {
    await Promise.allSettled(services.map((s) => s.kill('SIGTERM')));
    if (process.env.DELTA_TEST_LOGS) writeFileSync(process.env.DELTA_TEST_LOGS, services.flatMap((s) => s.logs.map((l) => JSON.stringify(l))).join('\n'));
    await Promise.allSettled([producer?.disconnect(), admin?.disconnect(), agent?.close(), mongo?.close(), sim?.close()]);
  });

  it('a full run stores a delta link; the next incremental tombstones the 3 rows deleted meanwhile', async () => {
    const full = await runToEnd({ kind: 'full-resync' }, 'full');
    expect(full.tables.account!.delta).toEqual({ status: 'completed', deletes: 0 });
    // the small tracked table's one window read its rows through change tracking and took the link (no delta task)
    expect(full.tables.account!.windowsTotal).toBe(1);
    expect(full.tables.new_importlog!.delta).toBeNull();
    const firstLink = await deltaLink();
    expect(firstLink).toMatch(/\$deltatoken=/);
    // the window read every column; the link is stored narrowed to the key and modifiedon, as a delta task's
    expect(firstLink).toMatch(/\?\$select=accountid,modifiedon&/);
    await expectEqualToTruth();

    const gone = await deleteAccounts(3, 10);
    expect(await liveDocs(gone)).toBe(3);
    const incremental = await runToEnd({ kind: 'refresh' }, 'incremental');
    expect(incremental.tables.account!.delta).toEqual({ status: 'completed', deletes: 3 });
    expect(incremental.deltaFallbacks).toBeUndefined();
    const after = await expectEqualToTruth();
    expect(await liveDocs(gone)).toBe(0);
    expect(after.find((v) => v.table === 'account')!.truth).toBeGreaterThan(100);
    const secondLink = await deltaLink();
    expect(secondLink).toMatch(/\$deltatoken=/);
    expect(secondLink).not.toBe(firstLink);
  });

  it('incrementals with no change read nothing: once the link covers the range, at most one request per table and no task', async () => {
    // past the overlap: the link the last incremental stored was taken inside it, so it does not cover the next
    // range yet (one count of the range); a run later it does
    await ctl('/clock', 'POST', { shiftSeconds: 400 });
    const stats = async () => ((await ctl('/stats')) as { requests: { dataRequests: number; byKind: Record<string, number> } }).requests;
    const tables = Object.keys(TABLES).length;
    await ctl('/stats/reset', 'POST');
    const first = await runToEnd({ kind: 'refresh' }, 'incremental');
    expect(first.tables.account!.delta).toBeNull(); // nothing changed: no delta task
    const firstStats = await stats();
    expect(firstStats.byKind.rows ?? 0).toBe(0);
    expect(firstStats.dataRequests).toBeLessThanOrEqual(2 + 2 * tables); // WhoAmI, the table list, ≤ 2 per table

    await ctl('/clock', 'POST', { shiftSeconds: 60 });
    await ctl('/stats/reset', 'POST');
    const second = await runToEnd({ kind: 'refresh' }, 'incremental');
    const s = await stats();
    expect(s.byKind.rows ?? 0).toBe(0);
    expect(s.dataRequests, JSON.stringify(s.byKind)).toBeLessThanOrEqual(2 + tables);
    const doc = (await runs().findOne({ _id: second._id })) as unknown as { tables: Record<string, { windowsTotal: number }> };
    expect(Object.values(doc.tables).map((t) => t.windowsTotal)).toEqual([0, 0]);
    await expectEqualToTruth();
  });

  it('an expired delta token (schema change) makes the table fall back to a full run that still ends equal to the truth', async () => {
    // the token is older than the schema change only if they are not in the same second of the source's clock
    await ctl('/clock', 'POST', { shiftSeconds: 5 });
    await ctl('/tables/account/columns', 'POST', { logicalName: 'new_deltatest', kind: 'String' });
    const gone = await deleteAccounts(3, 20);
    const incremental = await runToEnd({ kind: 'refresh' }, 'incremental');
    expect(incremental.tables.account!.delta).toEqual({ status: 'expired', deletes: 0 });
    const fallbackId = incremental.deltaFallbacks?.account;
    expect(fallbackId).toBe(`${incremental._id}-deltafallback-account`);
    let seen: RunDoc | null = null;
    const fallback = await eventually(async () => {
      seen = await runs().findOne({ _id: fallbackId! });
      return seen?.status === 'loaded' && seen.reconcile === 'done' ? seen : undefined;
    }, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}; fallback run: ${JSON.stringify(seen)}`);
    });
    expect(fallback).toMatchObject({ kind: 'full', requestedBy: `delta-expired:${incremental._id}` });
    expect(Object.keys(fallback.tables)).toEqual(['account']);
    // its delta task took a new link (the old one had expired), and reconciliation tombstoned the 3 rows
    expect(fallback.tables.account!.delta).toEqual({ status: 'completed', deletes: 0 });
    expect(fallback.tombstones).toEqual({ account: 3 });
    await expectEqualToTruth();
    expect(await liveDocs(gone)).toBe(0);
    expect(((await ctl('/non-get')) as { count: number }).count).toBe(0);
  });
});
