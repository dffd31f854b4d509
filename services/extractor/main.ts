/** Extractor process: wiring only. */
import { systemClock } from '../shared/clock.ts';
import { createControlCodec } from '../shared/control-codec.ts';
import { createProducer } from '../shared/kafka.ts';
import { applyHeapGrowingPercent, configOrExit, createMetrics, runService } from '../shared/lifecycle.ts';
import { createLogger } from '../shared/log.ts';
import { kafkaAccess } from '../shared/kafka-access.ts';
import { createRegistry, registryAccess } from '../shared/registry.ts';
import { promClientMetrics } from '../dataverse/client/client-metrics.ts';
import { ConnectionStore } from '../dataverse/connections/connection-store.ts';
import { guardDevSwitches } from '../dataverse/connections/dev-switches.ts';
import { avroLogicalTypes } from '../dataverse/mapping/logical-types.ts';
import { cipherFromConfig } from '../dataverse/secrets/config.ts';
import { EncryptedSecrets } from '../dataverse/secrets/encrypted-secrets.ts';
import { MongoSecretStore } from '../dataverse/secrets/mongo-secret-store.ts';
import { loadExtractorConfig } from './config.ts';
import { ConnectionPool } from './connection-pool.ts';
import { DeltaExtractor } from './delta-extractor.ts';
import { createExtractorMetrics } from './metrics.ts';
import { RecordSink } from './record-sink.ts';
import { TableContexts } from './table-contexts.ts';
import { startTaskConsumer } from './task-consumer.ts';
import { WindowExtractor } from './window-extractor.ts';
import { connectStore } from '../shared/store-client.ts';
import { connectServiceKafka } from '../shared/service-kafka.ts';

const config = configOrExit(loadExtractorConfig);
// Kafka and registry credentials, checked and read once (CONFIG_INVALID naming each variable at fault)
const access = configOrExit(() => ({ kafka: kafkaAccess('extractor', config), registry: registryAccess('extractor', config) }));
applyHeapGrowingPercent(config.EXTRACTOR_HEAP_GROWING_PERCENT);
const log = createLogger('extractor', config.LOG_LEVEL);
// DYNSYNC_DEV_*: refused with NODE_ENV=production, one loud warning otherwise
configOrExit(() => guardDevSwitches('extractor', config, log));
const metrics = createMetrics('extractor');

await runService({
  name: 'extractor',
  log,
  metrics,
  opsPort: config.EXTRACTOR_OPS_PORT,
  opsPortVariable: 'EXTRACTOR_OPS_PORT',
  stopTimeoutMs: config.EXTRACTOR_DRAIN_MS + 20_000,
  async start() {
    const cipher = cipherFromConfig(config); // refuses to start without the encryption key
    const mongo = await connectStore(config.MONGODB_URI, { serverSelectionTimeoutMS: 30_000 }, log);
    const { kafka, admin, topics } = await connectServiceKafka('dynsync-extractor', config, access, log);
    const producer = createProducer(kafka, { name: 'records', log, metrics });
    await producer.connect();
    const registry = createRegistry(access.registry, { logicalTypes: avroLogicalTypes });
    const codec = await createControlCodec(registry);
    const extractorMetrics = createExtractorMetrics(metrics);
    const connections = new ConnectionStore(mongo.db(config.DYNSYNC_STATE_DB));
    const pool = new ConnectionPool({
      store: connections,
      secrets: new EncryptedSecrets(cipher, new MongoSecretStore(mongo.db(config.DYNSYNC_SECRETS_DB), config.DYNSYNC_SECRETS_COLLECTION)),
      config,
      metrics: promClientMetrics(metrics),
      log,
    });
    const contexts = new TableContexts({ registry, admin, namespace: config.EXTRACTOR_AVRO_NAMESPACE, topics, lookupNames: config.EXTRACTOR_LOOKUP_NAMES });
    const sink = new RecordSink(producer, {
      compression: config.EXTRACTOR_COMPRESSION,
      maxBatchBytes: config.EXTRACTOR_PRODUCE_BATCH_BYTES,
      maxBatchCount: config.EXTRACTOR_PRODUCE_BATCH,
      observe: (s) => extractorMetrics.produceSeconds.observe(s),
    });
    const extractor = new WindowExtractor({
      pool,
      contexts,
      sink,
      producer,
      metrics: extractorMetrics,
      log,
      clock: systemClock,
      splitRows: config.EXTRACTOR_SPLIT_ROWS,
      pageSize: config.DATAVERSE_PAGE_SIZE,
    });
    const delta = new DeltaExtractor({ pool, contexts, sink, metrics: extractorMetrics, log });
    const consumer = await startTaskConsumer(
      { kafka, producer, codec, run: (task, signal) => extractor.run(task, signal), runDelta: (task, signal) => delta.run(task, signal),
        knowsConnection: async (id) => (await connections.list()).some((c) => c.id === id), metrics: extractorMetrics, log, clock: systemClock },
      {
        groupId: config.EXTRACTOR_GROUP_ID,
        slots: config.EXTRACTOR_SLOTS,
        sessionTimeoutMs: config.EXTRACTOR_SESSION_TIMEOUT_MS,
        fromBeginning: config.EXTRACTOR_FROM_BEGINNING,
        connections: config.EXTRACTOR_CONNECTIONS,
        drainMs: config.EXTRACTOR_DRAIN_MS,
      },
    );
    return {
      ready: consumer.ready,
      async stop() {
        await consumer.stop();
        await producer.disconnect(); // flushes nothing pending: every send was awaited
        await Promise.allSettled([admin.disconnect(), pool.close()]);
        await mongo.close();
      },
    };
  },
});
