/**
 * A service (`services/<name>/main.ts`) as a real child process, for tests that kill -9 and restart it. Its
 * JSON log lines are kept for assertions; the ops port (health, metrics) is read from its start-up line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A running service process. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** The last 2000 JSON log lines. */
  readonly logs: Record<string, unknown>[];
  /** Resolves to the ops port once the service logged it. */
  opsPort(): Promise<number>;
  /** The last 4000 characters the process wrote on stderr. */
  stderr(): string;
  /** Resolves to the exit code (or signal name) when the process ends. */
  exited(): Promise<number | string>;
  /** Sends a signal and waits for the exit; resolves to the exit code (or signal name). */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The V8 heap limits every service runs with (also in infra/Dockerfile and the README). Without them V8 lets the
 * heap grow lazily: the loader peaked at 570 MB RSS loading 100k rows, and at 263 MB with a 160 MB old space (9 %
 * slower). `DYNSYNC_SERVICE_NODE_OPTIONS` replaces them.
 */
export const SERVICE_NODE_OPTIONS = '--max-old-space-size=192 --max-semi-space-size=8';

/** Starts `services/<name>/main.ts` with the test servers' settings plus `env`. */
export function startService(name: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [`services/${name}/main.ts`], {
    cwd: root,
    env: {
      ...process.env,
      LOG_LEVEL: process.env.DYNSYNC_SERVICE_LOG_LEVEL ?? 'info',
      NODE_OPTIONS: process.env.DYNSYNC_SERVICE_NODE_OPTIONS ?? SERVICE_NODE_OPTIONS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  const waiters: ((port: number) => void)[] = [];
  let port: number | undefined;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (logs.length > 2000) logs.splice(0, logs.length - 2000);
        if (typeof entry.opsPort === 'number') {
          port = entry.opsPort;
          for (const w of waiters.splice(0)) w(port);
        }
      } catch {
        logs.push({ raw: line });
      }
    }
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? 'unknown')));
  return {
    child,
    logs,
    stderr: () => stderr,
    exited: () => exited,
    opsPort: () =>
      port !== undefined
        ? Promise.resolve(port)
        : new Promise((resolve, reject) => {
            waiters.push(resolve);
            void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready: ${stderr}`)));
          }),
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `probe` every `everyMs` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
