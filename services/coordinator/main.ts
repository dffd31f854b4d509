/** Coordinator process: wiring only. */
import { randomBytes } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import { hostname } from 'node:os';
import { systemClock } from '../shared/clock.ts';
import { createControlCodec } from '../shared/control-codec.ts';
import { createProducer } from '../shared/kafka.ts';
import { configOrExit, createMetrics, runService } from '../shared/lifecycle.ts';
import { createLogger } from '../shared/log.ts';
import { kafkaAccess } from '../shared/kafka-access.ts';
import { createRegistry, registryAccess } from '../shared/registry.ts';
import { ConnectionStore } from '../dataverse/connections/connection-store.ts';
import { guardDevSwitches } from '../dataverse/connections/dev-switches.ts';
import { avroLogicalTypes } from '../dataverse/mapping/logical-types.ts';
import { EncryptedSecrets } from '../dataverse/secrets/encrypted-secrets.ts';
import { MongoSecretStore } from '../dataverse/secrets/mongo-secret-store.ts';
import { cipherFromConfig } from '../dataverse/secrets/config.ts';
import { loadCoordinatorConfig } from './config.ts';
import { ConnectionDuties } from './connection-duties.ts';
import { startCoordinatorService } from './coordinator-service.ts';
import { createDataverseAccess } from './dataverse-access.ts';
import { createCoordinatorMetrics } from './metrics.ts';
import { reconcileDeletes } from './reconciler.ts';
import { RunActions, topicEndOffsets, type RunActionsDeps } from './run-actions.ts';
import { StateStore } from './state-store.ts';
import { startStatusPageOrWarn } from './status/status-server.ts';
import { statusAccess } from './status/status-access.ts';
import { connectStore } from '../shared/store-client.ts';
import { RunRequests } from './run-requests.ts';
import { connectServiceKafka } from '../shared/service-kafka.ts';

const config = configOrExit(loadCoordinatorConfig);
// Kafka and registry credentials, checked and read once (CONFIG_INVALID naming each variable at fault)
const access = configOrExit(() => ({ kafka: kafkaAccess('coordinator', config), registry: registryAccess('coordinator', config), status: statusAccess(config) }));
const log = createLogger('coordinator', config.LOG_LEVEL);
// DYNSYNC_DEV_*: refused with NODE_ENV=production, one loud warning otherwise
configOrExit(() => guardDevSwitches('coordinator', config, log));
const metricsRegistry = createMetrics('coordinator');

/** Kafka reached with the deployment's credentials, the control topics declared, and the two producers. */
async function connectKafka(metrics: ReturnType<typeof createMetrics>) {
  const { kafka, admin, topics } = await connectServiceKafka('dynsync-coordinator', config, access, log);
  const producer = createProducer(kafka, { name: 'events', log, metrics });
  const txProducer = createProducer(kafka, {
    name: 'run-starts',
    log,
    metrics,
    transactionalId: () => `${config.COORDINATOR_GROUP_ID}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
  });
  await Promise.all([producer.connect(), txProducer.connect()]);
  return { kafka, admin, topics, producer, txProducer };
}

/** The run planning and decision settings of the configuration. */
const runSettings = () => ({
  plan: {
    safetyLagMs: config.COORDINATOR_SAFETY_LAG_MS,
    overlapMs: config.COORDINATOR_OVERLAP_MS,
    targetWindows: config.COORDINATOR_WINDOWS_PER_TABLE,
    minWindowMs: config.COORDINATOR_MIN_WINDOW_MS,
    singleRows: config.COORDINATOR_SINGLE_TASK_ROWS,
    windowRows: config.COORDINATOR_WINDOW_ROWS,
    deltaRefreshMs: config.COORDINATOR_DELTA_REFRESH_MS,
  },
  decisions: { maxAttempts: config.COORDINATOR_MAX_ATTEMPTS, runTimeoutMs: config.COORDINATOR_RUN_TIMEOUT_MS, overlapMs: config.COORDINATOR_OVERLAP_MS },
  deltaDeletes: config.COORDINATOR_DELTA_DELETES,
});

type KafkaParts = Awaited<ReturnType<typeof connectKafka>>;
type RunParts = Pick<RunActionsDeps, 'codec' | 'store' | 'dataverse' | 'metrics' | 'clock'> & { mongo: MongoClient };

/** The run requests, the run actions and the connection duties (schedules, reconciliation) of this coordinator. */
function runHandling({ admin, topics, producer, txProducer }: KafkaParts, parts: RunParts) {
  const { mongo, ...shared } = parts;
  const { store, dataverse, metrics, clock } = shared;
  const requests = new RunRequests(store, clock);
  const actions = new RunActions({
    ...shared,
    producer,
    txProducer,
    log,
    ...runSettings(),
    // the table topics of a run, declared before its tasks are published: the missing ones created (sized by their
    // rows), the existing ones compared with the settings
    createTopics: async (wanted) => void (await topics.declare(wanted.map((t) => topics.table(t.topic, t.rows)))),
    // a completed task's records must be in its table's topic before the watermark moves (forged events)
    topicEnds: (topic) => topicEndOffsets(admin, topic),
    // the fallback full run of a table whose delta token expired is a pending request like a command's
    requests,
  });
  const reconcileDeps = {
    db: (name: string) => mongo.db(name),
    databasePrefix: config.DYNSYNC_DATABASE_PREFIX,
    producer,
    dataverse,
    log,
    onTombstones: (table: string, n: number) => metrics.tombstones.inc({ table }, n),
  };
  const duties = new ConnectionDuties({
    admin,
    store,
    dataverse,
    actions,
    metrics,
    log,
    clock,
    loaderGroupId: config.COORDINATOR_LOADER_GROUP_ID,
    scheduleEnabled: config.COORDINATOR_SCHEDULE_ENABLED,
    reconcile: config.COORDINATOR_RECONCILE_DELETES ? (c, run, tables) => reconcileDeletes(reconcileDeps, c, run, tables) : undefined,
  });
  return { requests, actions, duties };
}

await runService({
  name: 'coordinator',
  log,
  metrics: metricsRegistry,
  opsPort: config.COORDINATOR_OPS_PORT,
  opsPortVariable: 'COORDINATOR_OPS_PORT',
  async start() {
    const clock = systemClock;
    const metrics = createCoordinatorMetrics(metricsRegistry);
    const mongo = await connectStore(config.MONGODB_URI, { serverSelectionTimeoutMS: 30_000 }, log);
    const k = await connectKafka(metricsRegistry);
    const { kafka, admin, producer, txProducer } = k;
    const codec = await createControlCodec(createRegistry(access.registry, { logicalTypes: avroLogicalTypes }));
    const store = new StateStore(mongo.db(config.DYNSYNC_STATE_DB));
    const connections = new ConnectionStore(mongo.db(config.DYNSYNC_STATE_DB));
    const secrets = new EncryptedSecrets(cipherFromConfig(config), new MongoSecretStore(mongo.db(config.DYNSYNC_SECRETS_DB), config.DYNSYNC_SECRETS_COLLECTION));
    const dataverse = createDataverseAccess({ connections, secrets, config, log });
    const { requests, actions, duties } = runHandling(k, { codec, store, dataverse, metrics, clock, mongo });
    const service = await startCoordinatorService(
      { kafka, admin, producer, codec, store, connections, actions, duties, requests, metrics, log, clock },
      {
        groupId: config.COORDINATOR_GROUP_ID,
        tickMs: config.COORDINATOR_TICK_MS,
        commands: { maxAgeMs: config.COORDINATOR_COMMAND_MAX_AGE_MS, connections: config.COORDINATOR_CONNECTIONS },
        rate: { burst: config.COORDINATOR_COMMANDS_BURST, perHour: config.COORDINATOR_COMMANDS_PER_HOUR },
      },
    );
    const status = await startStatusPageOrWarn({
      db: mongo.db(config.DYNSYNC_STATE_DB),
      admin,
      loaderGroupId: config.COORDINATOR_LOADER_GROUP_ID,
      port: config.COORDINATOR_STATUS_PORT,
      host: config.COORDINATOR_STATUS_HOST,
      access: access.status,
      clock,
      log,
    });
    return {
      ready: service.ready,
      async stop() {
        await status.close();
        await service.stop();
        await Promise.allSettled([producer.disconnect(), txProducer.disconnect(), admin.disconnect(), dataverse.close()]);
        await mongo.close();
      },
    };
  },
});
