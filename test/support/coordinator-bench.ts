/**
 * What the coordinator's integration tests stand on: the simulator, MongoDB, the control topics and the tests' table
 * topics, a producer, connections stored with their sealed client secret, and the fake extractor
 * (test/coordinator/fake-extractor.ts) answering the tasks of the first connection. Each test starts the coordinator
 * process itself ({@link CoordinatorBench.coordinator}) with its own settings, and stops it before {@link CoordinatorBench.close}.
 */
import { randomBytes } from 'node:crypto';
import type { Admin, KafkaMessage } from 'kafkajs';
import type { MongoClient } from 'mongodb';
import { startService, type ServiceProcess } from '../../harness/service-process.ts';
import { startFixture } from '../../harness/sim-fixture.ts';
import { DLQ_TOPIC, tableTopic } from '../../services/contracts/topic-names.ts';
import { saveClientSecret } from '../../services/dataverse/auth/stored-client-secret.ts';
import { DEFAULT_SCHEDULE } from '../../services/dataverse/connections/connection.ts';
import { ConnectionStore } from '../../services/dataverse/connections/connection-store.ts';
import { avroLogicalTypes } from '../../services/dataverse/mapping/logical-types.ts';
import { EncryptedSecrets } from '../../services/dataverse/secrets/encrypted-secrets.ts';
import { MongoSecretStore } from '../../services/dataverse/secrets/mongo-secret-store.ts';
import { SecretCipher } from '../../services/dataverse/secrets/secret-cipher.ts';
import { createControlCodec } from '../../services/shared/control-codec.ts';
import type { HealingProducer } from '../../services/shared/healing-producer.ts';
import { createProducer } from '../../services/shared/kafka.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';
import { controlTopics, tableTopicSpec } from '../../services/shared/topics.ts';
import type { SimulatorHandle } from '../../services/simulator/simulator.ts';
import { startFakeExtractor, type FakeExtractor } from '../coordinator/fake-extractor.ts';
import { testKafka, testMongo, testRegistry, uniqueName } from './servers.ts';

/** What a test puts on its bench. */
export interface CoordinatorBenchOptions {
  /** The simulator's base row count. */
  readonly rows: number;
  /** The coordinator's state database, which also holds the sealed secrets. */
  readonly stateDb: string;
  /**
   * The stored connections (client credentials on the simulator) and their tables, whose topics are created with one
   * partition and deleted by close(); the fake extractor plays for the first connection.
   */
  readonly connections: readonly { readonly id: string; readonly tables: readonly string[] }[];
}

/** A dead letter of sync.dlq: its key, error code and message. */
export interface DeadLetter {
  key: string;
  code: string;
  message: string;
}

/** A started bench. */
export interface CoordinatorBench {
  readonly sim: SimulatorHandle;
  readonly mongo: MongoClient;
  readonly admin: Admin;
  readonly producer: HealingProducer;
  readonly fx: FakeExtractor;
  /**
   * Starts a coordinator process: state and secrets in the bench's database, the simulator trusted as a development
   * origin, ops and status on free ports, a 300 ms tick, no schedule; `settings` on top.
   */
  coordinator(settings: Record<string, string>): ServiceProcess;
  /** Reads `topic` from its beginning with a consumer of its own (disconnected by close()), handing it each message. */
  consume(topic: string, each: (message: KafkaMessage) => void): Promise<void>;
  /** Every dead letter of sync.dlq, collected as it comes; callers find theirs by key. */
  deadLetters(): Promise<DeadLetter[]>;
  /** Stops the fake extractor and the consumers, deletes the table topics, disconnects and stops the simulator. */
  close(): Promise<void>;
}

export async function startCoordinatorBench(o: CoordinatorBenchOptions): Promise<CoordinatorBench> {
  /** What close() undoes, last started first; also run when starting fails half-way. */
  const undo: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch(() => undefined);
  };
  const kafka = testKafka();
  const key = randomBytes(32); // seals the client secrets
  const tableTopics = o.connections.flatMap((c) => c.tables.map((t) => tableTopic(c.id, t)));
  try {
    const { sim } = await startFixture({ rows: o.rows });
    undo.push(() => sim.close());
    const mongo = await testMongo();
    undo.push(() => mongo.close());
    const admin = kafka.admin();
    await admin.connect();
    undo.push(() => admin.disconnect());
    await ensureTopics(admin, [...controlTopics(), ...tableTopics.map((t) => tableTopicSpec(t, 1))]);
    undo.push(() => admin.deleteTopics({ topics: tableTopics }));
    const producer = createProducer(kafka);
    await producer.connect();
    undo.push(() => producer.disconnect());
    const codec = await createControlCodec(testRegistry({ logicalTypes: avroLogicalTypes }));
    const now = new Date();
    const secrets = new EncryptedSecrets(new SecretCipher({ id: '1', key }), new MongoSecretStore(mongo.db(o.stateDb)));
    for (const { id, tables } of o.connections) {
      const c = { id, orgUrl: sim.orgUrl, tenantId: sim.tenantId, clientId: sim.clientId };
      await new ConnectionStore(mongo.db(o.stateDb)).put({ ...c, flow: 'client-credentials', tables: [...tables], schedule: { ...DEFAULT_SCHEDULE }, createdAt: now, updatedAt: now });
      await saveClientSecret(secrets, c, sim.clientSecret);
    }
    const fx = await startFakeExtractor(kafka, producer, codec, o.connections[0]!.id);
    undo.push(() => fx.stop());

    const consume = async (topic: string, each: (message: KafkaMessage) => void) => {
      const consumer = kafka.consumer({ groupId: uniqueName('bench-watch') });
      undo.push(() => consumer.disconnect());
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => each(message) });
    };
    return {
      sim,
      mongo,
      admin,
      producer,
      fx,
      coordinator: (settings) =>
        startService('coordinator', {
          COORDINATOR_OPS_PORT: '0',
          COORDINATOR_STATUS_PORT: '0',
          COORDINATOR_TICK_MS: '300',
          COORDINATOR_SCHEDULE_ENABLED: 'false',
          DYNSYNC_STATE_DB: o.stateDb,
          DYNSYNC_SECRETS_DB: o.stateDb,
          DYNSYNC_ENCRYPTION_KEY: key.toString('base64'),
          DYNSYNC_DEV_ORIGINS: sim.orgUrl,
          DYNSYNC_DEV_CA_PATH: sim.caCertPath,
          ...settings,
        }),
      consume,
      async deadLetters() {
        const letters: DeadLetter[] = [];
        await consume(DLQ_TOPIC, (m) => {
          letters.push({ key: m.key?.toString() ?? '', code: String(m.headers?.['dlq-error-code']), message: String(m.headers?.['dlq-error-message']) });
        });
        return letters;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
