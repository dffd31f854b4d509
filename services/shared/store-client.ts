/**
 * The services' MongoDB client: one place that creates it, with the driver's server monitoring made visible and
 * kept alive.
 *
 * - Reachability: a store that becomes unreachable is logged once (warn) with the driver's reason, and once more
 *   when it is reachable again (info); heartbeat failures in between are debug. The URI is never logged (it can
 *   carry credentials, Invariant 7): only the server's host:port.
 * - Stalled monitor: the driver checks the server with heartbeats, one at a time per server. If one never ends
 *   (heartbeat-watch.ts; seen when FerretDB stops mid-heartbeat), the client would wait for the server forever, even
 *   after it is back. The client is then closed and connected again, which replaces its monitors and pool; the
 *   `Db` and `Collection` handles the services hold stay valid. Operations in flight fail as `STORE_UNAVAILABLE`
 *   and are retried by their callers, like any store outage.
 */
import { MongoClient, type MongoClientOptions, type ServerDescriptionChangedEvent } from 'mongodb';
import type { Logger } from './log.ts';
import { HeartbeatWatch, stallThresholdMs } from './heartbeat-watch.ts';

/** The driver's default `connectTimeoutMS` is 30 s; the services use 10 s (a heartbeat is then stalled after 25 s). */
export const STORE_CONNECT_TIMEOUT_MS = 10_000;

/** Whether a server description type means the server can be used (anything but Unknown). */
export function isReachable(type: string): boolean {
  return type !== 'Unknown';
}

/** Connects a MongoClient to `uri` with `options`, logging reachability and reviving a stalled monitor. */
export async function connectStore(uri: string, options: MongoClientOptions, log: Logger): Promise<MongoClient> {
  const connectTimeoutMS = options.connectTimeoutMS ?? STORE_CONNECT_TIMEOUT_MS;
  const client = new MongoClient(uri, { ...options, connectTimeoutMS });
  watchReachability(client, log);
  reviveStalledMonitor(client, log, { stallMs: stallThresholdMs(connectTimeoutMS) });
  return client.connect();
}

/** Logs reachability transitions of `client`'s servers (see the module comment). */
export function watchReachability(client: MongoClient, log: Logger): void {
  client.on('serverDescriptionChanged', (e: ServerDescriptionChangedEvent) => {
    const was = isReachable(e.previousDescription.type);
    const is = isReachable(e.newDescription.type);
    if (was && !is) log.warn({ store: e.address, reason: e.newDescription.error?.message }, 'MongoDB store unreachable; operations wait for it');
    else if (!was && is && e.previousDescription.error) log.info({ store: e.address }, 'MongoDB store reachable again');
  });
  client.on('serverHeartbeatFailed', (e) => log.debug({ store: e.connectionId, reason: e.failure?.message, durationMs: e.duration }, 'MongoDB heartbeat failed'));
}

/**
 * Closes and re-connects `client` when one of its heartbeats has been in flight for longer than `stallMs`; checks
 * every `checkEveryMs` (default a quarter of `stallMs`). A failed re-connect is tried again at the next check. Stops
 * when the client is closed by its owner. Returns a function that stops it.
 */
export function reviveStalledMonitor(client: MongoClient, log: Logger, { stallMs, checkEveryMs = Math.ceil(stallMs / 4) }: { stallMs: number; checkEveryMs?: number }): () => void {
  const watch = new HeartbeatWatch(stallMs);
  let reviving = false;
  let closed = false; // by us, and not yet connected again
  client.on('serverHeartbeatStarted', (e) => watch.started(e.connectionId, Date.now()));
  client.on('serverHeartbeatSucceeded', (e) => watch.ended(e.connectionId));
  client.on('serverHeartbeatFailed', (e) => watch.ended(e.connectionId));

  const check = async () => {
    if (!closed) {
      const stalled = watch.stalled(Date.now());
      if (stalled.length === 0) return;
      log.warn({ store: stalled[0]!.address, stalledForMs: stalled[0]!.forMs }, 'MongoDB client stalled: a server check never ended; reconnecting the client');
      await client.close().catch(() => undefined);
      watch.clear();
      closed = true;
    }
    try {
      await client.connect();
      closed = false;
      log.info('MongoDB client reconnected');
    } catch (err) {
      log.warn({ reason: (err as Error).message }, 'MongoDB client reconnect failed; retried at the next check');
    }
  };
  const timer = setInterval(() => {
    if (reviving) return;
    reviving = true;
    void check().finally(() => (reviving = false));
  }, checkEveryMs);
  timer.unref();
  const stop = () => clearInterval(timer);
  // the owner's close (not ours, which happens while reviving) ends the watch
  client.on('topologyClosed', () => {
    if (!reviving) stop();
  });
  return stop;
}
