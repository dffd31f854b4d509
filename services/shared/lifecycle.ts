/**
 * The one place that owns a service process: signals, draining, exit codes, and the operations HTTP endpoint
 * (`/health/live`, `/health/ready`, `/metrics` in Prometheus format). A service's `main.ts` builds its object graph
 * and hands over to {@link runService}.
 */
import { createServer, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import type { AddressInfo } from 'node:net';
import { Registry as MetricsRegistry, collectDefaultMetrics } from 'prom-client';
import { SyncError, exitCodeFor, toSyncError } from './errors.ts';
import type { Logger } from './log.ts';

/** A running service as the lifecycle sees it. */
export interface RunningService {
  /** Ready to do its work (connected, subscribed). */
  ready(): boolean | Promise<boolean>;
  /** Stops taking work, finishes or abandons in-flight work cleanly, flushes, disconnects. */
  stop(): Promise<void>;
  /** Resolves when the service ends by itself (e.g. a fatal error); rejects with that error. */
  done?: Promise<void>;
}

/** What runService needs. */
export interface ServiceSpec {
  name: string;
  log: Logger;
  /** The metrics registry the service's metrics are registered in (default metrics are added). */
  metrics: MetricsRegistry;
  /** Port of the operations endpoint; 0 = any free port; undefined = none. */
  opsPort?: number;
  /** The variable that sets `opsPort` (`COORDINATOR_OPS_PORT`), named when the port cannot be bound. */
  opsPortVariable?: string;
  /** Builds and starts the service. */
  start(): Promise<RunningService>;
  /** How long a graceful stop may take before the process exits anyway. */
  stopTimeoutMs?: number;
}

/**
 * The operator's error for a port that cannot be bound: one line naming the variable that sets it (CONFIG_INVALID)
 * when the port is in use, reserved or the address is not on this host; anything else as it is.
 */
export function listenError(err: unknown, port: number, host: string, variable: string): SyncError {
  const code = (err as { code?: unknown }).code;
  const why =
    code === 'EADDRINUSE' ? `port ${port} is already in use on ${host} by another process`
    : code === 'EACCES' ? `port ${port} on ${host} needs privileges this process does not have`
    : code === 'EADDRNOTAVAIL' ? `address ${host} is not on this host`
    : undefined;
  if (why === undefined) return toSyncError(err);
  return new SyncError('CONFIG_INVALID', `${variable}: ${why}; set ${variable} to a free port (0 = any free port)`, { cause: err, details: { variables: [variable], port, host } });
}

/** Binds `server` to `port` on `host`; rejects with {@link listenError} (naming `variable`) when it cannot. */
export async function listen(server: Server, port: number, host: string, variable: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error) => reject(listenError(err, port, host, variable));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Starts the health/metrics endpoint; resolves to the server and its port (rejects as {@link listen}). */
export async function startOpsServer(
  metrics: MetricsRegistry,
  ready: () => boolean | Promise<boolean>,
  port: number,
  host = '127.0.0.1',
  variable = 'the ops port',
): Promise<{ server: Server; port: number }> {
  const server = createServer(async (req, res) => {
    try {
      if (req.url === '/health/live') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"UP"}');
      if (req.url === '/health/ready') {
        const ok = await ready();
        return void res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'UP' : 'DOWN' }));
      }
      if (req.url === '/metrics') return void res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.metrics());
      res.writeHead(404).end();
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  return { server, port: await listen(server, port, host, variable) };
}

/**
 * Sets V8's old-generation growing factor (config `*_HEAP_GROWING_PERCENT`, envField.heapGrowingPercent); 0 leaves
 * V8's own. V8 reads it at every full collection, so setting it at start-up, before the work, takes effect.
 */
export function applyHeapGrowingPercent(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** A metrics registry with Node's default process metrics, prefixed by service. */
export function createMetrics(service: string): MetricsRegistry {
  const registry = new MetricsRegistry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Loads a service's configuration at start-up: an invalid one prints its message (every variable named, values
 * never shown) on stderr without a stack trace and exits 2.
 */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    const e = toSyncError(err);
    process.stderr.write(`${e.code}: ${e.message}\n`);
    process.exit(exitCodeFor(e) || 1);
  }
}

/**
 * Runs a service until SIGTERM/SIGINT or its own end. Exit codes: 0 after a clean stop, otherwise by error kind
 * (see exitCodeFor). A second signal exits at once.
 */
export async function runService(spec: ServiceSpec): Promise<never> {
  const { log } = spec;
  let service: RunningService | undefined;
  let stopping = false;
  const exit = (code: number): never => {
    log.flush?.();
    process.exit(code);
  };
  const stop = async (reason: string, code: number) => {
    if (stopping) return exit(code === 0 ? 130 : code);
    stopping = true;
    log.info({ reason }, `${spec.name} stopping`);
    const timer = setTimeout(() => {
      log.error({ timeoutMs: spec.stopTimeoutMs ?? 30_000 }, `${spec.name} did not stop in time; exiting`);
      exit(code || 1);
    }, spec.stopTimeoutMs ?? 30_000);
    timer.unref();
    try {
      await service?.stop();
    } catch (err) {
      log.error({ err: toSyncError(err).toJSON() }, `${spec.name} stop failed`);
      return exit(code || 1);
    }
    exit(code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));
  // the ops port first: one that cannot be bound stops the service before it connects to anything (it answers
  // /health/ready 503 until the service started)
  let opsPort: number | undefined;
  if (spec.opsPort !== undefined) {
    try {
      opsPort = (await startOpsServer(spec.metrics, async () => (service ? service.ready() : false), spec.opsPort, '127.0.0.1', spec.opsPortVariable)).port;
    } catch (err) {
      const e = toSyncError(err);
      process.stderr.write(`${e.code}: ${e.message}\n`);
      log.error({ err: e.toJSON() }, `${spec.name} failed: ${e.message}`);
      return exit(exitCodeFor(e) || 1);
    }
  }
  try {
    service = await spec.start();
    if (opsPort !== undefined) log.info({ opsPort }, `${spec.name} health and metrics on http://127.0.0.1:${opsPort}`);
    log.info(`${spec.name} started`);
    if (service.done) {
      await service.done;
      await stop('finished', 0);
    } else {
      await new Promise<never>(() => {}); // runs until a signal
    }
  } catch (err) {
    const e = toSyncError(err);
    // an operator's mistake found at start-up (settings the cluster cannot honour) is one line on stderr too
    if (e.kind === 'config') process.stderr.write(`${e.code}: ${e.message}\n`);
    log.error({ err: e.toJSON() }, `${spec.name} failed: ${e.message}`);
    await stop('fatal error', exitCodeFor(e) || 1);
  }
  return exit(0);
}
