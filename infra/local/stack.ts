/**
 * The local stack (Kafka, Apicurio, PostgreSQL + DocumentDB, FerretDB) as a programmatic API used by `npm run infra:*`, the test setup
 * and the demo. `up` is idempotent: running servers are reused, servers found dead (e.g. after kill -9) are
 * restarted, missing downloads are provisioned first. `down` stops only what `up` started (pid files).
 */
import { execFileSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { launch, logTail, pssMb, rssMb, runningPid, stop } from './process.ts';
import { connectionEnv } from './settings.ts';
import { apicurio } from './servers/apicurio.ts';
import { ferretdb } from './servers/ferretdb.ts';
import { kafka } from './servers/kafka.ts';
import { postgres } from './servers/postgres.ts';
import type { LocalServer } from './servers/server.ts';

/** Every local server, in start order. */
export const servers: readonly LocalServer[] = [kafka, apicurio, postgres, ferretdb];

/** What `up` did with one server. */
export type UpOutcome = 'started' | 'reused' | 'external';

/** Progress messages go here (stderr by default, so stdout carries only env lines). */
export type Say = (line: string) => void;
const stderr: Say = (line) => process.stderr.write(`${line}\n`);

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

/** Runs provision.sh for the given servers (no-op when their downloads are already in the cache). */
export function provision(names: readonly string[], say: Say = stderr): void {
  if (names.length === 0) return;
  const script = fileURLToPath(new URL('./provision.sh', import.meta.url));
  try {
    execFileSync('bash', [script, ...names], { stdio: ['ignore', process.stderr, process.stderr] });
  } catch {
    say(`infra: provisioning ${names.join(', ')} failed (see the message above)`);
    throw new Error(`provisioning of ${names.join(', ')} failed`);
  }
}

async function waitHealthy(s: LocalServer, pid: number | undefined): Promise<void> {
  const deadline = Date.now() + s.startTimeoutMs;
  let initError = '';
  while (Date.now() < deadline) {
    if (await s.healthy()) return;
    if (pid !== undefined && runningPid(s.dir, s.launch().marker) === undefined) {
      throw new Error(`${s.label} exited during start-up. Last log lines (${s.dir}/server.log):\n${logTail(s.dir)}`);
    }
    // set-up that needs the running server (and that healthy() checks); it fails until the server accepts connections
    if (s.initialize) initError = await s.initialize().then(() => '', (err: unknown) => `\nLast set-up error: ${err instanceof Error ? err.message : String(err)}`);
    await delay(s.initialize && !initError ? 50 : 500);
  }
  throw new Error(`${s.label} did not become healthy within ${s.startTimeoutMs / 1000}s.${initError} Last log lines:\n${logTail(s.dir)}`);
}

async function upOne(s: LocalServer, say: Say): Promise<UpOutcome> {
  const marker = s.launch().marker;
  const pid = runningPid(s.dir, marker);
  if (pid !== undefined) {
    await waitHealthy(s, pid);
    return 'reused';
  }
  // a process killed a moment ago may still hold its port: give it a few seconds to go away
  for (let i = 0; i < 20 && (await portOpen(s.port)); i++) {
    if (await s.healthy()) return 'external';
    await delay(250);
  }
  if (await portOpen(s.port)) {
    if (await s.healthy()) return 'external';
    throw new Error(`port ${s.port} is used by another program, not ${s.label}: stop it or choose another port (see README, "Ports")`);
  }
  await s.prepare();
  const started = launch(s.dir, s.launch());
  say(`infra: starting ${s.label} (pid ${started}, log ${s.dir}/server.log)`);
  await waitHealthy(s, started);
  return 'started';
}

/**
 * Brings every server up (provisioning first if needed) and returns the connection settings and what was done
 * with each server. Throws with the server's log tail when one cannot start.
 */
export async function up(say: Say = stderr): Promise<{ env: typeof connectionEnv; outcomes: Record<string, UpOutcome> }> {
  const t0 = Date.now();
  const down = servers.filter((s) => runningPid(s.dir, s.launch().marker) === undefined);
  provision(down.map((s) => s.name), say);
  // in parallel, except that a server waits for the one it depends on
  const pending = new Map<string, Promise<UpOutcome>>();
  for (const s of servers) {
    const dependency = s.dependsOn === undefined ? undefined : pending.get(s.dependsOn);
    pending.set(s.name, (dependency ?? Promise.resolve()).then(() => upOne(s, say)));
  }
  const outcomes = await Promise.all(servers.map(async (s) => [s, await pending.get(s.name)!] as const));
  for (const [s, outcome] of outcomes) say(`infra: ${s.label}: ${outcome}`);
  say(`infra: ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return { env: connectionEnv, outcomes: Object.fromEntries(outcomes.map(([s, o]) => [s.name, o])) };
}

/** Stops the servers this tool started (or only those named); returns the names it stopped. */
export async function down(say: Say = stderr, only?: readonly string[]): Promise<string[]> {
  const stopped: string[] = [];
  for (const s of [...servers].reverse().filter((x) => !only || only.includes(x.name))) {
    if (await stop(s.dir, s.launch().marker, undefined, s.launch().stopSignal)) {
      stopped.push(s.name);
      say(`infra: stopped ${s.label}`);
    }
  }
  return stopped;
}

/** One server's state for `status`. */
export interface ServerStatus {
  name: string;
  label: string;
  port: number;
  pid: number | undefined;
  healthy: boolean;
  /** Resident memory of the main process. */
  rssMb: number | undefined;
  /** For a server of several processes (PostgreSQL): how many, and their proportional set size together. */
  processes?: { count: number; pssMb: number };
}

/** The state of every server. */
export async function status(): Promise<ServerStatus[]> {
  return Promise.all(
    servers.map(async (s) => {
      const pid = runningPid(s.dir, s.launch().marker);
      const pids = pid && s.processes ? s.processes() : [];
      const processes = pids.length > 0 ? { count: pids.length, pssMb: pssMb(pids) } : undefined;
      return { name: s.name, label: s.label, port: s.port, pid, healthy: await s.healthy(), rssMb: pid ? rssMb(pid) : undefined, processes };
    }),
  );
}
