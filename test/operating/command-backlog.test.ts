/**
 * No command lost to start-up order (issue #21, item 4): a deployment whose operator sends a resync before the
 * first coordinator ever started gets that resync carried out (loaded and verified), and a command that waited
 * longer than COORDINATOR_COMMAND_MAX_AGE_MS is reported as expired (log, metric, `dynsync runs`), not run.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoClient } from 'mongodb';
import type { Agent } from 'undici';
import { dynsync } from '../../harness/cli-process.ts';
import { matches, truthVersions, verifyTable } from '../../harness/ground-truth.ts';
import { startPipeline, type Pipeline } from '../../harness/pipeline.ts';
import { watchRun, type RunSummary } from '../../harness/run-watch.ts';
import { eventually, startService } from '../../harness/service-process.ts';
import { createHttpAgent, readCaCertificate } from '../../services/dataverse/client/http-agent.ts';
import { createProducer } from '../../services/shared/kafka.ts';
import { startSimulator, type SimulatorHandle } from '../../services/simulator/simulator.ts';
import { servers, testKafka, testMongo } from '../support/servers.ts';
import { COMMANDS_TOPIC } from '../../services/contracts/topic-names.ts';

const HOUR = 3_600_000;

describe('commands sent before the first coordinator started', { timeout: 600_000 }, () => {
  let sim: SimulatorHandle;
  let agent: Agent;
  let mongo: MongoClient;
  let pipeline: Pipeline | undefined;
  let run: RunSummary;
  const connection = `backlog${randomBytes(3).toString('hex')}`;
  const since = new Date();
  let env: Record<string, string>;
  let invalidAt: { partition: number; offset: string };
  const about = (logs: Record<string, unknown>[], at: { partition: number; offset: string }) => logs.filter((l) => l.partition === at.partition && String(l.offset) === at.offset).map((l) => [l.code, l.msg]);

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, control: true, rows: 40, logLevel: 'silent' });
    agent = createHttpAgent({ connections: 2, caPem: readCaCertificate(sim.caCertPath) });
    mongo = await testMongo();
    env = {
      KAFKA_BROKERS: servers.brokers().join(','), SCHEMA_REGISTRY_URL: servers.registryUrl(), MONGODB_URI: servers.mongoUri(),
      DYNSYNC_ENCRYPTION_KEY: randomBytes(32).toString('base64'), DYNSYNC_STATE_DB: `state_${connection}`, DYNSYNC_SECRETS_DB: `state_${connection}`,
      DYNSYNC_DEV_ORIGINS: sim.orgUrl, DYNSYNC_DEV_AUTHORITY: sim.orgUrl, DYNSYNC_DEV_CA_PATH: sim.caCertPath,
    };
    await dynsync(['connect', '--name', connection, '--org', sim.orgUrl, '--tenant', sim.tenantId, '--client-id', sim.clientId,
      '--client-secret', sim.clientSecret, '--flow', 'client-credentials', '--tables', 'account'], env);
    // a refresh that waited 25 hours (the coordinators were never deployed): its Kafka timestamp says so
    const producer = createProducer(testKafka());
    await producer.connect();
    await producer.send({ topic: COMMANDS_TOPIC, acks: -1, messages: [{ key: connection, value: JSON.stringify({ kind: 'refresh', connection, requestedBy: 'it-waited-too-long' }), timestamp: String(Date.now() - 25 * HOUR) }] });
    // and one that is not a command at all: a group that did not exist when it was sent does not dead-letter it
    const [invalid] = await producer.send({ topic: COMMANDS_TOPIC, acks: -1, messages: [{ key: connection, value: '{"kind":"wipe"}' }] });
    invalidAt = { partition: invalid!.partition, offset: String(invalid!.baseOffset ?? invalid!.offset) };
    await producer.disconnect();
    // the admin's resync, sent with the CLI before any coordinator of this deployment exists
    await dynsync(['resync', connection], env);
    pipeline = await startPipeline(connection, env);
    run = await watchRun(mongo.db(env.DYNSYNC_STATE_DB!), connection, 'full', since, () => undefined, 400_000);
  }, 600_000);

  afterAll(async () => {
    await Promise.allSettled([pipeline?.stop()]);
    await Promise.allSettled([agent?.close(), mongo?.close(), sim?.close()]);
  });

  it('the resync is carried out: loaded, and MongoDB equals the simulator', async () => {
    expect(run.records).toBeGreaterThan(0);
    const verdict = await verifyTable(mongo.db(`dynsync_${connection}`), 'account', await truthVersions(sim.controlUrl!, agent, 'account', 'accountid'));
    expect(matches(verdict), JSON.stringify(verdict)).toBe(true);
  });

  it('the command older than 24 h is expired: logged, counted, and a failed run with the reason in `dynsync runs`', async () => {
    const coordinator = pipeline!.services.at(-1)!;
    const line = coordinator.logs.find((l) => String(l.msg).startsWith('command expired: '));
    expect(line).toMatchObject({ connection, kind: 'incremental', code: 'COMMAND_EXPIRED' });
    expect(String(line!.msg)).toMatch(/the refresh command sent .* by it-waited-too-long was 25\.0 h old when a coordinator read it \(COORDINATOR_COMMAND_MAX_AGE_MS is 24\.0 h\): not carried out; send it again with `dynsync sync backlog/);
    const metrics = await (await fetch(`http://127.0.0.1:${await coordinator.opsPort()}/metrics`)).text();
    expect(metrics).toMatch(/dynsync_coordinator_commands_total\{[^}]*outcome="expired"[^}]*\} 1\n/);
    expect(metrics).toMatch(/dynsync_coordinator_commands_total\{[^}]*outcome="accepted"[^}]*\} 1\n/);
    const runs = JSON.parse(await dynsync(['runs', connection, '--json'], env)) as { runs: { runId: string; kind: string; status: string; error?: string }[] };
    expect(runs.runs.map((r) => [r.kind, r.status])).toEqual([['full', 'loaded'], ['incremental', 'failed']]);
    expect(runs.runs[1]!.error).toMatch(/^COMMAND_EXPIRED: the refresh command sent .* not carried out/);
    const table = await dynsync(['runs', connection], env);
    expect(table).toMatch(/failed: COMMAND_EXPIRED: the refresh command sent/);
  });

  it('the invalid command that was waiting is skipped and logged, not dead-lettered', async () => {
    const coordinator = pipeline!.services.at(-1)!;
    expect(about(coordinator.logs, invalidAt)).toEqual([['COMMAND_INVALID', 'command sent before this coordinator group first started, not for a connection of this deployment: skipped']]);
    const metrics = await (await fetch(`http://127.0.0.1:${await coordinator.opsPort()}/metrics`)).text();
    expect(metrics).toMatch(/dynsync_coordinator_commands_total\{[^}]*outcome="skipped-waiting"[^}]*\} 1\n/);
    expect(metrics).not.toMatch(/outcome="rejected"/);
  });

  it('a coordinator group of another name on the same state DB reads both commands again: neither is run nor reported twice', async () => {
    const state = mongo.db(env.DYNSYNC_STATE_DB!);
    const runsBefore = await state.collection('runs').find({ connection }).toArray();
    await pipeline!.stop();
    pipeline = undefined;
    const coordinator = startService('coordinator', { ...env, COORDINATOR_GROUP_ID: `renamed-${connection}`, COORDINATOR_CONNECTIONS: `^${connection}$`, COORDINATOR_LOADER_GROUP_ID: `dynsync-loader-${connection}`,
      COORDINATOR_OPS_PORT: '0', COORDINATOR_STATUS_PORT: '0', COORDINATOR_SCHEDULE_ENABLED: 'false', COORDINATOR_TICK_MS: '500' });
    try {
      const metricsUrl = `http://127.0.0.1:${await coordinator.opsPort()}/metrics`;
      // both commands read (each counted once: expired, and accepted then dropped as a run that exists)
      await eventually(async () => /outcome="expired"[^}]*\} 1\n/.test(await (await fetch(metricsUrl)).text()) && /outcome="accepted"[^}]*\} 1\n/.test(await (await fetch(metricsUrl)).text()), 60_000, 500);
      await new Promise((r) => setTimeout(r, 3000)); // a start or a report would follow at once
      expect(coordinator.logs.filter((l) => String(l.msg).startsWith('command expired: '))).toEqual([]);
      expect(about(coordinator.logs, invalidAt)).toEqual([['COMMAND_INVALID', 'command sent before this coordinator group first started, not for a connection of this deployment: skipped']]);
      expect((await state.collection('runs').find({ connection }).toArray()).map((r) => [r._id, r.status])).toEqual(runsBefore.map((r) => [r._id, r.status]));
    } finally {
      await coordinator.kill('SIGTERM');
    }
  });
});
