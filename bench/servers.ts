/**
 * The servers the benchmarks use: KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGODB_URI when set (with the Kafka TLS/SASL
 * and registry credentials that come with them), else the local stack (infra/local/stack.ts `up()`, which reuses
 * running servers and starts missing ones) and its settings.
 */
import { randomBytes } from 'node:crypto';
import { connectionEnv } from '../infra/local/settings.ts';
import { up } from '../infra/local/stack.ts';
import { kafkaAccessOf, type KafkaAccess } from '../services/shared/kafka-access.ts';
import { registryAccessOf, type RegistryAccess } from '../services/shared/registry.ts';

/** Where the servers are, and how to reach them. */
export interface BenchServers {
  brokers: string[];
  registryUrl: string;
  mongoUri: string;
  /** Every connection setting as env lines (spread into the services' environment). */
  env: Record<string, string>;
  /** Kafka TLS/SASL of the benchmark's own clients (spread into createKafka's overrides: `kafka.client`). */
  kafka: KafkaAccess;
  /** The registry with its credentials (createRegistry). */
  registry: RegistryAccess;
}

/** The access settings that travel with the three addresses. */
const ACCESS = /^(KAFKA_SECURITY_PROTOCOL|KAFKA_SASL_[A-Z_]+|KAFKA_(CA|CERT|KEY)_PATH|SCHEMA_REGISTRY_(USERNAME|PASSWORD|PASSWORD_FILE|CA_PATH))$/;

/** The servers from the environment, falling back to the local stack's settings. */
export function benchServers(): BenchServers {
  const given = process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL && process.env.MONGODB_URI;
  const env: Record<string, string> = given
    ? {
        KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
        SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!,
        MONGODB_URI: process.env.MONGODB_URI!,
        ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => ACCESS.test(e[0]) && !!e[1])),
      }
    : { ...connectionEnv };
  return {
    brokers: env.KAFKA_BROKERS!.split(','),
    registryUrl: env.SCHEMA_REGISTRY_URL!,
    mongoUri: env.MONGODB_URI!,
    env,
    kafka: kafkaAccessOf('bench', env),
    registry: registryAccessOf('bench', env),
  };
}

/** Makes sure the servers run: `up()` unless all three are given in the environment. */
export async function ensureServers(): Promise<BenchServers> {
  if (!process.env.KAFKA_BROKERS || !process.env.SCHEMA_REGISTRY_URL || !process.env.MONGODB_URI) await up();
  return benchServers();
}

/** The settings the services of a benchmark run with: the servers', a throwaway encryption key, and `sim` as the dev origin. */
export function serviceEnv(servers: BenchServers, sim: { orgUrl: string; caCertPath: string }): Record<string, string> {
  return {
    ...servers.env,
    KAFKA_BROKERS: servers.brokers.join(','),
    SCHEMA_REGISTRY_URL: servers.registryUrl,
    MONGODB_URI: servers.mongoUri,
    DYNSYNC_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DYNSYNC_STATE_DB: 'dynsync',
    DYNSYNC_DEV_ORIGINS: sim.orgUrl,
    DYNSYNC_DEV_AUTHORITY: sim.orgUrl,
    DYNSYNC_DEV_CA_PATH: sim.caCertPath,
    LOG_LEVEL: 'info',
  };
}
