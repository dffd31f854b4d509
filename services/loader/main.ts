/** Loader process: wiring only. */
import { systemClock } from '../shared/clock.ts';
import { SERVICE_KAFKA_RETRY, createKafka, createProducer } from '../shared/kafka.ts';
import { configOrExit, createMetrics, runService } from '../shared/lifecycle.ts';
import { createLogger } from '../shared/log.ts';
import { checkKafkaAccess, kafkaAccess } from '../shared/kafka-access.ts';
import { checkRegistryAccess, createRegistry, registryAccess } from '../shared/registry.ts';
import { topicSettingsOf } from '../shared/topics.ts';
import { avroLogicalTypes } from '../dataverse/mapping/logical-types.ts';
import { createChunkLoader } from './chunk-loader.ts';
import { loadLoaderConfig } from './config.ts';
import { createLoaderMetrics } from './metrics.ts';
import { createRecordDecoder } from './record-decoder.ts';
import { startLoaderService } from './loader-service.ts';
import { probeStore } from './store-writer.ts';
import { connectStore } from '../shared/store-client.ts';
import { KafkaTopics } from '../shared/kafka-topics.ts';

const config = configOrExit(loadLoaderConfig);
// Kafka and registry credentials, checked and read once (CONFIG_INVALID naming each variable at fault)
const access = configOrExit(() => ({ kafka: kafkaAccess('loader', config), registry: registryAccess('loader', config) }));
const log = createLogger('loader', config.LOG_LEVEL);
const metrics = createMetrics('loader');

await runService({
  name: 'loader',
  log,
  metrics,
  opsPort: config.LOADER_OPS_PORT,
  opsPortVariable: 'LOADER_OPS_PORT',
  async start() {
    // a short server selection so a store outage surfaces as retried STORE_UNAVAILABLE within seconds
    const mongo = await connectStore(config.MONGODB_URI, { serverSelectionTimeoutMS: 5_000, maxPoolSize: 16 }, log);
    // a refused password or an untrusted certificate stops the start with one line naming the variable
    await checkKafkaAccess('dynsync-loader', config.KAFKA_BROKERS, access.kafka, log);
    await checkRegistryAccess(access.registry, log);
    const kafka = createKafka('dynsync-loader', config.KAFKA_BROKERS, log, { ...access.kafka.client, retry: SERVICE_KAFKA_RETRY });
    const admin = kafka.admin();
    await admin.connect();
    // the deployment's topic settings, checked against the cluster (CONFIG_INVALID naming the variable)
    const topics = await KafkaTopics.resolve(admin, topicSettingsOf(config), log);
    await topics.declare(topics.control());
    const dlqProducer = createProducer(kafka, { name: 'dead-letters', log, metrics });
    await dlqProducer.connect();
    const registry = createRegistry(access.registry, { logicalTypes: avroLogicalTypes });
    const store = await probeStore(mongo.db('admin'));
    log.info({ store: store.server }, 'store probed');
    const loadChunk = createChunkLoader({
      db: (name) => mongo.db(name),
      decoder: createRecordDecoder(registry),
      dlqProducer,
      databasePrefix: config.DYNSYNC_DATABASE_PREFIX,
      stateDb: mongo.db(config.DYNSYNC_STATE_DB),
      clock: systemClock,
    });
    const service = await startLoaderService(
      { kafka, admin, loadChunk, metrics: createLoaderMetrics(metrics), log },
      { groupId: config.LOADER_GROUP_ID, chunkSize: config.LOADER_CHUNK_SIZE, topicRefreshMs: config.LOADER_TOPIC_REFRESH_MS, topicPattern: config.LOADER_TOPIC_PATTERN },
    );
    return {
      done: service.done,
      ready: service.ready,
      async stop() {
        await service.stop();
        await Promise.allSettled([dlqProducer.disconnect(), admin.disconnect()]);
        await mongo.close();
      },
    };
  },
});
