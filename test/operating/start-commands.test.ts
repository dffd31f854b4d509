/**
 * Start commands that work as written (issue #21, item 2): each service starts with the command the README's
 * "Operating it" table gives, from a shell whose `node` is the machine's own (Node 20 here: it cannot run the
 * TypeScript sources; npm finds the project's Node 24); SIGTERM to that command stops the service (no orphan).
 * Default ops ports differ per service; a port in use is one line naming its variable, without a stack trace, and
 * so is a replication factor the cluster cannot honour.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCoordinatorConfig } from '../../services/coordinator/config.ts';
import { loadExtractorConfig } from '../../services/extractor/config.ts';
import { loadLoaderConfig } from '../../services/loader/config.ts';
import { SERVICE_NODE_OPTIONS, eventually, startService } from '../../harness/service-process.ts';
import { freshShellEnv, repoRoot as root, startShell } from '../support/fresh-shell.ts';
import { servers, uniqueName } from '../support/servers.ts';

const KEY = Buffer.alloc(32, 0x21).toString('base64');
const SERVICES = ['coordinator', 'extractor', 'loader'] as const;

/** The start command of each service in README.md's "Operating it" table. */
function documentedStartCommands(): Record<string, string> {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('\n## Operating it'), readme.indexOf('\n## ', readme.indexOf('\n## Operating it') + 5));
  return Object.fromEntries(SERVICES.map((s) => [s, /`([^`]+)`/.exec(section.split('\n').find((l) => l.startsWith(`| ${s} |`)) ?? '')?.[1] ?? '(none)']));
}

/** The environment of a fresh shell with the test servers' settings plus `env`. */
const serviceShellEnv = (env: Record<string, string>) => freshShellEnv({ KAFKA_BROKERS: servers.brokers().join(','), SCHEMA_REGISTRY_URL: servers.registryUrl(), MONGODB_URI: servers.mongoUri(), ...env });

/** A port some other process holds. */
async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('start commands and ports', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    await Promise.allSettled(cleanup.map((c) => c()));
  });

  it('the README documents a start command per service, an npm script running the project\'s Node with the heap limits', () => {
    const commands = documentedStartCommands();
    expect(commands).toEqual({ coordinator: 'npm run coordinator', extractor: 'npm run extractor', loader: 'npm run loader' });
    const scripts = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const s of SERVICES) expect(scripts[s]).toBe(`exec node ${SERVICE_NODE_OPTIONS} services/${s}/main.ts`);
  });

  it('each documented command starts its service from a fresh shell (the machine\'s node is not the project\'s), and SIGTERM to it stops the service', { timeout: 300_000 }, async () => {
    const commands = documentedStartCommands();
    const tag = uniqueName('start');
    const status = await busyPort(); // the coordinator's status page port is taken: it runs on without the page
    cleanup.push(async () => status.server.close());
    const env: Record<(typeof SERVICES)[number], Record<string, string>> = {
      coordinator: { DYNSYNC_ENCRYPTION_KEY: KEY, DYNSYNC_STATE_DB: tag, COORDINATOR_GROUP_ID: `${tag}-coordinator`, COORDINATOR_CONNECTIONS: `^${tag}$`, COORDINATOR_OPS_PORT: '0',
        COORDINATOR_STATUS_PORT: String(status.port), COORDINATOR_SCHEDULE_ENABLED: 'false' },
      extractor: { DYNSYNC_ENCRYPTION_KEY: KEY, DYNSYNC_STATE_DB: tag, EXTRACTOR_GROUP_ID: `${tag}-extractor`, EXTRACTOR_CONNECTIONS: `^${tag}$`, EXTRACTOR_FROM_BEGINNING: 'false', EXTRACTOR_OPS_PORT: '0' },
      loader: { DYNSYNC_STATE_DB: tag, LOADER_GROUP_ID: `${tag}-loader`, LOADER_TOPIC_PATTERN: `^dynamics\\.${tag}\\.`, LOADER_OPS_PORT: '0' },
    };
    const started = SERVICES.map((s) => ({ s, p: startShell(`exec ${commands[s]!}`, serviceShellEnv(env[s])) }));
    cleanup.push(...started.map(({ p }) => async () => p.child.kill('SIGKILL')));
    for (const { s, p } of started) {
      const port = await eventually(async () => Number(/"opsPort":(\d+)/.exec(p.out())?.[1]) || undefined, 180_000, 250).catch((e: unknown) => {
        throw new Error(`${s} did not start: ${String(e)}\n${p.err()}\n${p.out().slice(-2000)}`);
      });
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 120_000, 250);
      // the project's Node ran it, whatever the shell's node is
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/nodejs_version_info\{version="v24\./);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow(); // gone, not orphaned
      if (s === 'coordinator') {
        expect(p.out()).toContain(`status page not started (COORDINATOR_STATUS_PORT: port ${status.port} is already in use on 127.0.0.1 by another process; set COORDINATOR_STATUS_PORT to a free port (0 = any free port)); the coordinator runs without it`);
      }
    }
  });

  it('default ops and status ports differ per service', () => {
    const ports = {
      coordinator: loadCoordinatorConfig({}).COORDINATOR_OPS_PORT,
      status: loadCoordinatorConfig({}).COORDINATOR_STATUS_PORT,
      extractor: loadExtractorConfig({}).EXTRACTOR_OPS_PORT,
      loader: loadLoaderConfig({}).LOADER_OPS_PORT,
    };
    expect(ports).toEqual({ coordinator: 9101, status: 9180, extractor: 9103, loader: 9102 });
  });

  it.each([
    ['loader', 'LOADER_OPS_PORT', {}],
    ['coordinator', 'COORDINATOR_OPS_PORT', { DYNSYNC_ENCRYPTION_KEY: KEY, COORDINATOR_STATUS_PORT: '0' }],
    ['extractor', 'EXTRACTOR_OPS_PORT', { DYNSYNC_ENCRYPTION_KEY: KEY }],
  ])('%s: an ops port in use is one line naming %s, exit code 2, before connecting to anything', { timeout: 120_000 }, async (service, variable, extra) => {
    const busy = await busyPort();
    cleanup.push(async () => busy.server.close());
    const p = startService(service, { ...extra, [variable]: String(busy.port), KAFKA_BROKERS: '127.0.0.1:1', MONGODB_URI: 'mongodb://127.0.0.1:1/' });
    cleanup.push(() => p.kill('SIGKILL'));
    expect(await p.exited()).toBe(2);
    expect(p.stderr()).toBe(`CONFIG_INVALID: ${variable}: port ${busy.port} is already in use on 127.0.0.1 by another process; set ${variable} to a free port (0 = any free port)\n`);
  });

  it('a replication factor above the broker count stops the service at start-up with one line naming KAFKA_REPLICATION_FACTOR', { timeout: 180_000 }, async () => {
    const tag = uniqueName('rf');
    const p = startService('loader', { KAFKA_REPLICATION_FACTOR: '3', LOADER_OPS_PORT: '0', LOADER_GROUP_ID: tag, LOADER_TOPIC_PATTERN: `^dynamics\\.${tag}\\.`, DYNSYNC_STATE_DB: tag });
    cleanup.push(() => p.kill('SIGKILL'));
    const exit = await Promise.race([p.exited(), new Promise((r) => setTimeout(() => r('still running after 150 s'), 150_000))]);
    expect(exit).toBe(2);
    expect(p.stderr()).toMatch(/^CONFIG_INVALID: KAFKA_REPLICATION_FACTOR is 3 but the Kafka cluster has 1 broker: a topic cannot have more replicas than brokers; set KAFKA_REPLICATION_FACTOR to at most 1 \(or to auto\)\n$/);
  });
});
