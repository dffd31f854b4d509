/** The coordinator's configuration: environment variables, validated once at start-up, frozen. */
import { z } from 'zod';
import { envField, loadConfig, type Env } from '../shared/config.ts';
import { KAFKA_ENV, REGISTRY_ENV, STORE_ENV } from '../shared/servers-env.ts';
import { DATAVERSE_RUNTIME_ENV } from '../dataverse/connections/runtime-config.ts';
import { STATUS_ACCESS_ENV } from './status/status-access.ts';

const ms = (def: number) => z.coerce.number().int().min(0).default(def);

const schema = z.object({
  ...DATAVERSE_RUNTIME_ENV,
  ...KAFKA_ENV,
  ...REGISTRY_ENV,
  ...STORE_ENV,
  /** Consumer group of the coordinators (sync.coordinator + sync.commands, co-partitioned). */
  COORDINATOR_GROUP_ID: z.string().min(1).default('dynsync-coordinator'),
  /** The loader's consumer group, whose committed offsets tell when a run is loaded. */
  COORDINATOR_LOADER_GROUP_ID: z.string().min(1).default('dynsync-loader'),
  /** T0 = Dataverse server time − this lag (late commits in Dataverse). */
  COORDINATOR_SAFETY_LAG_MS: ms(60_000),
  /** Incremental runs start at watermark − this overlap. */
  COORDINATOR_OVERLAP_MS: ms(300_000),
  /** Windows planned per table (the extractor splits any that are too big). */
  COORDINATOR_WINDOWS_PER_TABLE: envField.positiveInt(16),
  /** Narrowest planned window (whole seconds). */
  COORDINATOR_MIN_WINDOW_MS: z.coerce.number().int().min(1000).multipleOf(1000).default(60_000),
  /** A table range expected to hold at most this many rows is one window read without a probe (one page: ≤ 5,000). */
  COORDINATOR_SINGLE_TASK_ROWS: z.coerce.number().int().min(0).max(5_000).default(5_000),
  /** Rows aimed at per planned window of a larger range (the extractor splits any window still too big). */
  COORDINATOR_WINDOW_ROWS: envField.positiveInt(4_000),
  /** A delta link older than this gets a delta task in the next run even when its table did not change (a fresh link). */
  COORDINATOR_DELTA_REFRESH_MS: envField.positiveInt(24 * 3_600_000),
  /** Tries per task in all (the first one included). */
  COORDINATOR_MAX_ATTEMPTS: envField.positiveInt(5),
  /** A run still running after this long is failed. */
  COORDINATOR_RUN_TIMEOUT_MS: envField.positiveInt(24 * 3_600_000),
  /** How often schedules, pending requests, deadlines, loaded state and offsets are looked at. */
  COORDINATOR_TICK_MS: envField.positiveInt(2_000),
  /** false: only commands start runs (the schedules of connections are ignored). */
  COORDINATOR_SCHEDULE_ENABLED: envField.bool(true),
  /** Reconcile deletes after completed and loaded full runs. */
  COORDINATOR_RECONCILE_DELETES: envField.bool(true),
  /** Capture deletes of change-tracked tables between full runs through delta links (one delta task per table and run). */
  COORDINATOR_DELTA_DELETES: envField.bool(true),
  /**
   * A command older than this when a coordinator reads it is not carried out but reported as expired (logged,
   * counted, a failed run with COMMAND_EXPIRED in `dynsync runs`); younger ones waiting in sync.commands, also
   * those sent before the group first started, are carried out.
   */
  COORDINATOR_COMMAND_MAX_AGE_MS: envField.positiveInt(24 * 3_600_000),
  /**
   * Commands whose key (the connection id) does not match belong to another deployment on the same Kafka cluster:
   * skipped, not dead-lettered (docs/deployment.md, "Several deployments on one cluster").
   */
  COORDINATOR_CONNECTIONS: envField.regex('.*'),
  /** Commands one connection may send at once before the rate limit applies (core/command-rate.ts). */
  COORDINATOR_COMMANDS_BURST: envField.positiveInt(20),
  /** Commands per connection and hour after the burst; more are dead-lettered with COMMAND_RATE_LIMITED. */
  COORDINATOR_COMMANDS_PER_HOUR: envField.positiveInt(120),
  /** `/health/live`, `/health/ready`, `/metrics`; 0 = any free port. Defaults differ per service (9101, 9102, 9103). */
  COORDINATOR_OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(9101),
  /** The read-only status page (status/README.md); 0 = any free port. */
  COORDINATOR_STATUS_PORT: z.coerce.number().int().min(0).max(65_535).default(9180),
  /** Address of the status page: loopback by default; 0.0.0.0 only inside a container whose port is published. */
  COORDINATOR_STATUS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Who may read the status page: allowed Host names, bearer token or basic authentication (status/status-access.ts). */
  ...STATUS_ACCESS_ENV,
  LOG_LEVEL: envField.logLevel(),
}).superRefine((c, ctx) => {
  const longer = (retention: number, than: number) => retention === -1 || retention > than;
  if (!longer(c.KAFKA_COORDINATOR_RETENTION_MS, c.COORDINATOR_RUN_TIMEOUT_MS)) {
    ctx.addIssue({ code: 'custom', path: ['KAFKA_COORDINATOR_RETENTION_MS'], message: 'must be longer than COORDINATOR_RUN_TIMEOUT_MS (a running run is rebuilt from its RunStarted event)' });
  }
  if (!longer(c.KAFKA_COMMANDS_RETENTION_MS, c.COORDINATOR_COMMAND_MAX_AGE_MS)) {
    ctx.addIssue({ code: 'custom', path: ['KAFKA_COMMANDS_RETENTION_MS'], message: 'must be longer than COORDINATOR_COMMAND_MAX_AGE_MS (a command must still be on the topic when it is read)' });
  }
});

/** The coordinator's validated configuration. */
export type CoordinatorConfig = Readonly<z.infer<typeof schema>>;

/** Reads and validates the coordinator configuration (every problem reported at once). */
export function loadCoordinatorConfig(env: Env = process.env): CoordinatorConfig {
  return loadConfig('coordinator', schema, env);
}
