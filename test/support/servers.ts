/**
 * Access to the real servers resolved by test/global-setup.ts, and unique names so tests never share topics,
 * groups or databases.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { MongoClient } from 'mongodb';
import { createKafka } from '../../services/shared/kafka.ts';
import { createRegistry, type AvroOptions } from '../../services/shared/registry.ts';

/** The servers under test. */
export const servers = {
  brokers: () => inject('kafkaBrokers').split(','),
  registryUrl: () => inject('registryUrl'),
  mongoUri: () => inject('mongoUri'),
};

/** A name unique to this test run: `<prefix>-<random>` (lower-case, safe for topics, groups and databases). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A kafkajs client on the test brokers. */
export const testKafka = (clientId = uniqueName('test')) => createKafka(clientId, servers.brokers());

/** A registry client on the test registry. */
export const testRegistry = (options: AvroOptions = {}) => createRegistry(servers.registryUrl(), options);

/** A connected MongoDB client on the test store; close it in afterAll. */
export async function testMongo(): Promise<MongoClient> {
  const client = new MongoClient(servers.mongoUri(), { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return client;
}
