/**
 * The CLI's configuration: environment variables validated once (every problem reported at once, exit code 2),
 * then frozen. Kafka and MongoDB locate the deployment; the Dataverse runtime settings (encryption key, state
 * database, dev origins/authority/CA for the simulator) are shared with the services.
 */
import { z } from 'zod';
import { loadConfig, type Env } from '../shared/config.ts';
import { KAFKA_ENV, STORE_ENV } from '../shared/servers-env.ts';
import { DATAVERSE_RUNTIME_ENV } from '../dataverse/connections/runtime-config.ts';

const schema = z.object({
  /** Kafka (TLS and SASL: this process's principal); `dynsync sync` creates sync.commands when no service has yet, with the deployment's topic settings. */
  ...KAFKA_ENV,
  /** MongoDB; `verify` reads the tables of connection X in database `<DYNSYNC_DATABASE_PREFIX>X`. */
  ...STORE_ENV,
  /** Diagnostics on stderr; the CLI's own output is not a log. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  ...DATAVERSE_RUNTIME_ENV,
});

/** The process environment as it is, for the browser opener (which passes on a desktop's variables only, open-browser.ts). */
export const processEnv = (): Env => process.env;

/** The CLI's validated configuration. */
export type CliConfig = Readonly<z.infer<typeof schema>>;

/** Reads and validates the CLI configuration (CONFIG_INVALID naming every bad variable). */
export function loadCliConfig(env: Env = process.env): CliConfig {
  return loadConfig('dynsync', schema, env);
}
