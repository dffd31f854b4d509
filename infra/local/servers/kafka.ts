/**
 * Apache Kafka 4.x in KRaft combined mode (broker + controller, one node), from the Maven Central jars
 * provisioned by provision.sh. Replication factors 1, no topic auto-creation (topics are declared).
 *
 * Authenticated (infra/local/security.ts): the client listener is SASL_SSL with SCRAM-SHA-512 and PLAIN; a second
 * listener (KAFKA_MTLS_PORT) is SSL with required client certificates, whose CN is the principal; the controller
 * listener is SASL_SSL with PLAIN for the broker's own user. Authorization is Kafka's StandardAuthorizer
 * with nothing allowed without an ACL: `dynsync-broker` and `dynsync-admin` are super users, each service role has
 * its user and the ACLs of services/shared/kafka-acls.ts. The SCRAM users and the ACLs are created once the broker
 * runs (`initialize`): SCRAM credentials live in the cluster metadata, so an existing cluster gets them too.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import kafkajs, { type AclEntry } from 'kafkajs';
import { createKafka } from '../../../services/shared/kafka.ts';
import { kafkaAccessOf, PLAINTEXT_ACCESS } from '../../../services/shared/kafka-access.ts';
import { aclsFor, KAFKA_ROLES, type AclRule, type KafkaRole } from '../../../services/shared/kafka-acls.ts';
import { cacheDir, KAFKA_USERS, kafkaPasswordFile, ports, runDir, secured } from '../settings.ts';
import { ensurePassword, ensureTlsMaterial, MTLS_PRINCIPAL, tlsFiles } from '../security.ts';
import { versions } from '../versions.ts';
import type { LocalServer } from './server.ts';
import { findJava } from '../java.ts';

const dir = runDir('kafka');
const home = () => join(cacheDir, `kafka-${versions.KAFKA_VERSION}`);
const classpath = () => `${home()}/lib/*`;
const log4j = () => [`-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`, `-Dkafka.logs.dir=${join(dir, 'logs')}`];

/** The users with a SCRAM credential (every one but the broker's own, which is PLAIN only). */
const SCRAM_USERS = [KAFKA_USERS.admin, KAFKA_USERS.coordinator, KAFKA_USERS.extractor, KAFKA_USERS.loader, KAFKA_USERS.ops];
const password = (user: string) => ensurePassword(kafkaPasswordFile(user));
const plainJaas = (users: readonly string[]) =>
  `org.apache.kafka.common.security.plain.PlainLoginModule required username="${KAFKA_USERS.broker}" password="${password(KAFKA_USERS.broker)}" ${users.map((u) => `user_${u}="${password(u)}"`).join(' ')};`;

function securityProperties(): string {
  const tls = tlsFiles();
  return `listeners=SASL_SSL://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController},MTLS://127.0.0.1:${ports.kafkaMtls}
advertised.listeners=SASL_SSL://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController},MTLS://127.0.0.1:${ports.kafkaMtls}
inter.broker.listener.name=SASL_SSL
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:SASL_SSL,SASL_SSL:SASL_SSL,MTLS:SSL
sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
sasl.mechanism.inter.broker.protocol=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=${plainJaas([KAFKA_USERS.broker])}
listener.name.sasl_ssl.plain.sasl.jaas.config=${plainJaas([KAFKA_USERS.broker, KAFKA_USERS.admin])}
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=${tls.keystore}
ssl.truststore.type=PEM
ssl.truststore.location=${tls.ca}
ssl.endpoint.identification.algorithm=https
listener.name.mtls.ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^CN=([^,]+)(,.*)?$/$1/,DEFAULT
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:${KAFKA_USERS.broker};User:${KAFKA_USERS.admin}
`;
}

const plaintextProperties = () => `listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
`;

function serverProperties(): string {
  return `process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${ports.kafkaController}
${secured ? securityProperties() : plaintextProperties()}log.dirs=${join(dir, 'data')}
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

/** A kafkajs client of the local broker as `user` (PLAIN for the broker's user, SCRAM-SHA-512 otherwise). */
function localClient(user: string, clientId: string) {
  const access = secured
    ? kafkaAccessOf('infra', {
        KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
        KAFKA_SASL_MECHANISM: user === KAFKA_USERS.broker ? 'plain' : 'scram-sha-512',
        KAFKA_SASL_USERNAME: user,
        KAFKA_SASL_PASSWORD: password(user),
        KAFKA_CA_PATH: tlsFiles().ca,
      })
    : PLAINTEXT_ACCESS;
  return createKafka(clientId, [`127.0.0.1:${ports.kafka}`], undefined, { connectionTimeout: 3000, retry: { retries: 0 }, ...access.client });
}

/** True when `user` can log in with SCRAM-SHA-512. */
async function canLogIn(user: string): Promise<boolean> {
  const admin = localClient(user, 'infra-login').admin();
  try {
    await admin.connect();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

// CommonJS: node's export detection misses these, the default import has them
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;
const OPERATIONS: Record<AclRule['operations'][number], number> = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Create: AclOperationTypes.CREATE,
  Describe: AclOperationTypes.DESCRIBE,
  DescribeConfigs: AclOperationTypes.DESCRIBE_CONFIGS,
};
const RESOURCES: Record<AclRule['resource'], number> = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  'transactional-id': AclResourceTypes.TRANSACTIONAL_ID,
  cluster: AclResourceTypes.CLUSTER,
};

/** The ACL entries of the local principals: each service role's user, and the mutual-TLS principal as ops. */
export function localAcls(): AclEntry[] {
  const principals: [string, KafkaRole][] = [...KAFKA_ROLES.map((r): [string, KafkaRole] => [KAFKA_USERS[r], r]), [MTLS_PRINCIPAL, 'ops']];
  return principals.flatMap(([user, role]) =>
    aclsFor(role).flatMap((rule) =>
      rule.operations.map((op) => ({
        resourceType: RESOURCES[rule.resource],
        resourceName: rule.name,
        resourcePatternType: rule.pattern === 'prefixed' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
        principal: `User:${user}`,
        host: '*',
        operation: OPERATIONS[op],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    ),
  );
}

/** What the set-up made: the users and the ACLs; a change (new ACL, new user) runs it again. */
const setupDigest = () => createHash('sha256').update(JSON.stringify({ users: SCRAM_USERS, acls: localAcls() })).digest('hex');
const setupMarker = () => join(dir, 'security-setup.done');

/**
 * Creates the SCRAM-SHA-512 credentials of `users` with Kafka's ConfigCommand, logged in as the
 * broker's PLAIN user; the passwords go through a properties file (mode 0600), never the command line.
 */
function createScramUsers(users: readonly string[]): void {
  const tls = tlsFiles();
  const clientConfig = join(dir, 'infra-admin.properties');
  writeFileSync(
    clientConfig,
    `security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${KAFKA_USERS.broker}" password="${password(KAFKA_USERS.broker)}";\nssl.truststore.type=PEM\nssl.truststore.location=${tls.ca}\n`,
    { mode: 0o600 },
  );
  for (const user of users) {
    const add = join(dir, 'infra-scram.properties');
    const pw = password(user);
    // a properties file: the value is what `--add-config` takes inside brackets
    writeFileSync(add, `SCRAM-SHA-512=iterations=8192,password=${pw}\n`, { mode: 0o600 });
    execFileSync(
      findJava(17, 'KAFKA_JAVA'),
      ['-Xmx128m', '-XX:TieredStopAtLevel=1', ...log4j(), '-cp', classpath(), 'kafka.admin.ConfigCommand', '--bootstrap-server', `127.0.0.1:${ports.kafka}`,
        '--command-config', clientConfig, '--alter', '--entity-type', 'users', '--entity-name', user, '--add-config-file', add],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  }
  rmSync(join(dir, 'infra-scram.properties'), { force: true });
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
  startTimeoutMs: 150_000,
  async prepare() {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    if (secured) await ensureTlsMaterial();
    writeFileSync(join(dir, 'server.properties'), serverProperties(), { mode: 0o600 });
    chmodSync(join(dir, 'server.properties'), 0o600); // it holds the PLAIN users' passwords
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
      // the broker gets the optimizing JIT (C2): the AES-GCM and GHASH intrinsics of TLS exist only there, and with C1
      // alone (-XX:TieredStopAtLevel=1, kept for the short-lived tools above) TLS took about 60 % of its CPU
      args: ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35',
        '-XX:+ExplicitGCInvokesConcurrent', '-Djava.awt.headless=true', ...log4j(),
        '-cp', classpath(), 'kafka.Kafka', join(dir, 'server.properties')],
      cwd: dir,
      marker: 'kafka.Kafka',
    };
  },
  async healthy() {
    if (secured && !(existsSync(setupMarker()) && readFileSync(setupMarker(), 'utf8').trim() === setupDigest())) return false;
    const admin = localClient(secured ? KAFKA_USERS.admin : 'anonymous', 'infra-health').admin();
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
  async initialize() {
    if (!secured) return;
    // as the broker's own (PLAIN, super) user: the ACLs first, then the SCRAM users that cannot log in yet
    const admin = localClient(KAFKA_USERS.broker, 'infra-setup').admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.createAcls({ acl: localAcls() });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const missing: string[] = [];
    for (const user of SCRAM_USERS) if (!(await canLogIn(user))) missing.push(user);
    if (missing.length > 0) createScramUsers(missing);
    writeFileSync(setupMarker(), `${setupDigest()}\n`);
  },
};
