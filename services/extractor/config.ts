/** The extractor's configuration: environment variables, validated once at start-up, frozen. */
import { z } from 'zod';
import { envField, loadConfig, type Env } from '../shared/config.ts';
import { KAFKA_ENV, REGISTRY_ENV, STORE_ENV } from '../shared/servers-env.ts';
import { DATAVERSE_RUNTIME_ENV } from '../dataverse/connections/runtime-config.ts';
import { COUNT_CAP } from './core/split-rule.ts';

const schema = z.object({
  ...DATAVERSE_RUNTIME_ENV,
  ...KAFKA_ENV,
  ...REGISTRY_ENV,
  ...STORE_ENV,
  EXTRACTOR_GROUP_ID: z.string().min(1).default('dynsync-extractor'),
  /** Windows extracted at once by this instance (also the partitions of sync.tasks consumed concurrently). */
  EXTRACTOR_SLOTS: z.coerce.number().int().min(1).max(64).default(4),
  /** A splittable window with more rows than this is split in two (1..5000: Dataverse caps $count at 5000). */
  EXTRACTOR_SPLIT_ROWS: z.coerce.number().int().min(1).max(COUNT_CAP).default(COUNT_CAP),
  /** Fill lookup names from the FormattedValue annotation (it comes for every column and roughly doubles pages). */
  EXTRACTOR_LOOKUP_NAMES: envField.bool(true),
  /** Kafka compression of table records. */
  EXTRACTOR_COMPRESSION: z.enum(['none', 'gzip']).default('none'),
  /** Most messages per produce request. */
  EXTRACTOR_PRODUCE_BATCH: envField.positiveInt(2000),
  /** Most bytes (keys + values) per produce request; keep under the broker's message.max.bytes. */
  EXTRACTOR_PRODUCE_BATCH_BYTES: envField.positiveInt(900_000),
  /** Consume sync.tasks from the earliest retained task when the group has no committed offset. */
  EXTRACTOR_FROM_BEGINNING: envField.bool(true),
  /** Only tasks of connections whose id matches are extracted; others are skipped (all instances of a group alike). */
  EXTRACTOR_CONNECTIONS: envField.regex('.*'),
  /** Kafka group session timeout; heartbeats run every third of it while windows are extracted. */
  EXTRACTOR_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  /** On SIGTERM, how long in-flight windows may take to finish before they are abandoned (and redelivered). */
  EXTRACTOR_DRAIN_MS: z.coerce.number().int().min(0).default(10_000),
  /** Avro namespace of table records. */
  EXTRACTOR_AVRO_NAMESPACE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/).default('dynsync'),
  /** `/health/live`, `/health/ready`, `/metrics`; 0 = any free port. Defaults differ per service (9101, 9102, 9103). */
  EXTRACTOR_OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(9103),
  /**
   * V8's old-generation growing factor (envField.heapGrowingPercent). The kafkajs encoders and the
   * page buffers allocate about 9 MB of ArrayBuffers per 500-row page, which V8 counts against the old generation:
   * with its own factor it ran a full GC every ~1,000 rows (README, "Performance").
   */
  EXTRACTOR_HEAP_GROWING_PERCENT: envField.heapGrowingPercent(200),
  LOG_LEVEL: envField.logLevel(),
});

/** The extractor's validated configuration. */
export type ExtractorConfig = Readonly<z.infer<typeof schema>>;

/** Reads and validates the extractor configuration (every problem reported at once). */
export function loadExtractorConfig(env: Env = process.env): ExtractorConfig {
  return loadConfig('extractor', schema, env);
}
