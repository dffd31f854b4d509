/**
 * Resolves the real servers the integration tests use, in this order:
 *  1. KAFKA_BROKERS, SCHEMA_REGISTRY_URL and MONGODB_URI if all three are given;
 *  2. else testcontainers, when a Docker engine answers;
 *  3. else the local servers of `npm run infra:up` (started here if they are not running).
 * The settings reach tests through vitest's provide/inject and through process.env (for child processes).
 */
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Every connection setting, as `infra:up` prints them. */
    connectionEnv: Record<string, string>;
    kafkaBrokers: string;
    registryUrl: string;
    mongoUri: string;
    serversFrom: 'env' | 'testcontainers' | 'local';
  }
}

type Settings = { KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string; MONGODB_URI: string } & Record<string, string>;

/** The access settings that travel with the three addresses (shared/kafka-access.ts, shared/registry.ts). */
const ACCESS = /^(KAFKA_SECURITY_PROTOCOL|KAFKA_SASL_[A-Z_]+|KAFKA_(CA|CERT|KEY)_PATH|SCHEMA_REGISTRY_(USERNAME|PASSWORD|PASSWORD_FILE|CA_PATH))$/;

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function fromTestcontainers(): Promise<{ settings: Settings; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { MongoDBContainer } = await import('@testcontainers/mongodb');
  const [kafka, registry, mongo] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:8.0.0').withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' }).start(),
    new GenericContainer('apicurio/apicurio-registry:3.3.3')
      .withExposedPorts(8080, 9000)
      .withEnvironment({ APICURIO_RULES_GLOBAL_COMPATIBILITY: 'BACKWARD' })
      .withWaitStrategy(Wait.forHttp('/health/ready', 9000))
      .start(),
    new MongoDBContainer('mongo:8.0').start(),
  ]);
  return {
    settings: {
      KAFKA_BROKERS: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
      SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      MONGODB_URI: `${mongo.getConnectionString()}?directConnection=true`,
    },
    stop: async () => {
      await Promise.all([kafka.stop(), registry.stop(), mongo.stop()]);
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let settings: Settings;
  let from: 'env' | 'testcontainers' | 'local';
  let teardown = async () => {};
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI } = process.env;
  if (KAFKA_BROKERS && SCHEMA_REGISTRY_URL && MONGODB_URI) {
    const access = Object.entries(process.env).filter((e): e is [string, string] => ACCESS.test(e[0]) && !!e[1]);
    settings = { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI, ...Object.fromEntries(access) };
    from = 'env';
  } else if (await dockerAvailable()) {
    const started = await fromTestcontainers();
    settings = started.settings;
    teardown = started.stop;
    from = 'testcontainers';
  } else {
    const { up } = await import('../infra/local/stack.ts');
    settings = { ...(await up()).env };
    from = 'local';
  }
  Object.assign(process.env, settings);
  project.provide('connectionEnv', settings);
  project.provide('kafkaBrokers', settings.KAFKA_BROKERS);
  project.provide('registryUrl', settings.SCHEMA_REGISTRY_URL);
  project.provide('mongoUri', settings.MONGODB_URI);
  project.provide('serversFrom', from);
  return teardown;
}
