/**
 * The fault suite's own local stack (Kafka, Apicurio, PostgreSQL + DocumentDB, FerretDB): a separate run directory and other ports than the
 * shared stack, driven through `infra/local/cli.ts` in child processes (infra/local/settings.ts reads its settings
 * from the environment at import, so the suite's env must be the child's env).
 */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectionEnvOf, type ConnectionEnv } from '../../../infra/local/settings.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A server of the local stack. */
export type StackServer = 'kafka' | 'apicurio' | 'postgres' | 'ferretdb';

/** The environment that selects the fault stack: run directory and ports (see README "Ports"). */
export function faultStackEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const cacheDir = env.DYNSYNC_CACHE_DIR ?? join(homedir(), '.cache', 'dynsync');
  return {
    DYNSYNC_RUN_DIR: env.DYNSYNC_FAULTS_RUN_DIR ?? join(cacheDir, 'run-faults'),
    KAFKA_PORT: '19092',
    KAFKA_CONTROLLER_PORT: '19093',
    KAFKA_MTLS_PORT: '19094',
    APICURIO_PORT: '18080',
    APICURIO_MANAGEMENT_PORT: '19000',
    POSTGRES_PORT: '15433',
    FERRETDB_PORT: '27027',
  };
}

/**
 * The connection settings services and clients use for the fault stack, as `infra up` prints them: its addresses, and
 * its own admin principal, CA and registry user (files in its run directory), never the shared stack's.
 */
export function faultConnectionEnv(): ConnectionEnv {
  return connectionEnvOf({ ...process.env, ...faultStackEnv(process.env) });
}

/** Runs `node infra/local/cli.ts <args>` with the stack env; resolves to stdout, rejects with the output tail. */
export function infra(args: readonly string[], stackEnv: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['infra/local/cli.ts', ...args], { cwd: root, env: { ...process.env, ...stackEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`infra ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/** Stops one server of the fault stack (SIGTERM to its process group). */
export const stopServer = (server: StackServer, stackEnv: Record<string, string>) => infra(['stop', server], stackEnv);

/** Starts the fault stack's stopped servers again (on their data) and waits until they are healthy. */
export const startServer = (server: StackServer, stackEnv: Record<string, string>) => infra(['start', server], stackEnv);
