/** Loader process: wiring only. */
import { systemClock } from '../shared/clock.ts';
import { createProducer } from '../shared/kafka.ts';
import { applyHeapGrowingPercent, configOrExit, createMetrics, runService } from '../shared/lifecycle.ts';
import { createLogger } from '../shared/log.ts';
import { kafkaAccess } from '../shared/kafka-access.ts';
import { createRegistry, registryAccess } from '../shared/registry.ts';
import { avroLogicalTypes } from '../dataverse/mapping/logical-types.ts';
import { createChunkLoader } from './chunk-loader.ts';
import { loadLoaderConfig } from './config.ts';
import { createLoaderMetrics } from './metrics.ts';
import { createRecordDecoder } from './record-decoder.ts';
import { startLoaderService } from './loader-service.ts';
import { probeStore } from './store-writer.ts';
import { connectStore } from '../shared/store-client.ts';
import { connectServiceKafka } from '../shared/service-kafka.ts';

const config = configOrExit(loadLoaderConfig);
// Kafka and registry credentials, checked and read once (CONFIG_INVALID naming each variable at fault)
const access = configOrExit(() => ({ kafka: kafkaAccess('loader', config), registry: registryAccess('loader', config) }));
applyHeapGrowingPercent(config.LOADER_HEAP_GROWING_PERCENT);
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
    const { kafka, admin } = await connectServiceKafka('dynsync-loader', config, access, log);
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
