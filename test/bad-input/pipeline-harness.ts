/**
 * One running pipeline for the bad-input suite: two simulated organisations (two in-process simulators with
 * different seeds), two connections (A through `dynsync connect` with the delegated OAuth flow, so a refresh
 * token is in play; B stored directly with client credentials), coordinator, extractor and loader as child
 * processes with every stdout/stderr line captured, tails of the shared control topics from this file's start,
 * and the ground-truth comparison of MongoDB against each simulator.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { MongoClient } from 'mongodb';
import { request, type Agent } from 'undici';
import { createProducer } from '../../services/shared/kafka.ts';
import { controlTopics, tableTopicSpec } from '../../services/shared/topics.ts';
import { saveClientSecret } from '../../services/dataverse/auth/stored-client-secret.ts';
import { DEFAULT_SCHEDULE } from '../../services/dataverse/connections/connection.ts';
import { ConnectionStore } from '../../services/dataverse/connections/connection-store.ts';
import { createHttpAgent, readCaCertificate } from '../../services/dataverse/client/http-agent.ts';
import { EncryptedSecrets } from '../../services/dataverse/secrets/encrypted-secrets.ts';
import { MongoSecretStore } from '../../services/dataverse/secrets/mongo-secret-store.ts';
import { SecretCipher } from '../../services/dataverse/secrets/secret-cipher.ts';
import { startSimulator, type SimulatorHandle } from '../../services/simulator/simulator.ts';
import { startService, eventually, type ServiceProcess } from '../../harness/service-process.ts';
import { truthVersions, verifyTable, type TableVerdict } from '../../harness/ground-truth.ts';
import { runDynsync } from '../cli/cli-harness.ts';
import { trustCertificate } from '../../harness/sim-fixture.ts';
import { servers, testKafka, testMongo } from '../support/servers.ts';
import type { HealingProducer } from '../../services/shared/healing-producer.ts';
import { tableTopic, COMMANDS_TOPIC, COORDINATOR_TOPIC, TASKS_TOPIC, DLQ_TOPIC } from '../../services/contracts/topic-names.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';

/** A simulated organisation and the connection that syncs it. */
export interface Org {
  sim: SimulatorHandle;
  connection: string;
  tables: string[];
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

/** A message read from a tailed topic. */
export interface TailedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** The running pipeline. */
export interface Pipeline {
  a: Org;
  b: Org;
  key: Buffer;
  stateDb: string;
  mongo: MongoClient;
  kafka: Kafka;
  producer: HealingProducer;
  services: Record<'coordinator' | 'extractor' | 'loader', ServiceProcess>;
  /** Every stdout/stderr line of the services and the CLI, as text. */
  output: string[];
  /** Messages of the control topics, the DLQ and the connections' table topics produced since the pipeline started. */
  tailed: TailedMessage[];
  /** Produces one command (raw value) to sync.commands; resolves to its partition and offset. */
  command(key: string | null, value: string | Buffer | null): Promise<{ partition: number; offset: string }>;
  /**
   * Sends a command for `org` and waits until its run is extracted (completed). Not until it is loaded: runs stay
   * `completed` at the time of writing even once the loader passed their offsets (reported), so callers wait for
   * MongoDB to equal the source instead.
   */
  sync(org: Org, kind: 'full' | 'incremental', tables?: string[]): Promise<{ runId: string; status: string; records: number }>;
  /** Sends a full resync of `org` and waits until the run is completed (extracted; not necessarily loaded). */
  extract(org: Org, tables?: string[]): Promise<{ runId: string; status: string; records: number }>;
  /** The loader group's committed offsets of `topic` (partition → offset). */
  loaderOffsets(topic: string): Promise<Record<number, string>>;
  /** The ids of the simulator's live rows of `table`. */
  ids(org: Org, table: string): Promise<string[]>;
  /** id → name of the simulator's live accounts. */
  accountNames(org: Org): Promise<Map<string, string>>;
  /** Everything the services and the CLI printed so far (stdout JSON lines and stderr). */
  allOutput(): string;
  /** MongoDB against the simulator's truth, table by table. */
  verify(org: Org): Promise<TableVerdict[]>;
  close(): Promise<void>;
}

const PK: Record<string, string> = { account: 'accountid', contact: 'contactid' };

async function control<T>(sim: SimulatorHandle, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.controlUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Tails `topics` from their current end offsets into `into`. */
async function tail(kafka: Kafka, admin: Admin, topics: string[], into: TailedMessage[]): Promise<Consumer> {
  const starts = new Map<string, { partition: number; offset: string }[]>();
  for (const topic of topics) starts.set(topic, (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: p.high })));
  const consumer = kafka.consumer({ groupId: `badinput-tail-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 200, maxBytesPerPartition: 2 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({ eachMessage: async ({ topic, partition, message }) => void into.push({ topic, partition, message }) });
  await joined;
  for (const [topic, parts] of starts) for (const p of parts) consumer.seek({ topic, ...p });
  return consumer;
}

/** Starts simulators, connections, services and tails. */
export async function startPipeline(): Promise<Pipeline> {
  const suffix = randomBytes(3).toString('hex');
  const stateDir = join(tmpdir(), 'dynsync-sim-test-state');
  const [simA, simB] = await Promise.all([
    startSimulator({ port: 0, control: true, logLevel: 'silent', stateDir, seed: 11, rows: 60, tableRows: { account: 300, contact: 150 } }),
    startSimulator({ port: 0, control: true, logLevel: 'silent', stateDir, seed: 22, rows: 60, tableRows: { account: 200 } }),
  ]);
  trustCertificate(simA.caCertPath);
  const a: Org = { sim: simA, connection: `bia${suffix}`, tables: ['account', 'contact'], control: (m, p, b) => control(simA, m, p, b) };
  const b: Org = { sim: simB, connection: `bib${suffix}`, tables: ['account'], control: (m, p, b2) => control(simB, m, p, b2) };
  const key = randomBytes(32);
  const stateDb = `bistate_${suffix}`;
  const output: string[] = [];
  const mongo = await testMongo();
  const kafka = testKafka(`badinput-${suffix}`);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, controlTopics());
  const producer = createProducer(kafka);
  await producer.connect();
  const tailed: TailedMessage[] = [];
  // the table topics exist before the extractor would create them, so their tail holds every record
  const tables = [...a.tables.map((t) => tableTopic(a.connection, t)), ...b.tables.map((t) => tableTopic(b.connection, t))];
  await ensureTopics(admin, tables.map((t) => tableTopicSpec(t, 2)));
  const tailer = await tail(kafka, admin, [COMMANDS_TOPIC, COORDINATOR_TOPIC, TASKS_TOPIC, DLQ_TOPIC, ...tables], tailed);

  const base = { MONGODB_URI: servers.mongoUri(), KAFKA_BROKERS: servers.brokers().join(','), SCHEMA_REGISTRY_URL: servers.registryUrl() };
  const runtime = {
    ...base,
    DYNSYNC_ENCRYPTION_KEY: key.toString('base64'),
    DYNSYNC_STATE_DB: stateDb,
    DYNSYNC_SECRETS_DB: stateDb,
    DYNSYNC_DEV_ORIGINS: `${simA.orgUrl},${simB.orgUrl}`,
    DYNSYNC_DEV_CA_PATH: simA.caCertPath,
  };
  // A: the seed's delegated OAuth flow through the real CLI (its refresh token lands in the sealed cache)
  const connect = await runDynsync(
    ['connect', '--name', a.connection, '--org', simA.orgUrl, '--tenant', simA.tenantId, '--client-id', simA.clientId, '--client-secret-stdin', '--flow', 'delegated', '--auto-consent', '--tables', a.tables.join(',')],
    { ...runtime, DYNSYNC_DEV_ORIGINS: simA.orgUrl, DYNSYNC_DEV_AUTHORITY: simA.orgUrl, LOG_LEVEL: 'info' },
    simA.clientSecret,
  );
  output.push(connect.stdout, connect.stderr);
  if (connect.code !== 0) throw new Error(`dynsync connect failed: ${connect.stderr}`);
  // B: an application user (client credentials), stored directly
  const now = new Date();
  await new ConnectionStore(mongo.db(stateDb)).put({
    id: b.connection, orgUrl: simB.orgUrl, tenantId: simB.tenantId, clientId: simB.clientId, flow: 'client-credentials',
    tables: b.tables, schedule: { ...DEFAULT_SCHEDULE }, createdAt: now, updatedAt: now,
  });
  await saveClientSecret(new EncryptedSecrets(new SecretCipher({ id: '1', key }), new MongoSecretStore(mongo.db(stateDb))), { id: b.connection, orgUrl: simB.orgUrl, tenantId: simB.tenantId, clientId: simB.clientId }, simB.clientSecret);

  // each service as its own Kafka principal with only its ACLs (SECURITY.md): group ids under the ACLs' prefixes
  const loaderGroup = `dynsync-loader-badinput-${suffix}`;
  const mine = `(${a.connection}|${b.connection})`;
  const capture = (p: ServiceProcess) => {
    p.child.stderr!.on('data', (c: string) => output.push(c));
    return p;
  };
  const services = {
    loader: capture(startService('loader', { ...base, ...servers.principalEnv('loader'), LOADER_GROUP_ID: loaderGroup, LOADER_TOPIC_PATTERN: `^dynamics\\.${mine}\\.`, LOADER_OPS_PORT: '0', LOADER_TOPIC_REFRESH_MS: '1000' })),
    extractor: capture(startService('extractor', { ...runtime, ...servers.principalEnv('extractor'), EXTRACTOR_GROUP_ID: `dynsync-extractor-badinput-${suffix}`, EXTRACTOR_CONNECTIONS: `^${mine}$`, EXTRACTOR_OPS_PORT: '0', KAFKA_TABLE_PARTITIONS: '2', KAFKA_TABLE_PARTITION_ROWS: '0', EXTRACTOR_SLOTS: '2', EXTRACTOR_SESSION_TIMEOUT_MS: '10000', DATAVERSE_PAGE_SIZE: '100' })),
    coordinator: capture(startService('coordinator', {
      ...runtime, ...servers.principalEnv('coordinator'), COORDINATOR_GROUP_ID: `dynsync-coordinator-badinput-${suffix}`, COORDINATOR_LOADER_GROUP_ID: loaderGroup, COORDINATOR_OPS_PORT: '0', COORDINATOR_STATUS_PORT: '0',
      COORDINATOR_SCHEDULE_ENABLED: 'false', COORDINATOR_TICK_MS: '500', COORDINATOR_WINDOWS_PER_TABLE: '2', COORDINATOR_MAX_ATTEMPTS: '3',
    })),
  };
  for (const p of Object.values(services)) {
    const port = await p.opsPort();
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 60_000);
  }
  const agent: Agent = createHttpAgent({ connections: 2, caPem: readCaCertificate(simA.caCertPath) });
  const state = mongo.db(stateDb);

  const core: Pick<Pipeline, 'command' | 'sync' | 'extract'> = {
    async command(k, value) {
      const [r] = await producer.send({ topic: COMMANDS_TOPIC, acks: -1, messages: [{ key: k, value }] });
      return { partition: r!.partition, offset: String(r!.baseOffset) };
    },
    async sync(org, kind, tables) {
      return foreignRetry(() => syncOnce(org, kind, tables));
    },
    async extract(org, tables) {
      return foreignRetry(() => extractOnce(org, tables));
    },
  };
  async function syncOnce(org: Org, kind: 'full' | 'incremental', tables?: string[]): Promise<{ runId: string; status: string; records: number }> {
    return runOnce(org, kind, tables);
  }
  async function extractOnce(org: Org, tables?: string[]): Promise<{ runId: string; status: string; records: number }> {
    return runOnce(org, 'full', tables);
  }
  async function runOnce(org: Org, kind: 'full' | 'incremental', tables?: string[]): Promise<{ runId: string; status: string; records: number }> {
      const since = new Date(Date.now() - 1000);
      await core.command(org.connection, JSON.stringify({ kind: kind === 'full' ? 'full-resync' : 'refresh', connection: org.connection, ...(tables ? { tables } : {}), requestedBy: 'bad-input' }));
      const run = await eventually(async () => {
        const doc = await state.collection<{ _id: string; status: string; error: { code?: string; message?: string } | null; tables: Record<string, { records: number }> }>('runs').findOne({ connection: org.connection, kind, startedAt: { $gte: since } });
        return doc && doc.status !== 'running' ? doc : undefined;
      }, 120_000, 500);
      if (run.status === 'failed') throw new Error(`${kind} run ${run._id} failed: ${run.error?.code} ${run.error?.message}`);
      return { runId: run._id, status: run.status, records: Object.values(run.tables).reduce((n, t) => n + t.records, 0) };
  }
  const rest: Pick<Pipeline, 'loaderOffsets' | 'ids' | 'accountNames' | 'allOutput' | 'verify' | 'close'> = {
    async accountNames(org) {
      const res = await request(`${org.sim.controlUrl}/tables/account/truth`, { dispatcher: agent });
      const rows = (await res.body.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { accountid: string; name: string });
      return new Map(rows.map((r) => [r.accountid, r.name]));
    },
    async loaderOffsets(topic) {
      const [offsets] = await admin.fetchOffsets({ groupId: loaderGroup, topics: [topic] });
      return Object.fromEntries((offsets?.partitions ?? []).map((o) => [o.partition, o.offset]));
    },
    async ids(org, table) {
      return [...(await truthVersions(org.sim.controlUrl!, agent, table, PK[table]!)).keys()];
    },
    allOutput() {
      return [...output, ...Object.values(services).flatMap((p) => p.logs.map((l) => JSON.stringify(l)))].join('\n');
    },
    async verify(org) {
      const db = mongo.db(`dynsync_${org.connection}`);
      const out: TableVerdict[] = [];
      for (const t of org.tables) out.push(await verifyTable(db, t, await truthVersions(org.sim.controlUrl!, agent, t, PK[t]!)));
      return out;
    },
    async close() {
      for (const p of Object.values(services)) await p.kill('SIGKILL');
      await Promise.allSettled([tailer.disconnect(), producer.disconnect(), admin.disconnect()]);
      await agent.close();
      await mongo.close();
      await Promise.allSettled([simA.close(), simB.close()]);
    },
  };
  return { a, b, key, stateDb, mongo, kafka, producer, services, output, tailed, ...core, ...rest };
}

/** A run failed by an extractor of another deployment (a TaskFailed with CONNECTION_NOT_FOUND for our own connection). */
const FOREIGN = /CONNECTION_NOT_FOUND task .* failed \(not retriable\): connection "/;

/**
 * Runs `attempt` again (up to 4 times, 15 s apart) while another extractor group on the shared Kafka without an
 * EXTRACTOR_CONNECTIONS filter (a demo or benchmark) fails our tasks: extractors fail tasks of connections their
 * state DB lacks instead of skipping them (reported). Any other failure is thrown at once.
 */
async function foreignRetry<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= 4 || !FOREIGN.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 15_000));
    }
  }
}
