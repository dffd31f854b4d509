/**
 * Everything an extractor test (or the extract benchmark) needs around the extractor process: the Dataverse
 * simulator in-process (control on), a connection stored in a state DB with its sealed client secret, the
 * extractor's environment, a small coordinator stand-in that publishes SyncTasks and folds the events of
 * sync.coordinator (splits, completions, failures → retriable ones re-published with attempt + 1), and readers of
 * the simulator's truth and of a table topic decoded with @kafkajs/confluent-schema-registry directly.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { type CoordinatorEvent, type SyncTask } from '../services/contracts/control-messages.ts';
import { createControlCodec, type ControlCodec } from '../services/shared/control-codec.ts';
import { createKafka, createProducer } from '../services/shared/kafka.ts';
import { decodeRecordHeaders, type RawHeaders } from '../services/contracts/record-headers.ts';
import { kafkaAccessOf } from '../services/shared/kafka-access.ts';
import { createRegistry, registryAccessOf } from '../services/shared/registry.ts';
import { controlTopics } from '../services/shared/topics.ts';
import { saveClientSecret } from '../services/dataverse/auth/stored-client-secret.ts';
import { DEFAULT_SCHEDULE } from '../services/dataverse/connections/connection.ts';
import { ConnectionStore } from '../services/dataverse/connections/connection-store.ts';
import { avroLogicalTypes, avroTypeOptions } from '../services/dataverse/mapping/logical-types.ts';
import { EncryptedSecrets } from '../services/dataverse/secrets/encrypted-secrets.ts';
import { MongoSecretStore } from '../services/dataverse/secrets/mongo-secret-store.ts';
import { SecretCipher } from '../services/dataverse/secrets/secret-cipher.ts';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../services/simulator/simulator.ts';
import { childTasks } from '../services/extractor/core/child-tasks.ts';
import { splitWindow } from '../services/extractor/core/window.ts';
import { trustCertificate } from './sim-fixture.ts';
import type { HealingProducer } from '../services/shared/healing-producer.ts';
import { tableTopic, COORDINATOR_TOPIC, TASKS_TOPIC } from '../services/contracts/topic-names.ts';
import { ensureTopics } from '../services/shared/kafka-topics.ts';

/** Where the servers are. */
export interface HarnessServers {
  brokers: string[];
  registryUrl: string;
  mongoUri: string;
  /** Kafka TLS/SASL and registry credentials (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, SCHEMA_REGISTRY_USERNAME, …). */
  env?: Record<string, string>;
}

type Completed = Extract<CoordinatorEvent['event'], { type: 'TaskCompleted' }>;

/** The result of one run driven to its end. */
export interface RunResult {
  runId: string;
  completed: Completed[];
  splits: number;
  failures: { taskId: string; code: string; retriable: boolean }[];
}

/** A run in progress. */
export interface RunHandle {
  readonly runId: string;
  /** Resolves when every window of the run is completed (failing fast on a non-retriable TaskFailed). */
  readonly done: Promise<RunResult>;
  /** Windows completed so far. */
  completedCount(): number;
  /** Publishes again every task that is neither completed nor split (what a coordinator does after a timeout). */
  republishPending(): Promise<number>;
}

/** What a topic holds. */
export interface TopicContents {
  messages: number;
  ids: Set<string>;
  /** One decoded record, for spot checks. */
  sample: Record<string, unknown> | undefined;
}

/** A started harness. */
export interface ExtractHarness {
  sim: SimulatorHandle;
  connection: string;
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** The extractor's environment for this harness (plus `extra`). */
  extractorEnv(extra?: Record<string, string>): Record<string, string>;
  /** Publishes a root task (id `opts.taskId`, else random) and follows its run; see {@link RunHandle}. */
  runTable(table: string, from: Date, to: Date, opts?: { maxAttempts?: number; timeoutMs?: number; taskId?: string }): RunHandle;
  truthIds(table: string, fromMs?: number, toMs?: number): Promise<Set<string>>;
  readTopic(table: string, opts?: { decode?: boolean }): Promise<TopicContents>;
  close(): Promise<void>;
}

/** Starts the simulator, stores the connection and its secret, and starts listening to sync.coordinator. */
export async function startExtractHarness(servers: HarnessServers, simOptions: SimulatorOptions = {}): Promise<ExtractHarness> {
  const sim = await startSimulator({ port: 0, control: true, logLevel: 'silent', stateDir: join(tmpdir(), 'dynsync-sim-test-state'), ...simOptions });
  trustCertificate(sim.caCertPath);
  const suffix = randomBytes(4).toString('hex');
  const connection = `xt${suffix}`;
  const stateDb = `xstate_${suffix}`;
  const key = randomBytes(32);
  const mongo = await new MongoClient(servers.mongoUri, { serverSelectionTimeoutMS: 10_000 }).connect();
  const now = new Date();
  await new ConnectionStore(mongo.db(stateDb)).put({
    id: connection,
    orgUrl: sim.orgUrl,
    tenantId: sim.tenantId,
    clientId: sim.clientId,
    flow: 'client-credentials',
    tables: 'all',
    schedule: { ...DEFAULT_SCHEDULE },
    createdAt: now,
    updatedAt: now,
  });
  await saveClientSecret(new EncryptedSecrets(new SecretCipher({ id: '1', key }), new MongoSecretStore(mongo.db(stateDb))), { id: connection, orgUrl: sim.orgUrl, tenantId: sim.tenantId, clientId: sim.clientId }, sim.clientSecret);

  const access = { ...servers.env, KAFKA_BROKERS: servers.brokers.join(','), SCHEMA_REGISTRY_URL: servers.registryUrl };
  const registryAccess = registryAccessOf('extract-harness', access);
  const kafka: Kafka = createKafka(`xt-${suffix}`, servers.brokers, undefined, kafkaAccessOf('extract-harness', access).client);
  const admin: Admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, controlTopics());
  const producer: HealingProducer = createProducer(kafka);
  await producer.connect();
  const codec: ControlCodec = await createControlCodec(createRegistry(registryAccess, { logicalTypes: avroLogicalTypes }));
  const plainRegistry = new SchemaRegistry({ host: servers.registryUrl, ...(registryAccess.auth ? { auth: registryAccess.auth } : {}) }, { [SchemaType.AVRO]: avroTypeOptions() });

  const events: CoordinatorEvent[] = [];
  const eventConsumer: Consumer = kafka.consumer({ groupId: `xt-events-${suffix}`, maxWaitTimeInMs: 200 });
  await eventConsumer.connect();
  await eventConsumer.subscribe({ topic: COORDINATOR_TOPIC, fromBeginning: true });
  await eventConsumer.run({
    eachMessage: async ({ message }) => {
      if (message.key?.toString() !== connection || !message.value) return;
      events.push(await codec.decodeEvent(message.value));
    },
  });

  const publish = (tasks: SyncTask[]) =>
    Promise.all(tasks.map(async (t) => ({ key: t.taskId, value: await codec.encodeTask(t) }))).then((messages) => producer.send({ topic: TASKS_TOPIC, acks: -1, messages }));

  const control = async <T,>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.controlUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  const runTable: ExtractHarness['runTable'] = (table, from, to, opts = {}) => {
    const runId = randomUUID();
    const root: SyncTask = { taskId: opts.taskId ?? randomUUID(), runId, connection, table, kind: 'full', runStart: new Date(), from, to, attempt: 0, depth: 0, parentTaskId: null };
    const tasks = new Map<string, SyncTask>([[root.taskId, root]]);
    const completed = new Map<string, Completed>();
    const splits = new Map<string, string[]>();
    const failures: RunResult['failures'] = [];
    const resolved = (id: string): boolean => completed.has(id) || (splits.get(id)?.every(resolved) ?? false);
    let cursor = 0;
    const done = (async () => {
      await publish([root]);
      const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
      while (!resolved(root.taskId)) {
        if (Date.now() > deadline) throw new Error(`run ${runId} of ${table} did not complete: ${completed.size} windows completed, ${splits.size} split`);
        await new Promise((r) => setTimeout(r, 50));
        for (; cursor < events.length; cursor++) {
          const e = events[cursor]!;
          if (e.runId !== runId) continue;
          const ev = e.event;
          if (ev.type === 'TaskCompleted') completed.set(ev.taskId, ev);
          else if (ev.type === 'TaskSplit') {
            const parent = tasks.get(ev.taskId)!;
            for (const child of childTasks(parent, splitWindow(parent.from, parent.to)!)) tasks.set(child.taskId, child);
            splits.set(ev.taskId, ev.childTaskIds);
          } else if (ev.type === 'TaskFailed') {
            failures.push({ taskId: ev.taskId, code: ev.code, retriable: ev.retriable });
            if (!ev.retriable || ev.attempt + 1 >= (opts.maxAttempts ?? 6)) throw new Error(`task ${ev.taskId} failed: ${ev.code} ${ev.message}`);
            const again = { ...tasks.get(ev.taskId)!, attempt: ev.attempt + 1 };
            tasks.set(again.taskId, again);
            await publish([again]);
          }
        }
      }
      return { runId, completed: [...completed.values()], splits: splits.size, failures };
    })();
    done.catch(() => undefined);
    return {
      runId,
      done,
      completedCount: () => completed.size,
      async republishPending() {
        const pending = [...tasks.values()].filter((t) => !completed.has(t.taskId) && !splits.has(t.taskId));
        if (pending.length > 0) await publish(pending);
        return pending.length;
      },
    };
  };

  const truthIds: ExtractHarness['truthIds'] = async (table, fromMs = -Infinity, toMs = Infinity) => {
    const res = await fetch(`${sim.controlUrl}/tables/${table}/truth`);
    if (!res.ok || !res.body) throw new Error(`truth of ${table}: ${res.status}`);
    const ids = new Set<string>();
    for await (const line of createInterface({ input: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream) })) {
      if (!line) continue;
      const row = JSON.parse(line) as Record<string, unknown>;
      const ms = Date.parse(String(row.modifiedon));
      if (ms >= fromMs && ms < toMs) ids.add(String(row[`${table}id`]));
    }
    return ids;
  };

  const readTopic: ExtractHarness['readTopic'] = async (table, opts = {}) => {
    const topic = tableTopic(connection, table);
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    const out: TopicContents = { messages: 0, ids: new Set(), sample: undefined };
    const reached = new Map<number, bigint>();
    const finished = () => [...ends].every(([p, high]) => high === 0n || (reached.get(p) ?? -1n) + 1n >= high);
    if (finished()) return out;
    const consumer = kafka.consumer({ groupId: `xt-read-${randomBytes(4).toString('hex')}`, maxBytesPerPartition: 4 * 1024 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const complete = new Promise<void>((resolve, reject) => {
      consumer
        .run({
        eachBatch: async ({ batch }) => {
          try {
            for (const m of batch.messages) {
              const id = m.key!.toString();
              out.ids.add(id);
              out.messages++;
              decodeRecordHeaders(m.headers as RawHeaders);
              if (opts.decode !== false && m.value) {
                const record = (await plainRegistry.decode(m.value)) as Record<string, unknown>;
                if (record[`${table}id`] !== id) throw new Error(`record ${id} decodes with id ${String(record[`${table}id`])}`);
                out.sample ??= record;
              }
              reached.set(batch.partition, BigInt(m.offset));
            }
            if (finished()) resolve();
          } catch (err) {
            reject(err);
          }
        },
        })
        .catch(reject);
    });
    try {
      await complete;
    } finally {
      await consumer.disconnect();
    }
    return out;
  };

  return {
    sim,
    connection,
    control,
    extractorEnv: (extra = {}) => ({
      ...servers.env,
      KAFKA_BROKERS: servers.brokers.join(','),
      SCHEMA_REGISTRY_URL: servers.registryUrl,
      MONGODB_URI: servers.mongoUri,
      DYNSYNC_DEV_ORIGINS: sim.orgUrl,
      DYNSYNC_DEV_CA_PATH: sim.caCertPath,
      DYNSYNC_ENCRYPTION_KEY: key.toString('base64'),
      DYNSYNC_STATE_DB: stateDb,
      DYNSYNC_SECRETS_DB: stateDb,
      EXTRACTOR_GROUP_ID: `xt-extractor-${suffix}`,
      EXTRACTOR_CONNECTIONS: `^${connection}$`,
      EXTRACTOR_OPS_PORT: '0',
      ...extra,
    }),
    runTable,
    truthIds,
    readTopic,
    async close() {
      await Promise.allSettled([eventConsumer.disconnect(), producer.disconnect(), admin.disconnect()]);
      await mongo.close();
      await sim.close();
    },
  };
}
