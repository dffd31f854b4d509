/**
 * The settings of the servers a deployment's processes connect to, defined once and spread into each service's
 * configuration: Kafka (addresses, this process's principal, the topic settings), the schema registry, MongoDB, and
 * the prefix of the connections' table databases (contracts/stored-document.ts `tableDatabase`).
 */
import { z } from 'zod';
import { envField } from './config.ts';
import { KAFKA_ACCESS_ENV } from './kafka-access.ts';
import { REGISTRY_ACCESS_ENV } from './registry.ts';
import { TOPIC_ENV } from './topics.ts';

const renamed = (to: string) => z.undefined({ error: `renamed to ${to} (read by the loader, the coordinator and the CLI alike); set that instead` }).optional();

/** Kafka: the brokers, TLS and SASL of this process's principal (kafka-access.ts, SECURITY.md), the topic settings. */
export const KAFKA_ENV = {
  KAFKA_BROKERS: envField.brokers('127.0.0.1:9092'),
  ...KAFKA_ACCESS_ENV,
  ...TOPIC_ENV,
} as const;

/** The schema registry, with its basic authentication and TLS (registry.ts). */
export const REGISTRY_ENV = {
  SCHEMA_REGISTRY_URL: envField.url('http://127.0.0.1:8080/apis/ccompat/v7'),
  ...REGISTRY_ACCESS_ENV,
} as const;

/** MongoDB, and where the connections' tables are: database `<DYNSYNC_DATABASE_PREFIX><connection id>`. */
export const STORE_ENV = {
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// URI').default('mongodb://127.0.0.1:27017/?directConnection=true'),
  DYNSYNC_DATABASE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, _ and - only').default('dynsync_'),
  LOADER_DATABASE_PREFIX: renamed('DYNSYNC_DATABASE_PREFIX'),
  COORDINATOR_DATABASE_PREFIX: renamed('DYNSYNC_DATABASE_PREFIX'),
} as const;
