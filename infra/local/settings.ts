/**
 * Settings of the local servers, from the environment (infra scripts are outside the services, so they read
 * process.env directly). Every port is configurable so several checkouts or CI jobs can coexist.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

type Env = NodeJS.ProcessEnv;

/** Where downloads, builds, data, logs and pid files live (outside the checkout). */
export const cacheDirOf = (env: Env): string => env.DYNSYNC_CACHE_DIR ?? join(homedir(), '.cache', 'dynsync');
export const cacheDir = cacheDirOf(process.env);

/**
 * Run-time state (data, logs, pid files) of one server; `DYNSYNC_RUN_DIR` (with other ports) starts a second,
 * independent stack that shares the downloads (the fault suite kills and restarts its own servers that way).
 */
export const runDirOf = (env: Env, server: string): string => join(env.DYNSYNC_RUN_DIR ?? join(cacheDirOf(env), 'run'), server);
export const runDir = (server: string): string => runDirOf(process.env, server);

function port(env: Env, name: string, def: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) {
    throw new Error(`${name}=${raw} is not a TCP port (1-65535)`);
  }
  return n;
}

/** The ports a stack with `env` listens on (127.0.0.1 only). */
export function portsOf(env: Env) {
  return {
    kafka: port(env, 'KAFKA_PORT', 9092),
    kafkaController: port(env, 'KAFKA_CONTROLLER_PORT', 9093),
    /** Kafka's mutual-TLS listener (client certificates; the principal is the certificate's CN). */
    kafkaMtls: port(env, 'KAFKA_MTLS_PORT', 9094),
    registry: port(env, 'APICURIO_PORT', 8080),
    registryManagement: port(env, 'APICURIO_MANAGEMENT_PORT', 9000),
    /** PostgreSQL + DocumentDB, FerretDB's backend (not 5432, so a host PostgreSQL keeps its port). */
    postgres: port(env, 'POSTGRES_PORT', 5433),
    /** FerretDB's MongoDB wire protocol: the store of MONGODB_URI. */
    store: port(env, 'FERRETDB_PORT', 27017),
  } as const;
}

/** The ports the local servers listen on. */
export const ports = portsOf(process.env);

/**
 * The local stack runs Kafka with SASL/SCRAM over TLS and the registry with basic authentication
 * (infra/local/security.ts), so the demo and every suite use the authenticated path; `DYNSYNC_LOCAL_SECURITY=off`
 * starts a plaintext stack instead (for a look at the topics with tools that have no credentials).
 */
export function securedOf(env: Env): boolean {
  const raw = env.DYNSYNC_LOCAL_SECURITY ?? 'on';
  if (raw === 'on' || raw === '') return true;
  if (raw === 'off') return false;
  throw new Error(`DYNSYNC_LOCAL_SECURITY=${raw} is neither on nor off (unset means on)`);
}
export const secured = securedOf(process.env);

/** Where the stack's CA, certificates and keys live (infra/local/security.ts). */
export const tlsDir = (): string => runDir('tls');
/** Where the stack's passwords live, one file per user, mode 0600. */
export const credentialsDir = (): string => runDir('credentials');
/** The password file of a Kafka user of the local stack. */
export const kafkaPasswordFile = (user: string, env: Env = process.env): string => join(runDirOf(env, 'credentials'), `kafka-${user}.password`);
/** The password file of a registry user of the local stack. */
export const registryPasswordFile = (user: string, env: Env = process.env): string => join(runDirOf(env, 'credentials'), `registry-${user}.password`);

/** The Kafka users of the local stack: `broker` (inter-broker and controller, PLAIN), `admin` (super user, SCRAM and PLAIN), one per service role. */
export const KAFKA_USERS = {
  broker: 'dynsync-broker',
  admin: 'dynsync-admin',
  coordinator: 'dynsync-coordinator',
  extractor: 'dynsync-extractor',
  loader: 'dynsync-loader',
  ops: 'dynsync-ops',
} as const;

/** The registry's user (Apicurio basic authentication, role sr-admin). */
export const REGISTRY_USER = 'dynsync';

/** The connection settings of a stack, as `infra:up` prints them. */
export type ConnectionEnv = { KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string; MONGODB_URI: string } & Record<string, string>;

/**
 * The connection settings of the stack that `env` selects (ports, run directory): the three addresses, and on the
 * authenticated stack the Kafka principal `dynsync-admin` (SCRAM-SHA-512 over TLS, its password in a file), the
 * stack's CA, and the registry user.
 */
export function connectionEnvOf(env: Env): ConnectionEnv {
  const p = portsOf(env);
  const on = securedOf(env);
  return {
    KAFKA_BROKERS: `127.0.0.1:${p.kafka}`,
    ...(on
      ? {
          KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: KAFKA_USERS.admin,
          KAFKA_SASL_PASSWORD_FILE: kafkaPasswordFile(KAFKA_USERS.admin, env),
          KAFKA_CA_PATH: join(runDirOf(env, 'tls'), 'ca.pem'),
        }
      : {}),
    SCHEMA_REGISTRY_URL: `http://127.0.0.1:${p.registry}/apis/ccompat/v7`,
    ...(on ? { SCHEMA_REGISTRY_USERNAME: REGISTRY_USER, SCHEMA_REGISTRY_PASSWORD_FILE: registryPasswordFile(REGISTRY_USER, env) } : {}),
    MONGODB_URI: `mongodb://127.0.0.1:${p.store}/?directConnection=true`,
  };
}

/** The connection settings every service and test reads, as `infra:up` prints them. */
export const connectionEnv: ConnectionEnv = connectionEnvOf(process.env);

/** A service role with its own Kafka principal on the local stack. */
export type LocalRole = 'coordinator' | 'extractor' | 'loader' | 'ops';

/**
 * `env` with the Kafka principal of `role` instead of the admin, when `env` is the local authenticated stack's
 * (its user is `dynsync-admin` and the role's password file is beside the admin's); otherwise `env` unchanged.
 */
export function principalEnv<E extends Record<string, string>>(env: E, role: LocalRole): E {
  const adminFile = env.KAFKA_SASL_PASSWORD_FILE;
  if (env.KAFKA_SASL_USERNAME !== KAFKA_USERS.admin || adminFile === undefined) return env;
  const file = join(adminFile, '..', `kafka-${KAFKA_USERS[role]}.password`);
  return { ...env, KAFKA_SASL_USERNAME: KAFKA_USERS[role], KAFKA_SASL_PASSWORD_FILE: file };
}
