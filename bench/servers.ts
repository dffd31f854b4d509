/**
 * The servers the benchmarks use: KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGODB_URI when set, else the local
 * stack (infra/local/stack.ts `up()`, which reuses running servers and starts missing ones).
 */
import { connectionEnv } from '../infra/local/settings.ts';
import { up } from '../infra/local/stack.ts';

/** Where the servers are. */
export interface BenchServers {
  brokers: string[];
  registryUrl: string;
  mongoUri: string;
}

/** The servers from the environment, falling back to the local stack's addresses. */
export function benchServers(): BenchServers {
  return {
    brokers: (process.env.KAFKA_BROKERS ?? connectionEnv.KAFKA_BROKERS).split(','),
    registryUrl: process.env.SCHEMA_REGISTRY_URL ?? connectionEnv.SCHEMA_REGISTRY_URL,
    mongoUri: process.env.MONGODB_URI ?? connectionEnv.MONGODB_URI,
  };
}

/** Makes sure the servers run: `up()` unless all three are given in the environment. */
export async function ensureServers(): Promise<BenchServers> {
  if (!process.env.KAFKA_BROKERS || !process.env.SCHEMA_REGISTRY_URL || !process.env.MONGODB_URI) await up();
  return benchServers();
}
