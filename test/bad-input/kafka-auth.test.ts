/**
 * Security, Kafka and the schema registry (issue #22, item 1): the local stack runs Kafka with SASL/SCRAM over TLS, a
 * mutual-TLS listener and ACLs, and the registry with basic authentication. A wrong password, an untrusted certificate
 * or a TLS/plaintext mismatch stops a service (and the CLI) with one line naming the variable, never the secret; each
 * service principal has exactly the ACLs of services/shared/kafka-acls.ts: only the ops principal writes sync.commands,
 * only extractors and the coordinator write sync.coordinator and table topics.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../../harness/service-process.ts';
import { tlsFiles } from '../../infra/local/security.ts';
import { KAFKA_USERS, ports, type LocalRole } from '../../infra/local/settings.ts';
import { DEFAULT_SCHEDULE } from '../../services/dataverse/connections/connection.ts';
import { ConnectionStore } from '../../services/dataverse/connections/connection-store.ts';
import { createKafka, createProducer } from '../../services/shared/kafka.ts';
import { checkKafkaAccess, kafkaAccessOf } from '../../services/shared/kafka-access.ts';
import { controlTopics, tableTopicSpec } from '../../services/shared/topics.ts';
import { runDynsync } from '../cli/cli-harness.ts';
import { servers, testKafka, testMongo, uniqueName } from '../support/servers.ts';
import { tableTopic, COMMANDS_TOPIC, COORDINATOR_TOPIC, TASKS_TOPIC, DLQ_TOPIC } from '../../services/contracts/topic-names.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';

const env = servers.env();
const authenticated = env.KAFKA_SECURITY_PROTOCOL === 'sasl_ssl' && env.KAFKA_SASL_USERNAME === KAFKA_USERS.admin;
const WRONG = `wrong-${randomBytes(6).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'dynsync-kafka-auth-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

/** A service started with the test servers' settings plus `extra` (a variable set to '' is unset), until it exits. */
async function exitOf(name: string, extra: Record<string, string>) {
  const p = startService(name, { ...env, LOADER_OPS_PORT: '0', LOADER_GROUP_ID: uniqueName('dynsync-loader-auth'), ...extra });
  let err = '';
  p.child.stderr!.on('data', (c: string) => (err += c));
  const code = await Promise.race([p.exited(), new Promise<string>((r) => setTimeout(() => r('still running'), 90_000))]);
  if (code === 'still running') await p.kill('SIGKILL');
  return { code, err, out: `${err}\n${p.logs.map((l) => JSON.stringify(l)).join('\n')}` };
}

describe.skipIf(!authenticated)('Kafka and registry credentials: one clear line naming the variable', () => {
  it('a wrong Kafka password stops the loader: exit 2, KAFKA_SASL_PASSWORD_FILE named, the password never shown', async () => {
    const r = await exitOf('loader', { KAFKA_SASL_PASSWORD_FILE: file('wrong.password', `${WRONG}\n`) });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^CONFIG_INVALID: KAFKA_SASL_PASSWORD_FILE: Kafka \(127\.0\.0\.1:\d+\) refused the credentials of user "dynsync-admin" with SASL SCRAM-SHA-512/m);
    expect(r.out).not.toContain(WRONG);
  });

  it('a broker certificate from another CA stops the loader: exit 2, KAFKA_CA_PATH named', async () => {
    const other = await generate([{ name: 'commonName', value: 'another CA' }], { keySize: 2048, algorithm: 'sha256', extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, critical: true }] });
    const r = await exitOf('loader', { KAFKA_CA_PATH: file('other-ca.pem', other.cert) });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^CONFIG_INVALID: KAFKA_CA_PATH: the TLS certificate of the broker at 127\.0\.0\.1:\d+ is not signed by the CA in KAFKA_CA_PATH/m);
  });

  it('a client without TLS against the TLS listener: exit 2, KAFKA_SECURITY_PROTOCOL named', async () => {
    const r = await exitOf('loader', { KAFKA_SECURITY_PROTOCOL: 'plaintext', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD_FILE: '', KAFKA_CA_PATH: '', KAFKA_SASL_MECHANISM: '' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^CONFIG_INVALID: KAFKA_SECURITY_PROTOCOL: plaintext does not use TLS, but the broker at .* answers TLS/m);
  });

  it('a SASL protocol without user or password is refused before connecting, every problem named', async () => {
    const r = await exitOf('loader', { KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD_FILE: '' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('loader: invalid configuration (2 problems)');
    expect(r.err).toMatch(/\n {2}KAFKA_SASL_USERNAME: required with KAFKA_SECURITY_PROTOCOL=sasl_ssl/);
    expect(r.err).toMatch(/\n {2}KAFKA_SASL_PASSWORD: required with KAFKA_SECURITY_PROTOCOL=sasl_ssl/);
  });

  it('a wrong registry password stops the loader: exit 2, SCHEMA_REGISTRY_PASSWORD named, the password never shown', async () => {
    const r = await exitOf('loader', { SCHEMA_REGISTRY_PASSWORD_FILE: '', SCHEMA_REGISTRY_PASSWORD: WRONG });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^CONFIG_INVALID: SCHEMA_REGISTRY_PASSWORD: the schema registry at .* refused the credentials of user "dynsync" \(HTTP 401\)/m);
    expect(r.out).not.toContain(WRONG);
  });

  it('the registry refuses a client without credentials: SCHEMA_REGISTRY_USERNAME named', async () => {
    const r = await exitOf('loader', { SCHEMA_REGISTRY_USERNAME: '', SCHEMA_REGISTRY_PASSWORD_FILE: '' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^CONFIG_INVALID: SCHEMA_REGISTRY_USERNAME: the schema registry at .* requires authentication \(HTTP 401\)/m);
  });

  it('dynsync sync with a wrong password: exit 2 naming the variable, the password never shown', async () => {
    const stateDb = uniqueName('authstate');
    const mongo = await testMongo();
    const now = new Date();
    try {
      await new ConnectionStore(mongo.db(stateDb)).put({
        id: 'authcheck', orgUrl: 'https://authcheck.crm4.dynamics.com', tenantId: 'contoso.onmicrosoft.com', clientId: '11111111-2222-3333-4444-555555555555',
        flow: 'client-credentials', tables: 'all', schedule: { ...DEFAULT_SCHEDULE }, createdAt: now, updatedAt: now,
      });
      const r = await runDynsync(['sync', 'authcheck'], { ...env, DYNSYNC_STATE_DB: stateDb, KAFKA_SASL_PASSWORD_FILE: undefined, KAFKA_SASL_PASSWORD: WRONG });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/KAFKA_SASL_PASSWORD: Kafka \(127\.0\.0\.1:\d+\) refused the credentials of user "dynsync-admin"/);
      expect(r.stdout + r.stderr).not.toContain(WRONG);
    } finally {
      await mongo.close();
    }
  });

  it('PLAIN works too; a mechanism the listener does not enable names KAFKA_SASL_MECHANISM', async () => {
    await checkKafkaAccess('test', servers.brokers(), kafkaAccessOf('test', { ...env, KAFKA_SASL_MECHANISM: 'plain' }));
    const err = await checkKafkaAccess('test', servers.brokers(), kafkaAccessOf('test', { ...env, KAFKA_SASL_MECHANISM: 'scram-sha-256' })).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^KAFKA_SASL_MECHANISM: the broker at .* does not enable SASL SCRAM-SHA-256/);
  });
});

describe.skipIf(!authenticated)('Kafka ACLs: each principal can do its job and nothing more', () => {
  const table = tableTopic(uniqueName('acl').replace(/-/g, ''), 'account');
  const admin = testKafka(uniqueName('acl-admin')).admin();

  beforeAll(async () => {
    await admin.connect();
    await ensureTopics(admin, [...controlTopics(), tableTopicSpec(table, 1)]);
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [table] }).catch(() => undefined);
    await admin.disconnect();
  });

  /** True when `role`'s principal may produce to `topic`. */
  async function canWrite(access: Record<string, string>, topic: string, brokers = servers.brokers()): Promise<boolean | string> {
    const kafka = createKafka(uniqueName('acl'), brokers, undefined, { ...kafkaAccessOf('test', access).client, retry: { retries: 1 } });
    const producer = createProducer(kafka, { config: { retry: { retries: 1 } } });
    try {
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'acl-probe', value: null }] });
      return true;
    } catch (err) {
      const text = `${(err as Error).name} ${(err as Error).message}`;
      return /authoriz/i.test(text) ? false : text;
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  }

  it.each<[string, string, boolean]>([
    ['ops', COMMANDS_TOPIC, true],
    ['coordinator', COMMANDS_TOPIC, false],
    ['extractor', COMMANDS_TOPIC, false],
    ['loader', COMMANDS_TOPIC, false],
    ['extractor', COORDINATOR_TOPIC, true],
    ['coordinator', COORDINATOR_TOPIC, true],
    ['ops', COORDINATOR_TOPIC, false],
    ['loader', COORDINATOR_TOPIC, false],
    ['extractor', 'TABLE', true],
    ['coordinator', 'TABLE', true],
    ['ops', 'TABLE', false],
    ['loader', 'TABLE', false],
    ['loader', DLQ_TOPIC, true],
    ['ops', TASKS_TOPIC, false],
    ['loader', TASKS_TOPIC, false],
  ])('%s writes %s: %s', async (role, topic, allowed) => {
    expect(await canWrite(servers.principalEnv(role as LocalRole), topic === 'TABLE' ? table : topic)).toBe(allowed);
  });

  it('mutual TLS: the client certificate dynsync-ops-cert is the ops principal on the mutual-TLS listener', async () => {
    const tls = tlsFiles(dirname(env.KAFKA_CA_PATH!));
    const mtls = { KAFKA_SECURITY_PROTOCOL: 'ssl', KAFKA_CA_PATH: env.KAFKA_CA_PATH!, KAFKA_CERT_PATH: tls.clientCert, KAFKA_KEY_PATH: tls.clientKey };
    const brokers = [`127.0.0.1:${ports.kafkaMtls}`];
    await checkKafkaAccess('test', brokers, kafkaAccessOf('test', mtls));
    expect(await canWrite(mtls, COMMANDS_TOPIC, brokers)).toBe(true);
    expect(await canWrite(mtls, COORDINATOR_TOPIC, brokers)).toBe(false);
    // without a certificate the listener refuses the handshake
    expect(await canWrite({ KAFKA_SECURITY_PROTOCOL: 'ssl', KAFKA_CA_PATH: env.KAFKA_CA_PATH! }, COMMANDS_TOPIC, brokers)).not.toBe(true);
  });
});
