/**
 * What every service does with Kafka at start-up, written once: its Kafka and registry credentials checked (a refused
 * password or an untrusted certificate stops the start with one line naming the variable), the client with the
 * services' retries, an admin client, and the deployment's topic settings checked against the cluster
 * (CONFIG_INVALID naming the variable) with the control topics declared.
 */
import type { Admin, Kafka } from 'kafkajs';
import { SERVICE_KAFKA_RETRY, createKafka } from './kafka.ts';
import { checkKafkaAccess, type KafkaAccess } from './kafka-access.ts';
import { KafkaTopics } from './kafka-topics.ts';
import type { Logger } from './log.ts';
import { checkRegistryAccess, type RegistryAccess } from './registry.ts';
import { topicSettingsOf, type TopicEnv } from './topics.ts';

/** A service's connected Kafka. */
export interface ServiceKafka {
  kafka: Kafka;
  admin: Admin;
  topics: KafkaTopics;
}

/** Connects service `clientId` (e.g. `dynsync-loader`) to Kafka and checks its registry access. */
export async function connectServiceKafka(
  clientId: string,
  env: TopicEnv & { KAFKA_BROKERS: readonly string[] },
  access: { kafka: KafkaAccess; registry: RegistryAccess },
  log: Logger,
): Promise<ServiceKafka> {
  await checkKafkaAccess(clientId, env.KAFKA_BROKERS, access.kafka, log);
  await checkRegistryAccess(access.registry, log);
  const kafka = createKafka(clientId, env.KAFKA_BROKERS, log, { ...access.kafka.client, retry: SERVICE_KAFKA_RETRY });
  const admin = kafka.admin();
  await admin.connect();
  const topics = await KafkaTopics.resolve(admin, topicSettingsOf(env), log);
  await topics.declare(topics.control());
  return { kafka, admin, topics };
}
