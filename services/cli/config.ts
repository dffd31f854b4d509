/**
 * The CLI's configuration: environment variables validated once (every problem reported at once, exit code 2),
 * then frozen. Kafka and MongoDB locate the deployment; the Dataverse runtime settings (encryption key, state
 * database, dev origins/authority/CA for the simulator) are shared with the services.
 */
import { z } from 'zod';
import { envField, loadConfig, type Env } from '../shared/config.ts';
import { KAFKA_ACCESS_ENV } from '../shared/kafka-access.ts';
import { TOPIC_ENV } from '../shared/topics.ts';
import { DATAVERSE_RUNTIME_ENV } from '../dataverse/connections/runtime-config.ts';

const schema = z.object({
  KAFKA_BROKERS: envField.brokers('127.0.0.1:9092'),
  /** TLS and SASL to Kafka: this process's principal (shared/kafka-access.ts, SECURITY.md). */
  ...KAFKA_ACCESS_ENV,
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// URI').default('mongodb://127.0.0.1:27017/?directConnection=true'),
  /** Diagnostics on stderr; the CLI's own output is not a log. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  /** Database of connection X's tables is `<prefix>X`: the loader's setting, read by `verify`. */
  LOADER_DATABASE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, _ and - only').default('dynsync_'),
  ...DATAVERSE_RUNTIME_ENV,
  /** `dynsync sync` creates sync.commands when no service has yet: with the deployment's topic settings. */
  ...TOPIC_ENV,
});

/** The process environment as it is, for the browser opener (which passes on a desktop's variables only, open-browser.ts). */
export const processEnv = (): Env => process.env;

/** The CLI's validated configuration. */
export type CliConfig = Readonly<z.infer<typeof schema>>;

/** Reads and validates the CLI configuration (CONFIG_INVALID naming every bad variable). */
export function loadCliConfig(env: Env = process.env): CliConfig {
  return loadConfig('dynsync', schema, env);
}
