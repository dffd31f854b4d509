/**
 * The three services of one connection's pipeline as child processes (loader, extractor, coordinator), with the
 * settings the demo, the end-to-end benchmark and the tests share: one consumer group per connection and service,
 * ops and status ports picked by the OS, the coordinator's schedule off (runs are triggered by commands). On the local
 * authenticated stack each service runs as its own Kafka principal with only its ACLs (infra/local/settings.ts
 * `principalEnv`, SECURITY.md); the group ids start with the prefixes those ACLs name.
 */
import { join } from 'node:path';
import { principalEnv } from '../infra/local/settings.ts';
import { eventually, startService, type ServiceProcess, type ServiceProcessOptions } from './service-process.ts';

/** How many instances of each worker service to start (the coordinator is one). */
export interface PipelineShape {
  extractors?: number;
  loaders?: number;
  /**
   * Start a brand-new extractor group at the end of `sync.tasks` instead of skipping every retained task of other
   * connections first (benchmarks: the pipeline is ready before the first command is sent).
   */
  tasksFromEnd?: boolean;
  /**
   * Each service logs to `<logDir>/<service>[-<n>].log` instead of pipes, in its own process group, and keeps
   * running when this process exits (`npm run demo -- --keep`).
   */
  logDir?: string;
}

/** A started pipeline. */
export interface Pipeline {
  readonly services: ServiceProcess[];
  readonly loaderGroup: string;
  /** SIGTERM to every service, waiting for the exits. */
  stop(): Promise<void>;
}

/** Resolves once the service answers 200 on `/health/ready` (the coordinator: its consumer group is joined). */
async function ready(service: ServiceProcess, timeoutMs: number): Promise<void> {
  const port = await service.opsPort();
  await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200, timeoutMs, 200);
}

/**
 * Starts the pipeline of `connection` with `env` (servers, state DB, encryption key, dev origins) and waits until
 * every service is ready: a command sent before the coordinator joined its group would not be seen by it.
 */
export async function startPipeline(connection: string, env: Record<string, string>, shape: PipelineShape = {}): Promise<Pipeline> {
  const loaderGroup = `dynsync-loader-${connection}`;
  const services: ServiceProcess[] = [];
  const how = (name: string, i: number, of: number): ServiceProcessOptions =>
    shape.logDir === undefined ? {} : { logFile: join(shape.logDir, of > 1 ? `${name}-${i + 1}.log` : `${name}.log`), detached: true };
  const loaders = shape.loaders ?? 1;
  const extractors = shape.extractors ?? 1;
  for (let i = 0; i < loaders; i++) {
    services.push(startService('loader', { ...principalEnv(env, 'loader'), LOADER_GROUP_ID: loaderGroup, LOADER_TOPIC_PATTERN: `^dynamics\\.${connection}\\.`, LOADER_OPS_PORT: '0', LOADER_TOPIC_REFRESH_MS: '1000' }, how('loader', i, loaders)));
  }
  for (let i = 0; i < extractors; i++) {
    services.push(startService('extractor', { ...principalEnv(env, 'extractor'), EXTRACTOR_GROUP_ID: `dynsync-extractor-${connection}`, EXTRACTOR_CONNECTIONS: `^${connection}$`, EXTRACTOR_OPS_PORT: '0',
      ...(shape.tasksFromEnd ? { EXTRACTOR_FROM_BEGINNING: 'false' } : {}) }, how('extractor', i, extractors)));
  }
  services.push(
    startService('coordinator', {
      ...principalEnv(env, 'coordinator'),
      COORDINATOR_GROUP_ID: `dynsync-coordinator-${connection}`,
      // a brand-new group reads the commands waiting in sync.commands: other connections' ones are not this pipeline's
      COORDINATOR_CONNECTIONS: `^${connection}$`,
      COORDINATOR_LOADER_GROUP_ID: loaderGroup,
      COORDINATOR_OPS_PORT: '0',
      COORDINATOR_STATUS_PORT: '0',
      COORDINATOR_SCHEDULE_ENABLED: 'false',
      COORDINATOR_TICK_MS: '500',
    }, how('coordinator', 0, 1)),
  );
  const stop = async () => {
    await Promise.all(services.map((s) => s.kill('SIGTERM')));
  };
  try {
    await Promise.all(services.map((s) => ready(s, 120_000)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { services, loaderGroup, stop };
}
