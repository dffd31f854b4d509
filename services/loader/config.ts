/** The loader's configuration: environment variables, validated once at start-up, frozen. */
import { z } from 'zod';
import { envField, loadConfig, type Env } from '../shared/config.ts';
import { KAFKA_ENV, REGISTRY_ENV, STORE_ENV } from '../shared/servers-env.ts';

const schema = z.object({
  ...KAFKA_ENV,
  ...REGISTRY_ENV,
  ...STORE_ENV,
  LOADER_GROUP_ID: z.string().min(1).default('dynsync-loader'),
  /** The state DB (where `run_loads` gets each run's counts). */
  DYNSYNC_STATE_DB: envField.databaseName('dynsync'),
  /** Records per write and commit (one unordered bulk of guarded upserts, split at 25,000 operations). */
  LOADER_CHUNK_SIZE: envField.positiveInt(500),
  LOADER_TOPIC_REFRESH_MS: envField.positiveInt(5_000),
  /** Which table topics this loader group consumes (e.g. one group per connection). */
  LOADER_TOPIC_PATTERN: envField.regex('^dynamics\\.[^.]+\\.[^.]+$'),
  /** `/health/live`, `/health/ready`, `/metrics`; 0 = any free port. Defaults differ per service (9101, 9102, 9103). */
  LOADER_OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(9102),
  /**
   * V8's old-generation growing factor (envField.heapGrowingPercent). A batch's records live until the store
   * acknowledged them: with V8's own factor the loader ran a full collection every ~2,500 records (README).
   */
  LOADER_HEAP_GROWING_PERCENT: envField.heapGrowingPercent(200),
  LOG_LEVEL: envField.logLevel(),
});

/** The loader's validated configuration. */
export type LoaderConfig = Readonly<z.infer<typeof schema>>;

/** Reads and validates the loader configuration (every problem reported at once). */
export function loadLoaderConfig(env: Env = process.env): LoaderConfig {
  return loadConfig('loader', schema, env);
}
