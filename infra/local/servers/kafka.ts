/**
 * Apache Kafka 4.x in KRaft combined mode (broker + controller, one node), from the Maven Central jars
 * provisioned by provision.sh. Replication factors 1, no topic auto-creation (topics are declared).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createKafka } from '../../../services/shared/kafka.ts';
import { cacheDir, ports, runDir } from '../settings.ts';
import { versions } from '../versions.ts';
import type { LocalServer } from './server.ts';
import { findJava } from '../java.ts';

const dir = runDir('kafka');
const home = () => join(cacheDir, `kafka-${versions.KAFKA_VERSION}`);
const classpath = () => `${home()}/lib/*`;
const log4j = () => [`-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`, `-Dkafka.logs.dir=${join(dir, 'logs')}`];

function serverProperties(): string {
  return `process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${ports.kafkaController}
listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${join(dir, 'data')}
num.partitions=1
num.network.threads=2
num.io.threads=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
log.cleaner.threads=1
`;
}

const LOG4J = `status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
`;

/**
 * A random KRaft cluster id (16 bytes, base64url) that does not start with `-`: kafka-storage's argument parser
 * reads such an id as an option and refuses to format (1 start in 64 failed so). Kafka's own `Uuid.randomUuid`
 * skips those ids for the same reason.
 */
export function kafkaClusterId(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The Kafka server definition. */
export const kafka: LocalServer = {
  name: 'kafka',
  label: `Apache Kafka ${versions.KAFKA_VERSION} (KRaft)`,
  port: ports.kafka,
  dir,
  startTimeoutMs: 90_000,
  async prepare() {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    writeFileSync(join(dir, 'server.properties'), serverProperties());
    writeFileSync(join(dir, 'log4j2.properties'), LOG4J);
    if (existsSync(join(dir, 'data', 'meta.properties'))) return;
    const idFile = join(dir, 'cluster.id');
    // no data yet, so an id left by a format that failed is replaced too
    if (!existsSync(idFile) || readFileSync(idFile, 'utf8').trim().startsWith('-')) writeFileSync(idFile, kafkaClusterId());
    const clusterId = readFileSync(idFile, 'utf8').trim();
    execFileSync(
      findJava(17, 'KAFKA_JAVA'),
      ['-Xmx256m', ...log4j(), '-cp', classpath(), 'kafka.tools.StorageTool', 'format', '--standalone', '--ignore-formatted',
        '-t', clusterId, '-c', join(dir, 'server.properties')],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  },
  launch() {
    return {
      command: findJava(17, 'KAFKA_JAVA'),
      args: ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35',
        '-XX:+ExplicitGCInvokesConcurrent', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true', ...log4j(),
        '-cp', classpath(), 'kafka.Kafka', join(dir, 'server.properties')],
      cwd: dir,
      marker: 'kafka.Kafka',
    };
  },
  async healthy() {
    const admin = createKafka('infra-health', [`127.0.0.1:${ports.kafka}`], undefined, { connectionTimeout: 1000, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};
