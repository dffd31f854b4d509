/**
 * Access to the real servers resolved by test/global-setup.ts, and unique names so tests never share topics,
 * groups or databases.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Admin, Kafka, KafkaConfig } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { createKafka, createProducer } from '../../services/shared/kafka.ts';
import type { HealingProducer } from '../../services/shared/healing-producer.ts';
import { kafkaAccessOf, type KafkaAccess } from '../../services/shared/kafka-access.ts';
import { createRegistry, registryAccessOf, type AvroOptions, type RegistryAccess } from '../../services/shared/registry.ts';
import { principalEnv, type LocalRole } from '../../infra/local/settings.ts';

let kafkaAccess: KafkaAccess | undefined;
let registryAccess: RegistryAccess | undefined;

/** The servers under test. */
export const servers = {
  brokers: () => inject('kafkaBrokers').split(','),
  registryUrl: () => inject('registryUrl'),
  mongoUri: () => inject('mongoUri'),
  /** Every connection setting (addresses, Kafka TLS/SASL, registry credentials), as env lines for a process. */
  env: (): Record<string, string> => ({ ...inject('connectionEnv') }),
  /** The settings with the Kafka principal of a service role instead of the admin (local stack; else unchanged). */
  principalEnv: (role: LocalRole): Record<string, string> => principalEnv(inject('connectionEnv'), role),
  /** The tests' Kafka access (the local stack's admin principal over TLS). */
  kafkaAccess: (): KafkaAccess => (kafkaAccess ??= kafkaAccessOf('test', inject('connectionEnv'))),
  /** The tests' registry access (basic authentication on the local stack). */
  registryAccess: (): RegistryAccess => (registryAccess ??= registryAccessOf('test', inject('connectionEnv'))),
};

/** A name unique to this test run: `<prefix>-<random>` (lower-case, safe for topics, groups and databases). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A kafkajs client on the test brokers (with the tests' TLS and SASL settings); `overrides` tune it. */
export const testKafka = (clientId = uniqueName('test'), overrides: Partial<KafkaConfig> = {}) => createKafka(clientId, servers.brokers(), undefined, { ...servers.kafkaAccess().client, ...overrides });

/** A test Kafka client with a connected admin and producer; `close` disconnects both. */
export async function connectedKafka(): Promise<{ kafka: Kafka; admin: Admin; producer: HealingProducer; close: () => Promise<void> }> {
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  const producer = createProducer(kafka);
  await producer.connect();
  return { kafka, admin, producer, close: async () => void (await Promise.allSettled([producer.disconnect(), admin.disconnect()])) };
}

/** A registry client on the test registry (with its credentials). */
export const testRegistry = (options: AvroOptions = {}) => createRegistry(servers.registryAccess(), options);

/** A connected MongoDB client on the test store; close it in afterAll. */
export async function testMongo(): Promise<MongoClient> {
  const client = new MongoClient(servers.mongoUri(), { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return client;
}
