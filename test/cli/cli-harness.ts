/**
 * Runs the real `dynsync` command (bin/dynsync.js → services/cli/main.ts) as a child process against the in-process
 * simulator and the test servers (MongoDB-protocol store, Kafka), with a state database unique to the test file.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { servers, uniqueName } from '../support/servers.ts';
import type { SimulatorHandle } from '../../services/simulator/simulator.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What a CLI invocation did. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of the CLI under test: the simulator as a dev origin, a fresh key and state database. */
export function cliEnv(sim: SimulatorHandle): Record<string, string> {
  const db = uniqueName('clistate');
  return {
    MONGODB_URI: servers.mongoUri(),
    KAFKA_BROKERS: servers.brokers().join(','),
    DYNSYNC_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DYNSYNC_STATE_DB: db,
    DYNSYNC_SECRETS_DB: db,
    DYNSYNC_DEV_ORIGINS: sim.orgUrl,
    DYNSYNC_DEV_AUTHORITY: sim.orgUrl,
    DYNSYNC_DEV_CA_PATH: sim.caCertPath,
    LOG_LEVEL: 'warn',
  };
}

/** `stderr` without the one warning the CLI prints when it opens a connection while DYNSYNC_DEV_* is set (dev-switches.ts). */
export function withoutDevWarning(stderr: string): string {
  return stderr.replace(/^warning: DEVELOPMENT SWITCHES SET \([^\n]*\n/m, '');
}

/**
 * Runs `dynsync <args>` with `env` (on top of this process's environment minus any DYNSYNC_ variable; a
 * variable set to undefined is removed) and optional stdin.
 */
export function runDynsync(args: readonly string[], env: Record<string, string | undefined>, stdin?: string): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DYNSYNC_')));
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...base, ...env })) if (v !== undefined) merged[k] = v;
  const child = spawn(process.execPath, ['bin/dynsync.js', ...args], { cwd: root, env: merged, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
