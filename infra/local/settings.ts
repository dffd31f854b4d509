/**
 * Settings of the local servers, from the environment (infra scripts are outside the services, so they read
 * process.env directly). Every port is configurable so several checkouts or CI jobs can coexist.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where downloads, builds, data, logs and pid files live (outside the checkout). */
export const cacheDir = process.env.DYNSYNC_CACHE_DIR ?? join(homedir(), '.cache', 'dynsync');

/**
 * Run-time state (data, logs, pid files) of one server; `DYNSYNC_RUN_DIR` (with other ports) starts a second,
 * independent stack that shares the downloads (the fault suite kills and restarts its own servers that way).
 */
export const runDir = (server: string): string => join(process.env.DYNSYNC_RUN_DIR ?? join(cacheDir, 'run'), server);

function port(name: string, def: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) {
    throw new Error(`${name}=${raw} is not a TCP port (1-65535)`);
  }
  return n;
}

/** The ports the local servers listen on (127.0.0.1 only). */
export const ports = {
  kafka: port('KAFKA_PORT', 9092),
  kafkaController: port('KAFKA_CONTROLLER_PORT', 9093),
  registry: port('APICURIO_PORT', 8080),
  registryManagement: port('APICURIO_MANAGEMENT_PORT', 9000),
  /** PostgreSQL + DocumentDB, FerretDB's backend (not 5432, so a host PostgreSQL keeps its port). */
  postgres: port('POSTGRES_PORT', 5433),
  /** FerretDB's MongoDB wire protocol: the store of MONGODB_URI. */
  store: port('FERRETDB_PORT', 27017),
} as const;

/** The three connection settings every service and test reads. */
export const connectionEnv = {
  KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
  SCHEMA_REGISTRY_URL: `http://127.0.0.1:${ports.registry}/apis/ccompat/v7`,
  MONGODB_URI: `mongodb://127.0.0.1:${ports.store}/?directConnection=true`,
} as const;
